"""PDF text layer → facts, through real PDFs made by tests/support/pdfs.py."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from mailparse.documents.document import Secrecy, Urgency
from mailparse.documents.facts import analyse_pdf
from mailparse.documents.pdftext import read_pdf
from mailparse.errors import UnreadableDocumentError
from tests.support.pdfs import official_document_pdf, plain_pdf


def test_vietnamese_text_layer_reads_back_as_nfc() -> None:
    """GIVEN a PDF whose text layer is Vietnamese
    WHEN pypdf reads it
    THEN the text comes back NFC and letter for letter."""
    sentence = "Độc lập - Tự do - Hạnh phúc; Thượng khẩn; Nguyễn Thị Hường; ỦY BAN"
    pdf = read_pdf(plain_pdf(sentence))
    assert pdf.pages == 1
    assert sentence in pdf.text
    assert unicodedata.is_normalized("NFC", pdf.text)


def test_official_document_round_trip() -> None:
    """GIVEN a công văn laid out like CV54
    WHEN it is analysed
    THEN every field of its head and its signer are found."""
    facts = analyse_pdf(official_document_pdf())
    assert facts.document_number == "54/UBND-VP"
    assert facts.place == "Rạch Giá"
    assert facts.issued_on == date(2026, 11, 20)
    assert facts.document_type == "Công văn"
    assert facts.summary == (
        "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử trong các cơ quan nhà nước "
        "trên địa bàn thành phố"
    )
    assert facts.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ"
    assert facts.signer_name == "Bùi Trung Thực"
    assert facts.urgency is None
    assert facts.secrecy is None
    assert facts.pages == 1


def test_titled_urgent_secret_multi_page_document() -> None:
    """GIVEN a three-page KẾ HOẠCH with urgency and secrecy stamps
    WHEN it is analysed
    THEN type, summary, stamps and the page count are reported."""
    pdf = official_document_pdf(
        issuer_parent=None,
        number="7",
        symbol="KH-UBND",
        title="KẾ HOẠCH",
        summary="Triển khai gửi, nhận văn bản điện tử năm 2027",
        urgency_stamp="HỎA TỐC",
        secrecy_stamp="TỐI MẬT",
        signer_position="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name="Nguyễn Văn A",
        pages=3,
    )
    facts = analyse_pdf(pdf)
    assert facts.document_number == "7/KH-UBND"
    assert facts.document_type == "Kế hoạch"
    assert facts.summary == "Triển khai gửi, nhận văn bản điện tử năm 2027"
    assert facts.urgency is Urgency.HOA_TOC
    assert facts.secrecy is Secrecy.TOI_MAT
    assert facts.signer_name == "Nguyễn Văn A"
    assert facts.pages == 3


def test_pdfs_are_deterministic() -> None:
    assert official_document_pdf() == official_document_pdf()
    assert plain_pdf("Việt Nam") == plain_pdf("Việt Nam")


def test_only_the_first_pages_are_read() -> None:
    pdf = read_pdf(plain_pdf("Trang", pages=4), max_pages=2)
    assert pdf.pages == 4
    assert len(pdf.page_texts) == 2


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.7\n%garbage\x00\xff" * 20,
        official_document_pdf()[:600],
    ],
)
def test_garbage_is_unreadable(data: bytes) -> None:
    """GIVEN bytes that are not a readable PDF
    WHEN they are read
    THEN UnreadableDocumentError is raised (reason unreadable-document)."""
    with pytest.raises(UnreadableDocumentError):
        read_pdf(data)


def test_encrypted_pdf_is_unreadable() -> None:
    """GIVEN a PDF encrypted with a user password
    WHEN it is read
    THEN UnreadableDocumentError is raised."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf("Mật khẩu"))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableDocumentError):
        read_pdf(buffer.getvalue())


PDF = official_document_pdf()
SPLICES = (b"obj", b"endobj", b"<<", b">>", b"/Length 9999", b"\xff", b"0 R", b"stream", b"-1")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_pdfs_are_read_or_unreadable(data: st.DataObject) -> None:
    """GIVEN a real PDF with a few bytes cut out or spliced in
    WHEN it is analysed
    THEN facts come back or UnreadableDocumentError is raised, and pypdf logs nothing."""
    raw = bytearray(PDF)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            del raw[pos : pos + data.draw(st.integers(1, 200))]
        else:
            raw[pos:pos] = data.draw(st.sampled_from(SPLICES))
    with _no_pypdf_logs(), suppress(UnreadableDocumentError):
        analyse_pdf(bytes(raw))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _no_pypdf_logs() -> Iterator[None]:
    handler = _Collect()
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert [r.levelname for r in handler.records] == []
