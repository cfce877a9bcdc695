"""R-PAPER, R-EXCL and the fields read from the document, through a real gateway process.

A ``gateway serve`` subprocess on a throwaway deployment, spoken to over SMTP; results read
the way a user reads them: ``gateway register list --json`` and the receipts in the outbox.
"""

from __future__ import annotations

import smtplib
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
SIGNER = "Nguyễn Văn An"  # the person of the test PKI: no conflict with the certificate
EDXML = Path(__file__).resolve().parents[2] / "data" / "edxml" / "new_54_ubnd_vp.edxml"

pytestmark = pytest.mark.slow


def send(gateway: GatewayProcess, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(AGENCY, [GATEWAY], raw)


def answers_to_agency(gateway: GatewayProcess, count: int) -> list[EmailMessage]:
    """The receipts and rejections for the agency (routed copies go to the units)."""
    deadline = time.monotonic() + 60
    while True:
        answers = [m for m in gateway.outbox() if m["To"] == AGENCY]
        if len(answers) >= count or time.monotonic() > deadline:
            return answers
        time.sleep(0.1)


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_r_paper_and_r_excl_through_the_gateway(gateway: GatewayProcess, pki: TestPki) -> None:
    """GIVEN a running gateway
    WHEN an agency mails a signed Quyết định on appointing staff (bổ nhiệm), a signed
    Biên bản (a type outside the CV144 catalogue) and a signed công văn with its edXML
    THEN the decision is registered paper_required (R-PAPER) and its receipt asks for the
    paper copy; the Biên bản is registered paper_required and needs_review (R-EXCL); the
    công văn needs no paper, and its number, type and summary come from its own text."""
    decision = official_document_pdf(
        number="15",
        symbol="QĐ-UBND",
        title="QUYẾT ĐỊNH",
        summary="Về việc bổ nhiệm cán bộ lãnh đạo Phòng Nội vụ",
        signer_position="CHỦ TỊCH",
        signer_name=SIGNER,
    )
    minutes = official_document_pdf(
        number="3", symbol="BB-UBND", title="BIÊN BẢN", summary="Họp Hội đồng thi đua"
    )
    # the công văn the edXML sample describes: 54/UBND-VP of 18/02/2020, two pages
    letter = official_document_pdf(
        number="54", symbol="UBND-VP", issued_on=date(2020, 2, 18), pages=2, signer_name=SIGNER
    )
    mails = [
        # the sender mistyped the number in the subject: the document's own number stands
        ("qd15.pdf", decision, "<qd15@vp>", "Quyết định số 16/QĐ-UBND", None),
        ("bb3.pdf", minutes, "<bb3@vp>", "Biên bản họp", None),
        ("cv54.pdf", letter, "<cv54@vp>", "Công văn số 54/UBND-VP", EDXML.read_bytes()),
    ]
    for filename, pdf, message_id, subject, edxml in mails:
        attachments = [(filename, sign_as_person_then_agency(pdf, pki), "application/pdf")]
        if edxml is not None:
            attachments.append(("54.edxml", edxml, "application/xml"))
        send(
            gateway,
            official_mail(
                sender=AGENCY, subject=subject, message_id=message_id, attachments=attachments
            ),
        )
    answers = answers_to_agency(gateway, 3)
    assert len(answers) == 3, gateway.log_text()

    entries = {e["document_number"]: e for e in gateway.cli_json("register", "list")}
    qd, bb, cv = entries["15/QĐ-UBND"], entries["3/BB-UBND"], entries["54/UBND-VP"]
    assert (qd["document_type"], qd["paper_required"], qd["needs_review"]) == (
        "Quyết định",
        True,
        False,
    )
    assert (bb["document_type"], bb["paper_required"], bb["needs_review"]) == (
        "Biên bản",
        True,
        True,
    )
    assert (cv["document_type"], cv["paper_required"]) == ("Công văn", False)
    assert cv["summary"].startswith("chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử")
    assert (cv["issued_on"], cv["pages"]) == ("2020-02-18", 2)
    assert cv["urgency"] == "khan"  # the document has no stamp: edXML Priority 1 fills it

    receipts = {str(m["In-Reply-To"]): text_of(m) for m in answers}
    paper_line = "cần gửi kèm bản giấy"
    assert paper_line in receipts["<qd15@vp>"]
    assert "bản giấy (nhân sự: bổ nhiệm)" in " ".join(receipts["<qd15@vp>"].split())  # why
    assert paper_line in receipts["<bb3@vp>"]
    assert paper_line not in receipts["<cv54@vp>"]

    incoming = f"{qd['year']}/{qd['incoming_number']}"
    details = gateway.cli_json("register", "document", incoming)
    assert (details["number"], details["symbol"]) == ("15", "QĐ-UBND")
    assert (details["catalogue_code"], details["text_source"]) == ("6", "text")
    assert details["paper_reason"] == "nhân sự: bổ nhiệm"
    assert details["conflicts"] == [
        {"field": "number", "document_value": "15", "other_source": "subject", "other_value": "16"}
    ]
    cv_details = gateway.cli_json("register", "document", f"{cv['year']}/{cv['incoming_number']}")
    assert cv_details["edxml"]["business"] == "new"
    assert cv_details["edxml"]["sender_organ_id"] == "000.00.12.H33"
    assert cv_details["conflicts"] == []


def test_a_clerk_corrects_the_paper_flag(gateway: GatewayProcess, pki: TestPki) -> None:
    """GIVEN a registered Quyết định flagged paper_required (bổ nhiệm)
    WHEN a clerk runs `gateway register paper YEAR/N --not-required --note …`
    THEN the register says no paper is required, with the clerk's note as the reason."""
    pdf = official_document_pdf(
        number="15", symbol="QĐ-UBND", title="QUYẾT ĐỊNH", summary="Về việc bổ nhiệm cán bộ"
    )
    attachments = [("qd.pdf", sign_as_person_then_agency(pdf, pki), "application/pdf")]
    send(gateway, official_mail(sender=AGENCY, message_id="<qd@vp>", attachments=attachments))
    assert answers_to_agency(gateway, 1), gateway.log_text()
    [entry] = gateway.cli_json("register", "list")
    assert entry["paper_required"] is True
    incoming = f"{entry['year']}/{entry['incoming_number']}"
    done = gateway.cli("register", "paper", incoming, "--not-required", "--note", "bản sao")
    assert done.returncode == 0, done.stderr
    assert "không cần bản giấy" in done.stdout
    [entry] = gateway.cli_json("register", "list")
    assert entry["paper_required"] is False
    assert gateway.cli_json("register", "document", incoming)["paper_reason"] == "văn thư: bản sao"
