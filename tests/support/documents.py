"""Many distinct official documents, cheaply, for tests that send many messages.

Since duplicates are detected as the law defines them (NĐ 30 Phụ lục VI: same issuing
body, number/symbol and issue date), a test that wants N register entries must send N
different documents, not one document N times. Rendering with the DejaVu font and signing
cost ~0.2 s and ~0.7 s a document here; :func:`numbered_document_pdf` costs ~1 ms (a core
PDF font, so the text is written without diacritics — the parser folds them anyway).
"""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

ISSUED_ON = date(2026, 11, 20)


def numbered_document_pdf(number: int, symbol: str = "UBND-VP") -> bytes:
    """An unsigned công văn ``number/symbol`` of UBND thành phố Rạch Giá (ASCII text)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    lines = (
        "UY BAN NHAN DAN",
        "THANH PHO RACH GIA",
        f"So: {number}/{symbol}",
        f"Rach Gia, ngay {ISSUED_ON.day} thang {ISSUED_ON.month} nam {ISSUED_ON.year}",
        f"V/v van ban thu nghiem so {number}",
        "Kinh gui: Van thu co quan.",
    )
    for row, line in enumerate(lines):
        pdf.text(15, 20 + 7 * row, line)
    return bytes(pdf.output())


def numbered_signed_pdf(number: int, pki: TestPki) -> bytes:
    """A signed công văn ``number/UBND-VP`` (person, then agency), each number its own."""
    return sign_as_person_then_agency(
        official_document_pdf(number=str(number), issued_on=ISSUED_ON), pki
    )
