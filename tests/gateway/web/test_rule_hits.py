"""Why a document went where it went, in Vietnamese: the routing trace of a real routed
document on its page and in a dry run on ``/rules``, and the hit counts ``/rules`` reads
from ``rule_hit``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import col

from gateway.routing.in_force import rules_path
from registry.database import write_session
from registry.reports.rule_hits import RuleHit
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

DEFAULT_RULE = "Mặc định: Văn phòng tiếp nhận và trình lãnh đạo"
BUDGET_RULE = "Ngân sách, tài chính"
URGENT_RULE = "Hỏa tốc, thượng khẩn: Văn phòng xử lý ngay"
DEFAULT_WHY = "quy tắc mặc định: không quy tắc nào trước đó quyết định"
BUDGET_WHY = (
    "không có “ngân sách”, “tài chính”, “dự toán”, “quyết toán” trong trích yếu hoặc tiêu đề thư"
)
URGENT_WHY = "độ khẩn là Thường, không thuộc: Hỏa tốc, Hỏa tốc hẹn giờ, Thượng khẩn"
ENGLISH = ("default rule", "not one of", "none of", "contains", "disabled", "office hours")


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One công văn ("chấn chỉnh …") received and routed by the shipped rules (the default
    rule takes it: no other rule's words are in it)."""
    console = make_console(tmp_path / "d", pki, database_url)
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    yield console
    console.close()


def routing_rows(page: str) -> dict[str, tuple[str, str]]:
    """The "Chuyển xử lý" trace table of a document page: rule → (result, reason)."""
    section = page.split("<h3>Chuyển xử lý</h3>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", section)
    return {html.unescape(r): (html.unescape(m), html.unescape(w)) for r, m, w in rows}


def test_document_page_says_in_vietnamese_why_the_document_went_where_it_went(
    console: InProcessConsole,
) -> None:
    """GIVEN a công văn routed by the shipped rules WHEN a clerk opens its page THEN the
    routing trace gives, for each rule looked at, the Vietnamese reason: the urgency and the
    budget words it lacks, and the default rule that decided; no English reason remains."""
    entry = console.the_entry()
    with console.signed_in("vanthu") as client:
        page = client.get(f"/register/{entry.year}/{entry.incoming_number}")
    assert page.status_code == 200
    rows = routing_rows(page.text)
    assert rows[URGENT_RULE] == ("không khớp", URGENT_WHY)
    assert rows[BUDGET_RULE] == ("không khớp", BUDGET_WHY)
    assert rows[DEFAULT_RULE] == ("khớp", DEFAULT_WHY)
    reasons = " ".join(why for _, why in rows.values())
    assert not [word for word in ENGLISH if word in reasons]


def test_dry_run_on_rules_page_explains_in_vietnamese(console: InProcessConsole) -> None:
    """GIVEN the registered công văn WHEN an administrator dry-runs the rules in force on it
    THEN the trace shown names each rule with its Vietnamese reason."""
    entry = console.the_entry()
    with console.signed_in("quantri") as client:
        form = {
            "csrf_token": csrf(client.get("/rules").text),
            "rules_text": rules_path(console.components.deployment).read_text(encoding="utf-8"),
            "entry": str(entry.id),
            "action": "dry-run",
        }
        shown = html.unescape(client.post("/rules", data=form).text)
    assert f"✘ không khớp: {BUDGET_RULE} — {BUDGET_WHY}" in shown
    assert f"✔ khớp: {DEFAULT_RULE} — {DEFAULT_WHY}" in shown


def test_rules_page_counts_hits_from_the_rule_hit_table(console: InProcessConsole) -> None:
    """GIVEN the công văn routed by the default rule (its trace says so) WHEN /rules is opened
    with its rule_hit row in place, then without it THEN the default rule counts 1, then 0:
    the page reads the table, not the traces."""
    with console.signed_in("quantri") as client:
        before = client.get("/rules").text
        with write_session(console.components.engine) as session:
            session.execute(delete(RuleHit).where(col(RuleHit.rule_name) == DEFAULT_RULE))
        after = client.get("/rules").text
    assert "<td>1</td>" in default_row(before)
    assert "<td>0</td>" in default_row(after)
    assert any(step["matched"] for step in console.the_entry().routing_trace)


def default_row(page: str) -> str:
    found = re.search(
        r"<tr[^>]*>\s*<td>\d+</td>\s*<td>" + re.escape(DEFAULT_RULE) + r".*?</tr>", page, re.S
    )
    assert found is not None
    return found.group(0)
