"""The console's distribution actions over the real app and the real service parts
(R-DISTRIB, R-TRACK, DESIGN §4.8), on SQLite and PostgreSQL: a leader's delegation set
and cancelled on ``/distribute``; an officer's "Đề nghị chuyển" going back to the leader
(or to the clerk) who re-decides; the result file of "Hoàn thành"."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import col

from gateway.clerk.accounts import Accounts
from gateway.cli.main import main
from gateway.config.settings import load
from gateway.distribution import slip
from gateway.distribution.decide import Desk, Order, distribute
from gateway.wiring import build
from registry.console.accounts import Role
from registry.database import read_session
from registry.models import AssignmentRecord
from tests.gateway.distribution.conftest import RULES, ZONE, signed_mail, text_of
from tests.gateway.web.inprocess import (
    PASSWORD,
    InProcessConsole,
    routed_to_vp,
    session_csrf,
)
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

BUDGET = "dự toán ngân sách năm 2027"
REASON = "Nội dung thuộc lĩnh vực kinh tế, không thuộc chức năng của Phòng Tư pháp"
PEOPLE = (
    ("lanhdao", Role.LEADER, None),
    ("phochutich", Role.LEADER, None),
    ("tuphap.cv", Role.OFFICER, "TP"),
    ("vanthu", Role.CLERK, None),
    ("quantri", Role.ADMIN, None),
)


def _today_plus(days: int) -> str:
    return (datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=days)).strftime("%d/%m/%Y")


@pytest.fixture
def proposing(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """A deployment whose rules propose (CT, PCT), with one budget document awaiting PCT."""
    root = tmp_path / "d"
    assert main(["init", str(root)]) == 0
    (root / "trust" / "root.pem").write_bytes(pki.root_pem())
    (root / "rules.yaml").write_text(RULES, encoding="utf-8")
    settings = {**os.environ, "GATEWAY_GATEWAY__DATABASE_URL": database_url}
    components = build(load(root / "gateway.toml", settings))
    accounts = Accounts(components.engine)
    for name, role, unit in PEOPLE:
        accounts.add(name, role, PASSWORD, unit_code=unit, actor="test")
    console = InProcessConsole(components, root / "gateway.toml", database_url)
    console.receive(signed_mail(pki, "95", BUDGET))
    yield console
    console.close()


def _assignments(console: InProcessConsole) -> list[tuple[str, str, str]]:
    with read_session(console.components.engine) as session:
        rows = session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id)))
        return [(a.unit_code, a.role, a.status) for a in rows]


def test_r_distrib_a_leader_delegates_on_the_queue_page_and_the_delegate_decides(
    proposing: InProcessConsole,
) -> None:
    """GIVEN a budget document awaiting the vice-chairman (PCT)
    WHEN the chairman looks at his queue, the vice-chairman delegates to him from today on
    the queue page (the chairman trying the same for PCT, and a wrong date, are refused),
    the chairman accepts the proposal, then the vice-chairman cancels the delegation
    THEN the chairman's queue (and dashboard count) lacks the document before and has it
    while delegated; the
    list shows the delegation with dd/mm/yyyy dates; the decision page says who decided "thay
    Phó Chủ tịch UBND, theo ủy quyền"; once cancelled no delegation is listed."""
    entry = proposing.the_entry()
    item = f'id="cho-{entry.year}-{entry.incoming_number}"'
    count = "Văn bản chờ lãnh đạo phân công: {}</a>"
    with proposing.signed_in("lanhdao") as chairman:
        assert item not in chairman.get("/distribute").text
        assert count.format(0) in chairman.get("/dashboard").text
        refused = chairman.post(
            "/distribute/delegations",
            data={
                "csrf_token": session_csrf(chairman),
                "leader": "PCT",
                "to": "CT",
                "from": _today_plus(0),
                "until": _today_plus(3),
            },
        )
        assert refused.status_code == 409
        assert "Bạn chỉ được ủy quyền thay cho chính mình." in refused.text
    with proposing.signed_in("phochutich") as vice:
        form = {"csrf_token": session_csrf(vice), "leader": "PCT", "to": "CT"}
        wrong = vice.post(
            "/distribute/delegations", data={**form, "from": "31/02/2026", "until": "x"}
        )
        assert wrong.status_code == 409 and "Ngày không hợp lệ" in wrong.text
        made = vice.post(
            "/distribute/delegations",
            data={**form, "from": _today_plus(0), "until": _today_plus(3)},
        )
        assert made.status_code == 303, made.text
        listed = vice.get(made.headers["location"]).text
        assert "Đã ủy quyền cho Chủ tịch UBND thay Phó Chủ tịch UBND" in listed
        row = re.search(r'<tr id="uy-quyen-(\d+)">(.*?)</tr>', listed, re.S)
        assert row is not None
        assert _today_plus(3) in row.group(2) and "Đang có hiệu lực" in row.group(2)
    with proposing.signed_in("lanhdao") as chairman:
        assert item in chairman.get("/distribute").text
        assert count.format(1) in chairman.get("/dashboard").text
        decided = chairman.post(
            f"/distribute/{entry.year}/{entry.incoming_number}",
            data={"csrf_token": session_csrf(chairman), "action": "accept"},
        )
        assert decided.status_code == 303, decided.text
        shown = chairman.get(f"/distribute/{entry.year}/{entry.incoming_number}").text
        assert "lanhdao (thay Phó Chủ tịch UBND, theo ủy quyền)" in shown
    with proposing.signed_in("phochutich") as vice:
        cancelled = vice.post(
            f"/distribute/delegations/{row.group(1)}/cancel",
            data={"csrf_token": session_csrf(vice)},
        )
        assert cancelled.status_code == 303
        assert "Hiện không có ủy quyền nào." in vice.get("/distribute").text
    assert _assignments(proposing)[0] == ("TCKH", "lead", "assigned")


