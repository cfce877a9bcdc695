"""A secrecy stamp drawn as a picture over a text layer (R-SECRET): the layer does not
hold the word "MẬT", the picture in the head of the first page does. The stamp pictures
are drawn here (tests/support/pdfs.py: ``with_stamp_image``) and read by the real
Tesseract."""

from __future__ import annotations

import pytest

from gateway.pipeline.documents.ocr import OcrReader
from gateway.pipeline.documents.reading import TextSource, read_document
from mailparse.documents.document import DocumentFacts, Secrecy
from mailparse.documents.pdftext import read_pdf
from tests.gateway.pipeline.test_regulations_policy import inbound, mails_about, send
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf, with_stamp_image
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

pytestmark = pytest.mark.slow

AGENCY = "vanthu@vp.rachgia.example.gov.vn"


def _read(pdf: bytes, reader: OcrReader) -> DocumentFacts:
    reading = read_document(
        pdf,
        max_pages=5,
        ocr=reader,
        subject=DocumentFacts(),
        edxml=None,
        signatures=None,
        log_id="stamp-test",
    )
    assert reading.source is TextSource.TEXT
    return reading.facts


@pytest.mark.parametrize(
    ("stamp", "framed", "secrecy"),
    [
        ("MẬT", True, Secrecy.MAT),
        ("TỐI MẬT", True, Secrecy.TOI_MAT),
        ("TUYỆT MẬT", False, Secrecy.TUYET_MAT),
    ],
)
def test_r_secret_a_stamp_drawn_as_an_image_under_the_number_is_read(
    reader: OcrReader, stamp: str, framed: bool, secrecy: Secrecy
) -> None:
    """GIVEN a công văn with a normal text layer and a secrecy stamp laid on it as a
    picture under the number (framed or not)
    WHEN it is read
    THEN the text layer alone says nothing of secrecy, and the reading finds the stamp."""
    pdf = with_stamp_image(official_document_pdf(), stamp, framed=framed)
    assert "MẬT" not in read_pdf(pdf, max_pages=5).text
    facts = _read(pdf, reader)
    assert facts.secrecy is secrecy
    assert (facts.number, facts.symbol) == ("54", "UBND-VP")


def test_a_picture_in_the_head_that_is_no_secrecy_stamp_changes_nothing(
    reader: OcrReader,
) -> None:
    """GIVEN pictures in the head of a document that say "KHẨN" and "MẶT TRẬN" (the
    front: one diacritic from "MẬT")
    WHEN it is read
    THEN it is not secret."""
    pdf = with_stamp_image(official_document_pdf(), "KHẨN")
    pdf = with_stamp_image(pdf, "MẶT TRẬN", y_mm=8.0)
    assert _read(pdf, reader).secrecy is None


def test_r_secret_a_stamp_drawn_as_an_image_is_refused_over_smtp(
    reader: OcrReader, gateway: GatewayProcess, pki: TestPki
) -> None:
    """GIVEN a running gateway
    WHEN an agency mails a signed document whose only secrecy mark is a picture
    THEN it is refused `secret-document` and nothing is registered."""
    message_id = "<mat-anh-31@vp.rachgia.example.gov.vn>"
    pdf = with_stamp_image(official_document_pdf(number="31", symbol="PA-UBND"), "MẬT")
    raw = official_mail(
        sender=AGENCY,
        subject="Phương án 31",
        message_id=message_id,
        attachments=[("pa31.pdf", sign_as_person_then_agency(pdf, pki), "application/pdf")],
    )
    send(gateway, raw)
    [rejection] = mails_about(gateway, message_id, timeout=60)
    assert rejection["X-Reject-Reasons"] == "secret-document"
    assert inbound(gateway, message_id)["entries"] == []
    assert gateway.cli_json("register", "list") == []
