"""Registering a paper document by hand (NĐ 30 Điều 22.2): the same yearly sequence as
electronic documents, the scan kept byte for byte, the clerk in the audit trail. Every
registration goes through the review step (tests.gateway.web.paper_steps)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from registry.database import read_session
from registry.models import RegisterEntry
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console, session_csrf
from tests.gateway.web.paper_steps import register_by_hand
from tests.support.clamd import SIGNATURE_NAME, ClamdProcess, clamd_fixture, pdf_with_eicar
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

pytestmark = pytest.mark.slow

SCAN = official_document_pdf(number="12", summary="giấy mời họp giao ban quý IV")
PAPER = {
    "document_number": "12/GM-STP",
    "issued_on": "18/11/2026",
    "issuer_name": "Sở Tư pháp tỉnh Kiên Giang",
    "document_type": "Giấy mời",
    "summary": "giấy mời họp giao ban quý IV",
    "urgency": "khan",
    "pages": "1",
}


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One electronic document already registered (number 1 of the year)."""
    console = make_console(tmp_path / "d", pki, database_url)
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    yield console
    console.close()


def numbered(console: InProcessConsole) -> list[tuple[int, str | None, str]]:
    with read_session(console.components.engine) as session:
        query = select(RegisterEntry).order_by(col(RegisterEntry.incoming_number))
        return [(e.incoming_number, e.document_number, e.urgency) for e in session.scalars(query)]


def test_paper_document_takes_the_next_number_of_the_shared_sequence_with_its_scan(
    console: InProcessConsole, pki: TestPki
) -> None:
    """GIVEN document 1 registered from mail WHEN a clerk registers a paper document with
    its scan THEN it is number 2, its fields are in the register, the scan downloads byte
    for byte, the audit names the clerk; the next mailed document is number 3."""
    with console.signed_in("vanthu") as client:
        form = client.get("/register/paper")
        assert form.status_code == 200
        done = register_by_hand(
            client,
            {**PAPER, "csrf_token": csrf(form.text)},
            files={"scan": ("giay-moi-12.pdf", SCAN, "application/pdf")},
        )
        assert done.status_code == 303
        page_path = done.headers["location"].partition("?")[0]
        year = date.today().year
        assert page_path == f"/register/{year}/2"
        page = client.get(page_path).text
        link = re.search(r'href="(/register/\d+/2/attachments/\d+)">giay-moi-12.pdf', page)
        assert link is not None, page
        download = client.get(link.group(1))
    assert download.content == SCAN
    assert "Sở Tư pháp tỉnh Kiên Giang" in page and "giấy mời họp giao ban quý IV" in page
    assert "<td>Văn thư</td><td>khớp</td><td>văn bản giấy do vanthu vào sổ</td>" in page
    [event] = console.audit("entry.paper")
    assert (event.actor, event.details["number"]) == ("vanthu", f"{year}/2")
    pdf = official_document_pdf(number="56", summary="báo cáo", issued_on=date(2026, 11, 22))
    console.receive(
        official_mail(
            sender=AGENCY,
            attachments=[("cv56.pdf", sign_as_person_then_agency(pdf, pki), "application/pdf")],
        )
    )
    numbers = numbered(console)
    assert [n for n, _, _ in numbers] == [1, 2, 3]
    assert numbers[1][1:] == ("12/GM-STP", "khan")


def test_the_same_paper_document_is_not_registered_twice(console: InProcessConsole) -> None:
    """GIVEN a paper document registered WHEN the same issuer, number and date are entered
    again THEN 422 naming the existing number, the form keeps what was typed, and no number
    is taken."""
    with console.signed_in("vanthu") as client:
        token = csrf(client.get("/register/paper").text)
        assert register_by_hand(client, {**PAPER, "csrf_token": token}).status_code == 303
        again = register_by_hand(client, {**PAPER, "csrf_token": token})
    assert again.status_code == 422
    assert f"đã vào sổ, số đến 2/{date.today().year}" in again.text
    assert 'value="12/GM-STP"' in again.text
    assert [n for n, _, _ in numbered(console)] == [1, 2]


def test_officers_cannot_register_paper_documents(console: InProcessConsole) -> None:
    """GIVEN an officer WHEN they open or post the paper form THEN 403, nothing registered."""
    with console.signed_in("chuyenvien") as client:
        assert client.get("/register/paper").status_code == 403
        token = session_csrf(client)
        posted = client.post("/register/paper", data={**PAPER, "csrf_token": token})
        assert posted.status_code == 403
    assert [n for n, _, _ in numbered(console)] == [1]


@pytest.fixture
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdProcess]:
    yield from clamd_fixture(tmp_path_factory.mktemp("clamd"))


def test_r_virus_an_infected_scan_is_refused_and_takes_no_number(
    tmp_path: Path, pki: TestPki, database_url: str, clamd: ClamdProcess
) -> None:
    """GIVEN scanning on (a real clamd) WHEN a clerk registers a paper document whose scan
    carries the EICAR test string THEN 422 naming the finding, no number is taken and
    nothing is archived; the same form with a clean scan is registered."""
    console = make_console(tmp_path / "d", pki, database_url, GATEWAY_SCANNER__CLAMD=clamd.address)
    archive = console.components.pipeline.archive
    try:
        with console.signed_in("vanthu") as client:
            token = csrf(client.get("/register/paper").text)
            refused = client.post(  # refused at review, before anything is kept
                "/register/paper",
                data={**PAPER, "csrf_token": token},
                files={"scan": ("giay-moi-12.pdf", pdf_with_eicar(SCAN), "application/pdf")},
            )
            assert refused.status_code == 422
            assert f"Tệp quét có mã độc ({SIGNATURE_NAME}" in refused.text
            assert numbered(console) == []
            with pytest.raises(OSError):  # the infected scan was kept nowhere
                archive.read(hashlib.sha256(pdf_with_eicar(SCAN)).hexdigest())
            clean = register_by_hand(
                client,
                {**PAPER, "csrf_token": token},
                files={"scan": ("giay-moi-12.pdf", SCAN, "application/pdf")},
            )
            assert clean.status_code == 303
        assert [n for n, _, _ in numbered(console)] == [1]
    finally:
        console.close()
