"""Issuing a signed document (DESIGN §4.7; R-ISSUE, R-OUTREG, R-SECRET, R-URGENT): the
checks before anything is queued, the one registering transaction, and the mail each
recipient gets — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import dkim
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from gateway.issuing.errors import IssueRefusedError, RefusalCode
from gateway.issuing.issue import Issuer, IssueRequest
from gateway.outbox.dkim import DkimSigner
from gateway.senderauth.dns import dkim_dnsfunc
from gateway.wiring import Components
from mailparse.edxml.envelope import EdxmlDocument, read_edxml
from mailparse.edxml.files import embedded_files
from registry.database import read_session
from registry.mail.outbox import claim_due
from registry.models import AuditEvent, OutboxMessage
from registry.outgoing.models import OutgoingDelivery, OutgoingDocument, OutgoingEvent
from registry.outgoing.queries import get_outgoing, list_outgoing
from tests.gateway.issuing.conftest import CITY, UNIT, city_document
from tests.support.fakedns import FakeResolver, dkim_key
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency, sign_with


def _count(city: Components, model: type) -> int:
    with read_session(city.engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _mails(city: Components) -> list[tuple[OutboxMessage, EmailMessage]]:
    with read_session(city.engine) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))
    parsed = []
    for row in rows:
        message = BytesParser(policy=policy.default).parsebytes(row.raw)
        assert isinstance(message, EmailMessage)
        parsed.append((row, message))
    return parsed


def test_a_signed_document_is_registered_and_queued_once_per_recipient(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN a công văn signed by the city's person and agency, and an appendix
    WHEN it is issued to a directory group, a unit code and a bare address
    THEN it is entered as outgoing number 1 of the year with every recipient ``queued``,
    and one mail per recipient carries the PDF and the appendix byte for byte, an edXML
    envelope that mailparse reads back, the contract's subject, headers and Message-ID —
    and is not marked automatic, so the receiving gateway answers it."""
    pdf = city_document(pki, 12)
    appendix = b"PK\x03\x04 phu luc"
    result = issuer.issue(
        IssueRequest(
            pdf=pdf,
            filename="cv-12.pdf",
            recipients=("phuong-xa", f"QLDT,{UNIT}", "vanthu@so.example.gov.vn"),
            attachments=(("phụ lục.zip", appendix),),
            respond_by=date(2026, 12, 31),
        )
    )

    assert (result.outgoing_number, result.document_number) == (1, "12/UBND-VP")
    codes = [r.code for r in result.recipients]
    assert len(codes) == 14  # 12 phường-xã, QLDT once (code and address), one stranger
    assert codes.count("QLDT") == 1 and codes[-1] is None
    with read_session(city.engine) as session:
        view = get_outgoing(session, result.document_id)
    assert view.summary == "triển khai gửi, nhận văn bản điện tử đợt 12"
    assert view.issued_on == date(2026, 11, 20) and view.document_type == "Công văn"
    assert {r.status for r in view.recipients} == {"queued"}
    assert _count(city, OutgoingEvent) == 14

    mails = _mails(city)
    assert len(mails) == 14
    row, mail = next((r, m) for r, m in mails if r.recipient == UNIT)
    position = [r.address for r in result.recipients].index(UNIT) + 1
    assert row.message_id == f"<issue.{result.document_id}.{position}@vp.rachgia.example.gov.vn>"
    assert mail["Message-ID"] == row.message_id and mail["From"] == CITY
    assert mail["Subject"] == "Công văn số 12/UBND-VP: triển khai gửi, nhận văn bản điện tử đợt 12"
    assert mail["X-Document-Number"] == "12/UBND-VP"
    assert mail["Auto-Submitted"] is None
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files["cv-12.pdf"] == pdf
    assert files["phụ lục.zip"] == appendix
    envelope = read_edxml(files["edxml.edxml"])
    assert isinstance(envelope, EdxmlDocument)
    assert envelope.document_number == "12/UBND-VP"
    assert envelope.promulgated_on == date(2026, 11, 20)
    assert envelope.sender.organ_id == "VP"
    assert envelope.recipients[0].organ_id == "QLDT"
    assert envelope.due_on == date(2026, 12, 31)
    assert envelope.page_amount == 1
    assert envelope.document_id == "VP,2026/11/20,12/UBND-VP"
    inside = {f.name: f.data for f in embedded_files(files["edxml.edxml"])}
    assert inside == {"cv-12.pdf": pdf, "phụ lục.zip": appendix}  # an e-office system's copy
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Kính gửi: Phòng Quản lý đô thị thành phố." in text
    assert "31/12/2026" in text


def _refused(city: Components, issuer: Issuer, pdf: bytes, code: RefusalCode) -> str:
    before = _count(city, AuditEvent)
    with pytest.raises(IssueRefusedError) as caught:
        issuer.issue(IssueRequest(pdf=pdf, filename="x.pdf", recipients=("QLDT",)))
    assert caught.value.code is code
    assert _count(city, OutgoingDocument) == 0
    assert _count(city, OutgoingDelivery) == 0
    assert _count(city, OutboxMessage) == 0
    assert _count(city, AuditEvent) == before + 1  # only the audit line
    with read_session(city.engine) as session:
        audit = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert audit is not None and audit.action == "issue.refused"
    assert audit.details["code"] == str(code)
    return caught.value.message


