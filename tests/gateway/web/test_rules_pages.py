"""``/rules`` in the console (DESIGN §4.6): hit counts, never-firing rules, dry runs of
an edited file against a registered document or an uploaded .eml, replay, saving into force
with the change audited — and an invalid file is never put into force."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.routing.in_force import rules_path
from registry.database import read_session
from registry.models import RegisterEntry
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console, session_csrf
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

pytestmark = pytest.mark.slow

DEFAULT_RULE = "Mặc định: Văn phòng tiếp nhận và trình lãnh đạo"
NEW_RULE = "Chấn chỉnh công tác văn thư: Phòng Tư pháp"
ADDED = f"""
  - name: "{NEW_RULE}"
    when: {{words: ["chấn chỉnh"], look_in: [summary]}}
    then: {{lead: TP, deadline: "3 working days"}}

"""


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One registered document ("chấn chỉnh …"), routed by the shipped default rule."""
    console = make_console(tmp_path / "d", pki, database_url)
    mail = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    console.receive(mail)
    assert len(entries(console)) == 1
    yield console
    console.close()


def entries(console: InProcessConsole) -> list[RegisterEntry]:
    with read_session(console.components.engine) as session:
        return list(session.scalars(select(RegisterEntry).order_by(col(RegisterEntry.id))))


def edited(console: InProcessConsole) -> str:
    """The file in force with a rule sending "chấn chỉnh" documents to Tư pháp."""
    text = rules_path(console.components.deployment).read_text(encoding="utf-8")
    marker = f'  - name: "{DEFAULT_RULE}"'
    assert marker in text
    return text.replace(marker, ADDED.strip("\n") + "\n\n" + marker)


def row_of(html: str, rule: str) -> str:
    found = re.search(
        r"<tr[^>]*>\s*<td>\d+</td>\s*<td>" + re.escape(rule) + r".*?</tr>", html, re.S
    )
    assert found is not None, rule
    return found.group(0)


def test_rules_in_order_with_hit_counts_and_a_warning_for_rules_never_fired(
    console: InProcessConsole,
) -> None:
    """GIVEN one document routed by the default rule WHEN an administrator opens /rules
    THEN the rules are listed in file order, the default rule counts 1 hit with its last
    match, and a rule that never matched carries the warning."""
    with console.signed_in("quantri") as client:
        page = client.get("/rules")
    assert page.status_code == 200
    assert console.components.router is not None
    names = [r.name for r in console.components.router.rules.rules]
    positions = [page.text.index(f"<td>{n}") for n in names]
    assert positions == sorted(positions) and len(names) == 6
    default = row_of(page.text, DEFAULT_RULE)
    assert "<td>1</td>" in default and "chưa khớp" not in default
    assert "<td>0</td>" in row_of(page.text, "Ngân sách, tài chính")
    assert "quy tắc này chưa khớp văn bản nào" in row_of(page.text, "Ngân sách, tài chính")


def test_administrator_dry_runs_an_edited_rule_and_sees_the_trace_without_putting_it_in_force(
    console: InProcessConsole,
) -> None:
    """GIVEN an edited file adding a rule for "chấn chỉnh" WHEN it is dry-run against the
    registered document THEN the decision (lead Tư pháp) and the trace naming the new rule
    are shown, while the file on disk and the rules in force are unchanged."""
    path = rules_path(console.components.deployment)
    before, router = path.read_bytes(), console.components.router
    assert router is not None
    version = router.rules.version
    [entry] = entries(console)
    with console.signed_in("quantri") as client:
        token = csrf(client.get("/rules").text)
        form = {"csrf_token": token, "rules_text": edited(console), "entry": str(entry.id)}
        page = client.post("/rules", data={**form, "action": "dry-run"})
    assert page.status_code == 200
    assert f"Chạy thử với văn bản đến số {entry.incoming_number}/{entry.year}" in page.text
    assert "chủ trì: Phòng Tư pháp (TP)" in page.text
    assert f"✔ khớp: {NEW_RULE}" in page.text
    assert path.read_bytes() == before and router.rules.version == version


