"""An unknown sender held for review, decided on /held (DESIGN §4.9): the clerk accepts and
adds the sender to the directory in one step; the sender's next document goes straight
through."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.agencies.store import DirectoryAgency
from registry.database import read_session
from registry.models import InboundMessage, Outcome, RegisterEntry
from tests.gateway.web.inprocess import InProcessConsole, csrf, make_console
from tests.support.documents import numbered_signed_pdf
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

DEPARTMENT = "vanthu@snv.kiengiang.gov.vn"


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    console = make_console(tmp_path / "d", pki, database_url)  # default policy: review
    yield console
    console.close()


def from_department(number: int, pki: TestPki) -> bytes:
    pdf = numbered_signed_pdf(number, pki)
    return official_mail(
        sender=DEPARTMENT,
        message_id=f"<cv{number}@snv.kiengiang.gov.vn>",
        attachments=[("cv.pdf", pdf, "application/pdf")],
    )


def test_clerk_accepts_and_adds_the_sender_in_one_step(
    console: InProcessConsole, pki: TestPki
) -> None:
    """GIVEN a Sở outside the directory, under gov.vn, whose document was held unknown-sender
    WHEN a clerk fills code and name in the held item's form and accepts
    THEN the document is registered under that agency and receipted, the directory holds
    the sender (with who added it), the audit names the clerk; the Sở's next document is
    registered at once; an accept form without a name is refused (400)."""
    console.receive(from_department(1, pki), mail_from=DEPARTMENT)
    with read_session(console.components.engine) as session:
        [held] = session.scalars(select(InboundMessage)).all()
    assert (held.outcome, held.reasons) == (Outcome.HELD, ["unknown-sender"])
    with console.signed_in("vanthu") as client:
        page = client.get("/held")
        assert "Chấp nhận, vào sổ và thêm vào danh bạ" in page.text
        form = {"csrf_token": csrf(page.text), "code": "000.00.31.H33"}
        assert client.post(f"/held/{held.id}/accept", data=form).status_code == 400
        form["name"] = "Sở Nội vụ tỉnh Kiên Giang"
        done = client.post(f"/held/{held.id}/accept", data=form)
        assert done.status_code == 303
        assert "thêm nơi gửi vào danh bạ" in client.get(done.headers["location"]).text
    console.work()
    entry = console.the_entry()
    assert entry.sender_agency_code == "000.00.31.H33"
    [receipt] = console.outbox("receipt")
    assert message_from_bytes(receipt.raw)["X-Document-Status"] == "03"
    with read_session(console.components.engine) as session:
        row = session.get(DirectoryAgency, "000.00.31.H33")
    assert row is not None and (row.addresses, row.updated_by) == ([DEPARTMENT], "vanthu")
    [added] = console.audit("directory.")
    assert (added.action, added.actor) == ("directory.add", "vanthu")

    console.receive(from_department(2, pki), mail_from=DEPARTMENT)
    with read_session(console.components.engine) as session:
        entries = session.scalars(select(RegisterEntry)).all()
        outcomes = [m.outcome for m in session.scalars(select(InboundMessage))]
    assert len(entries) == 2 and Outcome.HELD not in outcomes
