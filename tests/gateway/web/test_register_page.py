"""The register page itself (DESIGN §4.6): its title, the choice of columns, the print forms
and the tracking book (sổ theo dõi giải quyết văn bản đến) as a PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from gateway.reports.tracking_print import COLUMNS as TRACKING_COLUMNS
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, make_console
from tests.support.documents import numbered_document_pdf
from tests.support.messages import official_mail
from tests.support.pki import TestPki


@pytest.fixture
def register(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Document 7/UBND-VP registered (number 1) and routed to VP by the default rule."""
    console = make_console(tmp_path / "d", pki, database_url)
    pdf = numbered_document_pdf(7)
    console.receive(official_mail(sender=AGENCY, attachments=[("7.pdf", pdf, "application/pdf")]))
    yield console
    console.close()


def headings(page: str) -> list[str]:
    return re.findall(r'<th scope="col">([^<]+)</th>', page)


def cell_labels(page: str) -> list[str]:
    return re.findall(r'<td data-label="([^"]+)"', page)


def test_title_is_plain_text_and_the_print_form_appears_once(
    register: InProcessConsole,
) -> None:
    """GIVEN a clerk and an officer WHEN each opens /register THEN the <title> is plain
    text; the clerk's page has the print form once (with the tracking book button), the
    officer's none."""
    with register.signed_in("vanthu") as clerk:
        page = clerk.get("/register").text
    with register.signed_in("chuyenvien") as officer:
        officer_page = officer.get("/register").text
    title = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert title is not None
    assert title.group(1) == "Sổ văn bản đến — Cổng tiếp nhận văn bản"
    assert page.count('action="/register/print"') == 1
    assert page.count('formaction="/register/track"') == 1
    assert "In sổ theo dõi giải quyết văn bản đến (PDF)" in page
    assert 'action="/register/print"' not in officer_page
    assert "/register/track" not in officer_page


def test_default_columns_are_those_the_register_always_showed(
    register: InProcessConsole,
) -> None:
    """GIVEN no column chosen WHEN the register is opened THEN the seven usual columns,
    type and summary in one cell, each cell labelled for the phone layout."""
    with register.signed_in("vanthu") as client:
        page = client.get("/register").text
    usual = ["Số đến", "Ngày đến", "Nơi gửi", "Số, ký hiệu", "Loại và trích yếu"]
    assert headings(page) == [*usual, "Độ khẩn", "Tình trạng"]
    assert cell_labels(page) == headings(page)
    assert "<strong>Công văn</strong>: " in page


def test_chosen_columns_only_in_their_order_unknown_keys_ignored(
    register: InProcessConsole,
) -> None:
    """GIVEN the routed document WHEN the register is asked for columns units, number,
    issued_on and an unknown key THEN exactly Số đến, Ngày văn bản, Đơn vị xử lý (the
    canonical order) are shown, with their data-labels, the unit's name and the issue date;
    the chooser ticks those three; links to other pages keep the choice."""
    params = [("col", "units"), ("col", "number"), ("col", "issued_on"), ("col", "nonsense")]
    with register.signed_in("vanthu") as client:
        page = client.get("/register", params=params).text
        alone = client.get("/register", params={"col": "type"}).text
    assert headings(page) == ["Số đến", "Ngày văn bản", "Đơn vị xử lý"]
    assert cell_labels(page) == headings(page)
    assert '<td data-label="Đơn vị xử lý">Văn phòng HĐND và UBND thành phố</td>' in page
    assert '<td data-label="Ngày văn bản">20/11/2026</td>' in page
    chooser = page.split("Cột hiển thị", 1)[1].split("</fieldset>", 1)[0]
    ticked = re.findall(r'name="col" value="([a-z_]+)" checked', chooser)
    assert ticked == ["number", "issued_on", "units"]
    assert 'name="query" value="col=number&amp;col=issued_on&amp;col=units"' in page
    assert headings(alone) == ["Loại văn bản"]
    assert '<td data-label="Loại văn bản">Công văn</td>' in alone


def test_tracking_book_pdf_has_its_seven_columns_and_the_document(
    register: InProcessConsole,
) -> None:
    """GIVEN the registered, routed document WHEN a clerk asks /register/track for this
    year, and an officer asks the same THEN the clerk gets a PDF whose text has the seven
    columns of the sổ theo dõi and the document's number/symbol and unit; the print is
    audited; the officer gets 403; a period outside the year is a 400."""
    year = str(date.today().year)
    with register.signed_in("vanthu") as clerk:
        response = clerk.get("/register/track", params={"year": year})
        wrong = clerk.get("/register/track", params={"year": year, "from": "2001-01-01"})
    with register.signed_in("chuyenvien") as officer:
        refused = officer.get("/register/track", params={"year": year})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="so-theo-doi-{year}.pdf"' in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(TRACKING_COLUMNS) == 7
    assert all(heading in text for heading in TRACKING_COLUMNS), text
    assert "7/UBND-VP" in text
    assert "Văn phòng HĐND và UBND thành phố (chủ trì)" in text
    assert [(e.actor, e.details["year"]) for e in register.audit("register.track")] == [
        ("vanthu", int(year))
    ]
    assert refused.status_code == 403
    assert wrong.status_code == 400


def test_live_refresh_pushes_a_clean_address(register: InProcessConsole) -> None:
    """GIVEN htmx asking for the register (``HX-Request``) with every form field sent, most
    of them empty, and all default columns ticked
    WHEN the page answers THEN it tells htmx which address to show: only what filters, and
    the bare /register when nothing does; a plain request gets no such header."""
    every_field = (
        "q=chan+chinh&year=&status=&type=&urgency=&unit=&sender="
        "&col=number&col=received&col=sender&col=document_number&col=type&col=summary"
        "&col=urgency&col=status"
    )
    with register.signed_in("vanthu") as client:
        live = client.get(f"/register?{every_field}", headers={"HX-Request": "true"})
        nothing = client.get("/register?q=&year=", headers={"HX-Request": "true"})
        plain = client.get(f"/register?{every_field}")
    assert live.headers["HX-Push-Url"] == "/register?q=chan+chinh"
    assert nothing.headers["HX-Push-Url"] == "/register"
    assert "HX-Push-Url" not in plain.headers