def test_dry_run_of_an_uploaded_eml_analyses_it_as_the_pipeline_would(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a signed mail as an .eml file WHEN uploaded for a dry run with the current
    rules THEN it would be accepted and routed by the default rule (trace shown), and
    nothing is registered."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    current = rules_path(console.components.deployment).read_text(encoding="utf-8")
    with console.signed_in("quantri") as client:
        token = csrf(client.get("/rules").text)
        page = client.post(
            "/rules",
            data={"csrf_token": token, "rules_text": current, "action": "dry-run"},
            files={"eml": ("thu.eml", raw, "message/rfc822")},
        )
    assert page.status_code == 200
    assert "Chạy thử với thư thu.eml" in page.text
    assert "Kết quả tiếp nhận: tiếp nhận." in page.text
    assert f"✔ khớp: {DEFAULT_RULE}" in page.text
    assert len(entries(console)) == 1


def test_an_invalid_rules_file_is_never_put_into_force_and_its_errors_name_lines(
    console: InProcessConsole,
) -> None:
    """GIVEN an edited file whose new rule leads to a unit that does not exist
    WHEN the administrator saves it THEN 422 with the error and its line number; the file
    on disk, the rules in force and the change history are unchanged."""
    path = rules_path(console.components.deployment)
    before = path.read_bytes()
    broken = edited(console).replace("lead: TP,", "lead: KHONGCO,")
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "KHONGCO" in text)
    with console.signed_in("quantri") as client:
        token = csrf(client.get("/rules").text)
        page = client.post(
            "/rules", data={"csrf_token": token, "rules_text": broken, "action": "save"}
        )
        assert page.status_code == 422
        assert "chưa được áp dụng" in page.text
        said = rf"Dòng {line}, .*KHONGCO.* không có trong danh sách units"  # in Vietnamese
        assert re.search(said, html.unescape(page.text)), page.text
    assert path.read_bytes() == before
    assert console.audit("rules.") == []


def test_saving_puts_the_edited_file_into_force_and_records_the_change(
    console: InProcessConsole, pki: TestPki
) -> None:
    """GIVEN an edited, valid file WHEN the administrator replays it (the registered
    document would move from Văn phòng to Tư pháp) and then saves it THEN rules.yaml holds
    it, the running router uses it (the next "chấn chỉnh" document is routed by the new
    rule), and the change history names the administrator with the diff."""
    text = edited(console)
    with console.signed_in("quantri") as client:
        token = csrf(client.get("/rules").text)
        form = {"csrf_token": token, "rules_text": text}
        replayed = client.post("/rules", data={**form, "action": "replay"})
        assert "- chủ trì VP; + chủ trì TP" in replayed.text
        saved = client.post("/rules", data={**form, "action": "save"})
        assert saved.status_code == 200
        assert "Đã lưu và áp dụng tệp quy tắc mới" in saved.text
        history = client.get("/rules").text
    path = rules_path(console.components.deployment)
    assert path.read_text(encoding="utf-8") == text
    [change] = console.audit("rules.")
    assert (change.action, change.actor) == ("rules.save", "quantri")
    assert f'+  - name: "{NEW_RULE}"' in change.details["diff"]
    assert f"quantri: phiên bản {change.details['old_version']}" in history
    pdf = official_document_pdf(
        number="55", summary="chấn chỉnh công tác lưu trữ", issued_on=date(2026, 11, 21)
    )
    signed = sign_as_person_then_agency(pdf, pki)
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv55.pdf", signed, "application/pdf")])
    )
    newest = entries(console)[-1]
    matched = [t["rule"] for t in newest.routing_trace if t["matched"]]
    assert matched == [NEW_RULE]


def test_officers_and_clerks_may_not_open_or_post_the_rules_page(
    console: InProcessConsole,
) -> None:
    """GIVEN an officer and a clerk WHEN they open /rules or post to it THEN 403."""
    for username in ("chuyenvien", "vanthu"):
        with console.signed_in(username) as client:
            assert client.get("/rules").status_code == 403
            token = session_csrf(client)
            posted = client.post("/rules", data={"csrf_token": token, "action": "save"})
            assert posted.status_code == 403
