"""The acceptance (inbound) trace of a real message, in Vietnamese, where people read it:
``/held`` while a clerk decides, and the document page ("Tiếp nhận") once registered."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.pipeline.worker import Worker
from registry.database import read_session
from registry.models import InboundMessage, Outcome, RegisterEntry
from templates.labels import trace_rule
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

# Each step under its Vietnamese name (templates.labels), never the rule's code.
UNDECIDED = (
    trace_rule("signature"),
    "khớp",
    "kết quả kém nhất trong các chữ ký số: chưa xác định được",
)
KNOWN_SENDER = (trace_rule("unknown-sender"), "không khớp", "nơi gửi có trong danh bạ cơ quan")
RELEASED = (
    trace_rule("released"),
    "khớp",
    "bị tạm giữ (chưa xác định được tính hợp lệ của chữ ký số); vanthu đã chấp nhận",
)


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Revocation 'hard-fail' with no revocation data: a signed document is held."""
    console = make_console(tmp_path / "d", pki, database_url, GATEWAY_TRUST__REVOCATION="hard-fail")
    yield console
    console.close()


def held_rows(page: str) -> list[tuple[str, str, str]]:
    """The "Các quy tắc đã xét" list of the one held item: (rule, result, reason)."""
    section = page.split('<ol class="trace">', 1)[1].split("</ol>", 1)[0]
    lines = re.findall(r"<li>[✔✘] (.*?): (.*?) — (.*?)</li>", html.unescape(section))
    return [(rule, result, why) for result, rule, why in lines]


def inbound_rows(page: str) -> list[tuple[str, str, str, str]]:
    """The "Tiếp nhận" trace table of a document page: (rule, file, result, reason); the
    file is named under the rule for the steps that looked at one attachment."""
    section = page.split("<h3>Tiếp nhận</h3>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr><td>(.*?)(?:<br><small>tệp (.*?)</small>)?</td><td>(.*?)</td><td>(.*?)</td></tr>",
        section,
    )
    return [tuple(html.unescape(cell) for cell in row) for row in rows]  # type: ignore[misc]


def test_held_and_then_registered_message_trace_reads_in_vietnamese(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a known agency's signed công văn held because its signature could not be
    decided WHEN a clerk reads /held, accepts it, and the document page is opened after
    the worker registers it THEN both traces give every reason in Vietnamese: the
    undecidable signature, the sender found in the directory, and on the document page the
    clerk's release with the reason code that held it."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    console.receive(raw)
    with console.signed_in("vanthu") as client:
        page = client.get("/held")
        held = held_rows(page.text)
        assert {UNDECIDED, KNOWN_SENDER} <= set(held)
        assert [why for _, _, why in held if why.isascii()] == []
        [item] = re.findall(r'action="/held/(\d+)/accept"', page.text)
        accepted = client.post(f"/held/{item}/accept", data={"csrf_token": csrf(page.text)})
        assert accepted.status_code == 303
    components = console.components
    assert Worker(components.spool, components.pipeline, 5).run_once()
    with read_session(components.engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
        entry = session.scalars(select(RegisterEntry)).one()
    assert inbound.outcome == Outcome.ACCEPTED
    with console.signed_in("vanthu") as client:
        document = client.get(f"/register/{entry.year}/{entry.incoming_number}")
    assert document.status_code == 200
    rows = inbound_rows(document.text)
    files = {(rule, result, why): file for rule, file, result, why in rows}
    assert {UNDECIDED, KNOWN_SENDER, RELEASED} <= set(files)
    assert files[UNDECIDED] == files[RELEASED] == "cv.pdf"  # per-file steps name the file
    assert files[KNOWN_SENDER] == ""  # a step about the whole message names none
    assert len(rows) == len(inbound.trace)
    assert [why for _, _, _, why in rows if why.isascii()] == []
