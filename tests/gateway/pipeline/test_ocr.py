"""OCR of scanned documents (no text layer) with Tesseract's Vietnamese data.

Scans are made from the corpus (tests/support/corpus.py: render, then each page as an
image in an image-only PDF) so the ground truth is known. tesseract-ocr and
tesseract-ocr-vie are installed by scripts/test.
"""

from __future__ import annotations

import smtplib
import time
from datetime import date
from pathlib import Path

import pytest

from gateway.pipeline.documents.ocr import OcrReader, OcrStatus, ocr_reader
from gateway.pipeline.documents.reading import TextSource, read_document
from mailparse.documents.document import DocumentFacts
from mailparse.documents.facts import facts_from_text
from mailparse.documents.pdftext import read_pdf
from mailparse.edxml.envelope import EdxmlDocument, read_edxml
from tests.mailparse.test_corpus import field_misses
from tests.support.corpus import make_corpus, render, scan
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

EDXML = Path(__file__).resolve().parents[2] / "data" / "edxml" / "new_54_ubnd_vp.edxml"
AGENCY = "vanthu@vp.rachgia.example.gov.vn"

pytestmark = pytest.mark.slow


def test_scans_have_no_text_layer() -> None:
    doc = make_corpus()[0]
    assert read_pdf(render(doc)).text.strip()
    assert not read_pdf(scan(render(doc))).text.strip()


def test_ocr_reads_every_field_of_scanned_documents(reader: OcrReader) -> None:
    """GIVEN six scanned documents of the corpus (several types, row- and column-ordered
    heads, stamps, two pages, two-line bodies)
    WHEN read with OCR and the text-layer field extraction
    THEN every field is right for at least 95 % of them (misses printed)."""
    docs = [make_corpus()[i] for i in (0, 1, 3, 5, 12, 20)]
    misses: list[str] = []
    for doc in docs:
        result = reader.read(scan(render(doc)))
        assert result.status is OcrStatus.READ, (doc.name, result.confidence)
        facts = facts_from_text(result.text, doc.truth.pages)
        found = field_misses(doc, facts)
        misses += [f"{doc.name} {field}: {w!r} → {g!r}" for field, (w, g) in found.items()]
    print(*misses, sep="\n")
    fields = len(docs) * len(docs[0].truth_dict())
    assert len(misses) <= 0.05 * fields, misses


def test_without_ocr_a_scan_gets_the_fields_of_the_edxml_and_needs_review() -> None:
    """GIVEN a scan without text layer, an edXML envelope, and no OCR available
    WHEN the document is read
    THEN its fields come from the edXML (then the subject), and the reading is unsure
    (the entry is marked needs_review)."""
    envelope = read_edxml(EDXML.read_bytes())
    assert isinstance(envelope, EdxmlDocument)
    data = scan(official_document_pdf(number="54", symbol="UBND-VP"), dpi=50)
    reading = read_document(
        data,
        max_pages=5,
        ocr=None,
        subject=DocumentFacts(summary="khác"),
        edxml=envelope,
        signatures=None,
        log_id="t",
    )
    assert reading.source is TextSource.NONE and reading.unsure
    assert reading.facts.document_number == "54/UBND-VP"
    assert reading.facts.issued_on == date(2020, 2, 18)
    assert reading.facts.document_type == "Công văn"
    assert reading.facts.pages == 1  # counted from the PDF itself, not the envelope's 2


def test_ocr_over_its_time_limit_fails_as_a_value(reader: OcrReader) -> None:
    slow = OcrReader(reader.tesseract, time_limit=0.0)
    assert slow.read(scan(official_document_pdf(), dpi=50)).status is OcrStatus.FAILED
    assert OcrReader(reader.tesseract).read(b"%PDF-1.7 not really").status is OcrStatus.FAILED


def test_ocr_needs_the_language_data() -> None:
    assert ocr_reader(language="no-such-language") is None


def test_a_scanned_signed_document_is_registered_with_fields_from_ocr(
    reader: OcrReader, gateway: GatewayProcess, pki: TestPki
) -> None:
    """GIVEN a running gateway (tesseract installed)
    WHEN an agency mails a signed scan of Kế hoạch 7/KH-UBND with a subject that names
    nothing of it
    THEN the register holds number, date, type and summary read by OCR, and the entry is
    not flagged for review (OCR was confident)."""
    pdf = official_document_pdf(
        number="7",
        symbol="KH-UBND",
        issued_on=date(2026, 11, 20),
        title="KẾ HOẠCH",
        summary="Triển khai gửi, nhận văn bản điện tử năm 2027",
    )
    signed = sign_as_person_then_agency(scan(pdf), pki)
    raw = official_mail(
        sender=AGENCY,
        subject="Gửi văn bản",
        message_id="<scan7@vp>",
        attachments=[("scan.pdf", signed, "application/pdf")],
    )
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(AGENCY, ["vanthu@example.gov.vn"], raw)
    deadline = time.monotonic() + 120
    while not [m for m in gateway.outbox() if m["To"] == AGENCY]:
        assert time.monotonic() < deadline, gateway.log_text()
        time.sleep(0.2)
    [entry] = gateway.cli_json("register", "list")
    assert entry["document_number"] == "7/KH-UBND"
    assert entry["issued_on"] == "2026-11-20"
    assert entry["document_type"] == "Kế hoạch"
    assert entry["summary"] == "Triển khai gửi, nhận văn bản điện tử năm 2027"
    assert entry["needs_review"] is False


def test_without_ocr_a_scanned_document_is_registered_from_edxml_for_review(
    tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a gateway with OCR switched off ([limits] ocr_seconds = 0)
    WHEN an agency mails a signed scan (no text layer) with the edXML of 54/UBND-VP
    THEN it is registered with number, date, type and summary from the edXML, and marked
    needs_review (a clerk must check what the scan itself says)."""
    gateway = GatewayProcess(
        tmp_path / "deploy", pki.root_pem(), env={"GATEWAY_LIMITS__OCR_SECONDS": "0"}
    ).start()
    try:
        scanned = scan(official_document_pdf(number="54", symbol="UBND-VP", pages=2), dpi=72)
        raw = official_mail(
            sender=AGENCY,
            subject="Gửi văn bản",
            message_id="<scan54@vp>",
            attachments=[
                ("scan.pdf", sign_as_person_then_agency(scanned, pki), "application/pdf"),
                ("54.edxml", EDXML.read_bytes(), "application/xml"),
            ],
        )
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            client.sendmail(AGENCY, ["vanthu@example.gov.vn"], raw)
        deadline = time.monotonic() + 60
        while not [m for m in gateway.outbox() if m["To"] == AGENCY]:
            assert time.monotonic() < deadline, gateway.log_text()
            time.sleep(0.2)
        [entry] = gateway.cli_json("register", "list")
        incoming = f"{entry['year']}/{entry['incoming_number']}"
        details = gateway.cli_json("register", "document", incoming)
    finally:
        gateway.stop()
    assert entry["document_number"] == "54/UBND-VP"
    assert entry["issued_on"] == "2020-02-18"
    assert entry["document_type"] == "Công văn"
    assert entry["summary"] == "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    assert entry["needs_review"] is True
    assert details["text_source"] == "none"