def test_r_track_a_unit_asks_for_a_transfer_and_the_leader_re_decides_once(
    proposing: InProcessConsole,
) -> None:
    """GIVEN the budget document distributed by PCT to Phòng Tư pháp (TP)
    WHEN TP's officer presses "Đề nghị chuyển" without a reason, then with a reason and
    Phòng Kinh tế suggested, then again; the leaders and the clerk look at their queues;
    the clerk tries to decide; PCT transfers it to KT with an instruction, then once more
    THEN no reason → refused in Vietnamese; the request is recorded once; only PCT's queue
    shows it flagged "Đơn vị đề nghị chuyển" with the reason and the suggestion; the clerk
    gets 403; PCT's transfer ends TP's assignment (reassigned), gives KT the lead with a
    routed copy carrying the instruction; the second decision is refused ("đã được giải
    quyết"); the slip's handling record shows the request and the decision."""
    entry = proposing.the_entry()
    desk = Desk.of(proposing.components.pipeline)
    distribute(
        desk, entry.year, entry.incoming_number, Order(lead="TP"), by="phochutich", channel="cli"
    )
    page = f"/register/{entry.year}/{entry.incoming_number}/progress"
    with proposing.signed_in("tuphap.cv") as officer:
        shown = officer.get(page).text
        assert "Đề nghị chuyển" in shown
        assignment = shown.split('name="assignment" value="')[1].split('"')[0]
        base = {"csrf_token": session_csrf(officer), "assignment": assignment}
        empty = officer.post(page, data={**base, "intent": "transfer_request", "reason": " "})
        assert empty.status_code == 409 and "Hãy ghi lý do đề nghị chuyển văn bản." in empty.text
        asked = {**base, "intent": "transfer_request", "reason": REASON, "unit": "KT"}
        assert officer.post(page, data=asked).status_code == 303
        again = officer.post(page, data=asked)
        assert again.status_code == 409 and "Đơn vị đã đề nghị chuyển văn bản này" in again.text
        assert "đang chờ quyết định" in officer.get(page).text
    for other in ("lanhdao", "vanthu"):
        with proposing.signed_in(other) as client:
            assert "Đơn vị đề nghị chuyển" not in client.get("/distribute").text
    with proposing.signed_in("vanthu") as clerk:
        assert (
            clerk.post(
                "/distribute/transfer/1", data={"csrf_token": session_csrf(clerk), "unit": "KT"}
            ).status_code
            == 403
        )
    note = "Giao Phòng Kinh tế chủ trì, báo cáo trước ngày 15/12."
    with proposing.signed_in("phochutich") as vice:
        queue = vice.get("/distribute").text
        assert "Đơn vị đề nghị chuyển" in queue and REASON in queue
        assert "Đề nghị chuyển cho: Phòng Kinh tế" in queue
        found = re.search(r'href="/distribute/transfer/(\d+)"', queue)
        assert found is not None
        target = f"/distribute/transfer/{found.group(1)}"
        form = {"csrf_token": session_csrf(vice), "unit": "KT", "note": note, "action": "transfer"}
        done = vice.post(target, data=form)
        assert done.status_code == 303, done.text
        assert "Đơn vị đề nghị chuyển" not in vice.get("/distribute").text
        second = vice.post(target, data={**form, "unit": "NV"})
        assert second.status_code == 409
        assert (
            "Đề nghị chuyển này đã được giải quyết (người quyết định: phochutich)." in second.text
        )
    assert _assignments(proposing) == [("TP", "lead", "reassigned"), ("KT", "lead", "assigned")]
    copies = {m.recipient: m for m in proposing.outbox("routed-copy")}
    assert set(copies) == {"tuphap@example.gov.vn", "kinhte@example.gov.vn"}
    copy = BytesParser(policy=policy.default).parsebytes(copies["kinhte@example.gov.vn"].raw)
    assert isinstance(copy, EmailMessage)
    assert note in " ".join(text_of(copy).split())
    with read_session(proposing.components.engine) as session:
        printed = slip.collect(session, entry.year, entry.incoming_number, ZONE)
    said = [what for _, _, what in printed.record]
    assert f"Đơn vị đề nghị chuyển: {REASON}" in said
    assert f"Đồng ý chuyển cho đơn vị khác (KT): {note}" in said