def test_a_secret_marked_document_is_refused_before_anything_is_sent(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN a validly signed document stamped MẬT (R-SECRET)
    WHEN it is issued
    THEN it is refused with the reason in Vietnamese and nothing but an audit line."""
    pdf = city_document(pki, 13, secrecy_stamp="MẬT")
    message = _refused(city, issuer, pdf, RefusalCode.SECRET_MARK)
    assert "độ mật" in message


def test_a_document_signed_by_another_agency_is_refused(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN a document whose signatures are valid but belong to a department of the
    province, not to the city (R-FORGE)
    WHEN the city issues it
    THEN it is refused: only our own agency's valid signature makes a document ours."""
    other = pki.issue("Văn phòng Sở Tài chính", "Sở Tài chính tỉnh Kiên Giang", label="so-tc")
    pdf = sign_with(official_document_pdf(number="14"), other, "Signature1")
    message = _refused(city, issuer, pdf, RefusalCode.NOT_OURS)
    assert "không có chữ ký số hợp lệ của cơ quan ban hành" in message


def test_an_unsigned_document_is_refused(city: Components, issuer: Issuer) -> None:
    """GIVEN a PDF without any signature WHEN it is issued THEN it is refused."""
    _refused(city, issuer, official_document_pdf(number="15"), RefusalCode.UNSIGNED)


def test_the_same_number_is_not_issued_twice_in_a_year(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN 16/UBND-VP issued once
    WHEN a document with the same số/ký hiệu (another file) is issued again
    THEN it is refused, and the register still holds one document with one recipient."""
    issuer.issue(IssueRequest(pdf=city_document(pki, 16), filename="a.pdf", recipients=("KT",)))
    again = sign_as_person_then_agency(
        official_document_pdf(number="16", summary="một nội dung khác"), pki
    )
    with pytest.raises(IssueRefusedError) as caught:
        issuer.issue(IssueRequest(pdf=again, filename="b.pdf", recipients=("QLDT",)))
    assert caught.value.code is RefusalCode.ISSUED_BEFORE
    assert "16/UBND-VP" in caught.value.message
    assert _count(city, OutgoingDocument) == 1
    assert _count(city, OutboxMessage) == 1


def test_unknown_recipients_and_answered_entries_are_refused(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN a good document
    WHEN it names a unit the directory does not know, or answers an incoming entry that
    does not exist (R-RESPONSE)
    THEN it is refused, naming what is wrong."""
    pdf = city_document(pki, 17)
    with pytest.raises(IssueRefusedError) as caught:
        issuer.issue(IssueRequest(pdf=pdf, filename="a.pdf", recipients=("KHONG-CO",)))
    assert caught.value.code is RefusalCode.UNKNOWN_RECIPIENT
    assert "KHONG-CO" in caught.value.message
    with pytest.raises(IssueRefusedError) as caught:
        issuer.issue(IssueRequest(pdf=pdf, filename="a.pdf", recipients=("KT",), answers="2026/99"))
    assert caught.value.code is RefusalCode.UNKNOWN_ENTRY
    assert _count(city, OutgoingDocument) == 0


def test_all_units_means_every_agency_but_our_own(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN the sample directory (the 30 units of CV54; the city office VP is us)
    WHEN a document is issued to "all"
    THEN the 29 other units get it, each once."""
    result = issuer.issue(
        IssueRequest(pdf=city_document(pki, 18), filename="a.pdf", recipients=("all",))
    )
    codes = [r.code for r in result.recipients]
    assert len(codes) == len(set(codes)) == 29
    assert "VP" not in codes


def test_urgent_documents_go_out_first(city: Components, issuer: Issuer, pki: TestPki) -> None:
    """GIVEN an ordinary document queued for two units, then a KHẨN one (R-URGENT)
    WHEN the outbox takes the next mail
    THEN it takes the urgent document's mails first, and their subject says [KHẨN]."""
    issuer.issue(
        IssueRequest(pdf=city_document(pki, 19), filename="a.pdf", recipients=("KT", "NV"))
    )
    urgent = city_document(pki, 20, urgency_stamp="KHẨN")
    result = issuer.issue(IssueRequest(pdf=urgent, filename="b.pdf", recipients=("QLDT",)))
    with read_session(city.engine) as session:
        first = claim_due(
            session,
            max(r.next_attempt_at for r in session.scalars(select(OutboxMessage))),
            lease=timedelta(minutes=5),
            owner="test:1",
            limit=1,
        )
        session.rollback()
    assert [m.message_id for m in first] == list(result.message_ids)
    subject = BytesParser(policy=policy.default).parsebytes(first[0].raw)["Subject"]
    assert subject.startswith("[KHẨN] Công văn số 20/UBND-VP")
    with read_session(city.engine) as session:
        assert list_outgoing(session, status="queued")[0].urgency == "khan"


def test_issued_mail_is_dkim_signed_when_configured(
    issuer: Issuer, city: Components, pki: TestPki
) -> None:
    """GIVEN a DKIM key for the city's domain ([outgoing] dkim_*)
    WHEN a document is issued
    THEN the queued mail is DKIM-signed over X-Document-Number too, and verifies against
    the published key — altering the số/ký hiệu header breaks it."""
    private, record = dkim_key()
    resolver = FakeResolver(txt={"gw2026._domainkey.vp.rachgia.example.gov.vn": [record]})
    signing = dataclasses.replace(
        issuer, signer=DkimSigner("gw2026", "vp.rachgia.example.gov.vn", private)
    )
    signing.issue(IssueRequest(pdf=city_document(pki, 21), filename="a.pdf", recipients=("KT",)))
    [(row, _)] = _mails(city)
    assert row.raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(row.raw, dnsfunc=dkim_dnsfunc(resolver)) is True
    forged = row.raw.replace(b"X-Document-Number: 21/UBND-VP", b"X-Document-Number: 99/UBND-VP")
    assert forged != row.raw
    assert dkim.verify(forged, dnsfunc=dkim_dnsfunc(resolver)) is False
