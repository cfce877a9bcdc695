"""A document that travels only inside an edXML package, as other e-office systems send it
(QCVN 102:2016; FIELD-NOTES "edXML as other systems write it"): a running gateway reads,
verifies, registers and receipts it like a document sent as a part of the mail."""

from __future__ import annotations

import pytest

from tests.gateway.pipeline.test_regulations_policy import AGENCY, inbound, mails_about, send
from tests.support.edxml_packages import vendor_package
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency

pytestmark = pytest.mark.slow


def test_a_signed_document_only_inside_the_package_is_registered_and_receipted(
    gateway: GatewayProcess, pki: TestPki
) -> None:
    """GIVEN a running gateway
    WHEN an agency's e-office system mails an edXML package whose only copy of the signed
    công văn 31/UBND-VP is inside the package (base64), with no PDF part
    THEN the document is registered under its number with both signatures valid (they
    cover the very bytes that were inside the package), and the sender gets the 03
    receipt."""
    message_id = "<goi-tin-31@vp.rachgia.example.gov.vn>"
    pdf = sign_as_person_then_agency(official_document_pdf(number="31", symbol="UBND-VP"), pki)
    package = vendor_package(
        [("31-UBND-VP.pdf", "application/pdf", pdf)], number="31", notation="UBND-VP"
    )
    raw = official_mail(
        sender=AGENCY,
        subject="Gửi văn bản điện tử",
        message_id=message_id,
        attachments=[("31-UBND-VP.edxml", package, "application/xml")],
    )
    send(gateway, raw)
    [receipt] = mails_about(gateway, message_id, timeout=60)
    assert receipt["X-Document-Status"] == "03", gateway.log_text()[-3000:]
    [entry] = gateway.cli_json("register", "list")
    assert entry["document_number"] == "31/UBND-VP"
    assert inbound(gateway, message_id)["outcome"] == "accepted"
    shown = gateway.cli_json("register", "show", f"{entry['year']}/{entry['incoming_number']}")
    assert [s["verdict"] for s in shown["signatures"]] == ["valid", "valid"]