@pytest.fixture
def routed(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """The sample rules, which route at once to Văn phòng (VP), and an officer of VP."""
    with routed_to_vp(tmp_path / "d", pki, database_url, signed_pdf) as console:
        yield console


def test_r_track_a_transfer_request_without_a_leader_goes_to_the_clerk_who_keeps_it(
    routed: InProcessConsole,
) -> None:
    """GIVEN a document the rules gave VP directly (no leader involved)
    WHEN VP's officer asks for a transfer and the clerk opens /distribute and keeps it
    THEN the clerk is mailed and the clerk's queue shows it ("Văn thư xử lý"); keeping
    leaves VP's assignment open, audited as kept; the officer's page tells them it was kept."""
    entry = routed.the_entry()
    page = f"/register/{entry.year}/{entry.incoming_number}/progress"
    with routed.signed_in("chuyenvien.vp") as officer:
        assignment = officer.get(page).text.split('name="assignment" value="')[1].split('"')[0]
        asked = officer.post(
            page,
            data={
                "csrf_token": session_csrf(officer),
                "assignment": assignment,
                "intent": "transfer_request",
                "reason": "Văn bản gửi nhầm đơn vị",
            },
        )
        assert asked.status_code == 303
    with routed.signed_in("vanthu") as clerk:
        queue = clerk.get("/distribute").text
        assert "Văn thư xử lý" in queue and "Văn bản gửi nhầm đơn vị" in queue
        found = re.search(r'href="/distribute/transfer/(\d+)"', queue)
        assert found is not None
        kept = clerk.post(
            f"/distribute/transfer/{found.group(1)}",
            data={"csrf_token": session_csrf(clerk), "action": "keep", "note": "Đúng chức năng"},
        )
        assert kept.status_code == 303
    assert _assignments(routed) == [("VP", "lead", "assigned")]
    [notice] = routed.outbox("returned")  # no leader: the clerk's mailbox is told
    assert notice.recipient == Desk.of(routed.components.pipeline).clerk
    told = BytesParser(policy=policy.default).parsebytes(notice.raw)
    assert isinstance(told, EmailMessage)
    assert "Văn bản gửi nhầm đơn vị" in text_of(told)
    [decided] = routed.audit("assignment.transfer_decided")
    assert (decided.actor, decided.details["outcome"]) == ("vanthu", "kept")
    with routed.signed_in("chuyenvien.vp") as officer:
        assert "được giữ nguyên phân công" in officer.get(page).text


def test_r_track_done_with_a_result_file_is_kept_downloadable_and_on_the_slip(
    routed: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a document routed to VP
    WHEN VP's officer presses "Hoàn thành" with a program file, then with a text file
    named .pdf, then with a real PDF whose name is in decomposed Unicode
    THEN the first two are refused in Vietnamese and nothing changes; the third finishes
    the document, the file (name in NFC) is listed on the document's results page,
    downloads byte for byte, and the slip lists it."""
    entry = routed.the_entry()
    page = f"/register/{entry.year}/{entry.incoming_number}/progress"
    name = unicodedata.normalize("NFD", "Báo cáo kết quả.pdf")
    with routed.signed_in("chuyenvien.vp") as officer:
        assignment = officer.get(page).text.split('name="assignment" value="')[1].split('"')[0]
        form = {"csrf_token": session_csrf(officer), "assignment": assignment, "intent": "done"}
        program = officer.post(
            page,
            data=form,
            files={"result": ("setup.exe", b"MZ\x90\x00", "application/octet-stream")},
        )
        assert program.status_code == 409
        assert "Tệp kết quả phải là PDF, Word (doc, docx), Excel (xls, xlsx)" in program.text
        fake = officer.post(
            page, data=form, files={"result": ("ketqua.pdf", b"hello", "application/pdf")}
        )
        assert fake.status_code == 409 and "không đúng định dạng PDF" in fake.text
        assert routed.the_entry().status == "assigned"
        done = officer.post(
            page, data=form, files={"result": (name, signed_pdf, "application/pdf")}
        )
        assert done.status_code == 303, done.text
    assert routed.the_entry().status == "done"
    with routed.signed_in("vanthu") as clerk:
        document = clerk.get(f"/register/{entry.year}/{entry.incoming_number}").text
        assert 'id="ket-qua-giai-quyet"' in document
        listed = clerk.get(f"/register/{entry.year}/{entry.incoming_number}/results").text
        assert "Báo cáo kết quả.pdf" in listed
        link = re.search(r'href="(/register/\d+/\d+/results/\d+)"', listed)
        assert link is not None
        got = clerk.get(link.group(1))
        assert got.status_code == 200 and got.content == signed_pdf
        assert got.headers["content-type"] == "application/pdf"
    with read_session(routed.components.engine) as session:
        printed = slip.collect(session, entry.year, entry.incoming_number, ZONE)
    assert any(line.endswith(")") and "Báo cáo kết quả.pdf" in line for line in printed.results)
    text = PdfReader(BytesIO(slip.render(printed))).pages[0].extract_text()
    assert "Tệp kết quả giải quyết:" in text and "Báo cáo kết quả.pdf" in " ".join(text.split())
