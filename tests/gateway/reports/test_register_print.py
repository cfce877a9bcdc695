"""The printed sổ đăng ký văn bản đến (NĐ 30/2020 Phụ lục IV, Điều 22.3.b), checked by
extracting the text of the PDF that ``gateway register print`` writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from gateway.reports.register_print import COLUMNS
from tests.support.gateway_process import run_cli
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DOCUMENTS = 14
pytestmark = pytest.mark.slow


def _summary(number: int) -> str:
    return (
        f"đề nghị báo cáo tình hình thực hiện nhiệm vụ đợt {number} về chuyển đổi số,"
        " cải cách hành chính và tăng cường kỷ luật, kỷ cương hành chính trong cơ quan"
    )


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def printed(tmp_path: Path, database_url: str) -> tuple[list[str], Path, int]:
    """A deployment (on SQLite or PostgreSQL) with DOCUMENTS unsigned công văn registered
    for reference, volume 2 configured for this year; returns the printed pages' text."""
    deploy = tmp_path / "d"
    assert run_cli("init", str(deploy), cwd=tmp_path).returncode == 0
    year = datetime.now(ZONE).year
    config = deploy / "gateway.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[web]\n", f"[web]\nregister_volumes = {{ {year} = 2 }}\n", 1)
    config.write_text(text, encoding="utf-8")
    env = {"GATEWAY_GATEWAY__DATABASE_URL": database_url, "GATEWAY_WEB__LISTEN": ""}
    files = []
    for number in range(1, DOCUMENTS + 1):
        pdf = official_document_pdf(number=str(100 + number), summary=_summary(number))
        path = tmp_path / f"{number}.eml"
        path.write_bytes(
            official_mail(
                sender=AGENCY,
                message_id=f"<cv{number}@vp.rachgia.example.gov.vn>",
                attachments=[(f"{number}.pdf", pdf, "application/pdf")],
            )
        )
        files.append(str(path))
    ingested = run_cli("ingest", *files, "-c", str(config), cwd=tmp_path, env=env)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    output = tmp_path / "so-den.pdf"
    result = run_cli(
        "register", "print", "--year", str(year), "--output", str(output), "-c", str(config),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"({DOCUMENTS} văn bản)" in result.stdout
    reader = PdfReader(output)
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height  # A4 landscape
        assert round(float(page.mediabox.width)) == 842
    return [_words(page.extract_text()) for page in reader.pages], config, year


@pytest.mark.postgres
def test_printed_register_has_cover_ten_columns_on_every_page_and_every_entry(
    printed: tuple[list[str], Path, int], tmp_path: Path, database_url: str
) -> None:
    """GIVEN 14 registered documents with long trích yếu and quyển số 2 set for this year
    WHEN the register is printed THEN the cover says SỔ ĐĂNG KÝ VĂN BẢN ĐẾN, the year, the
    period, từ số 1 đến số 14 and quyển số 2; every following page repeats the 10 column
    headings and says "Trang x/y"; every entry's number, symbol and full trích yếu
    (diacritics intact) appear; the last page closes the book (pages, documents, room for
    the signatures); printed for a period before today, it holds no entry."""
    pages, config, year = printed
    cover, table_pages, closing = pages[0], pages[1:-1], pages[-1]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in cover
    assert f"Năm: {year}" in cover
    assert f"Từ ngày 01/01/{year} đến ngày" in cover
    assert f"Từ số 1 đến số {DOCUMENTS}" in cover
    assert "Quyển số: 2" in cover
    assert len(table_pages) >= 2  # long enough to test the repeated heading
    for page in table_pages:
        positions = [page.find(title) for title in COLUMNS]
        assert -1 not in positions, page[:400]
        assert positions == sorted(positions)  # left to right, in the decree's order
    assert len(COLUMNS) == 10
    for number, page in enumerate(table_pages, start=2):  # a page taken out would show
        assert f"Trang {number}/{len(pages)}" in page
    assert "XÁC NHẬN KHÓA SỔ" in closing
    assert f"Quyển số 2 năm {year} gồm {len(pages)} trang" in closing
    assert f"ghi {DOCUMENTS} văn bản, từ số 1 đến số {DOCUMENTS}" in closing
    assert "NGƯỜI LẬP SỔ" in closing and "THỦ TRƯỞNG CƠ QUAN, TỔ CHỨC" in closing
    body = " ".join(table_pages)
    for number in range(1, DOCUMENTS + 1):
        assert f"{100 + number}/UBND-VP" in body
        assert _summary(number) in body
        assert "Không ký số (tham khảo)" in body
    _assert_empty_period_prints_no_entry(config, year, tmp_path, database_url)


def _assert_empty_period_prints_no_entry(
    config: Path, year: int, tmp_path: Path, database_url: str
) -> None:
    """A period that ended before today: the cover says there is no document, the table
    holds only the headings."""
    yesterday = datetime.now(ZONE).date() - timedelta(days=1)
    if yesterday.year != year:
        return  # on 1 January there is no earlier day of this year
    output = tmp_path / "empty.pdf"
    result = run_cli(
        "register", "print", "--year", str(year), "--from", f"{year}-01-01",
        "--to", yesterday.isoformat(), "--output", str(output), "-c", str(config),
        cwd=tmp_path,
        env={"GATEWAY_GATEWAY__DATABASE_URL": database_url, "GATEWAY_WEB__LISTEN": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pages = [_words(page.extract_text()) for page in PdfReader(output).pages]
    assert "Không có văn bản đến" in pages[0]
    assert "UBND-VP" not in " ".join(pages)


def test_a_register_page_holds_more_than_eight_documents_with_dates_on_one_line() -> None:
    """GIVEN 40 entries with long issuers, summaries, recipients and notes (as a city
    registers them) WHEN printed THEN each table page holds more than 8 of them and every
    date stays on one line (a too-narrow date column wrapped "07/12/202|6" and left 8 rows
    a page); the cover names the agency and its parent (NĐ 30 Phụ lục IV)."""
    import io
    from datetime import date

    from gateway.reports.register_print import PrintedRegister, PrintedRow, _note, render
    from registry.models import RegisterEntry

    entry = RegisterEntry(
        inbound_id=1,
        year=2026,
        incoming_number=1,
        received_at=datetime(2026, 12, 7, 8, 0, tzinfo=ZONE),
        sha256="0" * 64,
        document_sha256="0" * 64,
        urgency="thuong_khan",
        reference_only=True,
    )
    rows = tuple(
        PrintedRow(
            (
                "07/12/2026",
                str(n),
                "Sở Tài nguyên và Môi trường tỉnh Kiên Giang",
                f"{100 + n}/STNMT-VP",
                "05/12/2026",
                "Công văn - " + _summary(n),
                "Phòng Tài nguyên và Môi trường; Văn phòng HĐND và UBND",
                "07/12/2026",
                "",
                _note(entry),  # the notes column as the register writes it
            ),
            n,
        )
        for n in range(1, 41)
    )
    register = PrintedRegister(
        2026, 1, date(2026, 1, 1), date(2026, 12, 7), rows, "UBND thành phố", "UBND tỉnh"
    )
    reader = PdfReader(io.BytesIO(render(register)))
    table_pages = reader.pages[1:-1]
    assert len(rows) / len(table_pages) > 8
    for page in table_pages:
        text = page.extract_text()
        assert "(1)" in text and "(10)" in text  # the numbered heading on every page
        assert text.count("07/12/2026") >= 2 * 8, text
    cover = reader.pages[0].extract_text()
    assert "UBND TỈNH" in cover and "UBND THÀNH PHỐ" in cover
