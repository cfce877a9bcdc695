"""Answers to our issued documents (DESIGN §4.7, R-DELIVERY): recognised before anything
else in the pipeline, recorded recipient by recipient, never registered, never answered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from gateway.issuing.issue import Issuer, IssueRequest, IssueResult
from gateway.spool.envelope import Envelope
from gateway.wiring import Components
from registry.database import read_session
from registry.models import AuditEvent, InboundMessage, OutboxMessage, RegisterEntry
from registry.outgoing.queries import get_outgoing, history_of
from registry.outgoing.views import RecipientView
from tests.gateway.issuing.conftest import CITY, UNIT, city_document
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_with


def smtp_from(sender: str, to: str = CITY) -> Envelope:
    return Envelope(
        received_at=datetime.now(UTC), protocol="smtp", mail_from=sender, rcpt_tos=(to,), source={}
    )


@pytest.fixture
def issued(issuer: Issuer, pki: TestPki) -> IssueResult:
    """22/UBND-VP issued to QLDT (position 1) and KT (position 2)."""
    return issuer.issue(
        IssueRequest(pdf=city_document(pki, 22), filename="cv.pdf", recipients=("QLDT", "KT"))
    )


def recipient(city: Components, result: IssueResult, code: str) -> RecipientView:
    with read_session(city.engine) as session:
        view = get_outgoing(session, result.document_id)
    return next(r for r in view.recipients if r.code == code)


def outbox_raw(components: Components, recipient: str, kind: str) -> bytes:
    with read_session(components.engine) as session:
        row = session.scalars(
            select(OutboxMessage)
            .where(col(OutboxMessage.recipient) == recipient)
            .where(col(OutboxMessage.kind) == kind)
        ).first()
    assert row is not None
    return row.raw


def counts(city: Components) -> tuple[int, int]:
    with read_session(city.engine) as session:
        entries = session.scalar(select(func.count()).select_from(RegisterEntry)) or 0
        mails = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    return int(entries), int(mails)


def answer(message_id: str, sender: str = UNIT, **headers: str) -> bytes:
    return official_mail(
        sender=sender,
        to=CITY,
        subject="Biên nhận: Công văn số 22/UBND-VP",
        body="Văn bản đã được tiếp nhận.\n",
        extra_headers={
            "In-Reply-To": message_id,
            "References": message_id,
            "Auto-Submitted": "auto-replied",
            **headers,
        },
    )


def test_the_receiving_gateways_receipt_records_their_incoming_number(
    city: Components, unit: Components, issued: IssueResult
) -> None:
    """GIVEN our mail to QLDT, processed by QLDT's own gateway (verified, registered,
    answered with its receipt)
    WHEN that receipt reaches our pipeline
    THEN QLDT is ``received`` with QLDT's incoming number; the receipt is recorded as an
    inbound message, not registered, not answered, and nothing is queued in reply."""
    mail = outbox_raw(city, UNIT, "issue")
    theirs = unit.pipeline.process("unit-1", mail, smtp_from(CITY, UNIT))
    assert theirs.outcome == "accepted" and theirs.entries == ("2026/1",)
    receipt = outbox_raw(unit, CITY, "receipt")
    before = counts(city)

    result = city.pipeline.process("city-1", receipt, smtp_from(UNIT))

    assert (result.outcome, result.entries, result.answered) == ("accepted", (), False)
    assert counts(city) == before
    got = recipient(city, issued, "QLDT")
    assert (got.status, got.their_number, got.status_code) == ("received", "2026/1", "03")
    assert recipient(city, issued, "KT").status == "queued"
    with read_session(city.engine) as session:
        inbound = session.scalars(
            select(InboundMessage).where(col(InboundMessage.spool_id) == "city-1")
        ).one()
    assert "not registered, not answered" in inbound.note
    again = city.pipeline.process("city-1", receipt, smtp_from(UNIT))
    assert again.already_done


def test_a_refusal_then_later_statuses_are_recorded(city: Components, issued: IssueResult) -> None:
    """GIVEN our mail to QLDT
    WHEN QLDT's gateway refuses it (02 with reasons), then — the clerk having sorted it
    out — receipts it (03), then reports it in progress (05)
    THEN the state follows (refused with the reasons → received with their number, the
    05 kept as the last status code) and every step is in the history."""
    message_id = issued.message_ids[0]
    city.pipeline.process(
        "r1",
        answer(
            message_id,
            **{"X-Document-Status": "02", "X-Reject-Reasons": "signature-invalid,malware"},
        ),
        smtp_from(UNIT),
    )
    got = recipient(city, issued, "QLDT")
    assert (got.status, got.reasons) == ("refused", ("signature-invalid", "malware"))
    city.pipeline.process(
        "r2",
        answer(message_id, **{"X-Document-Status": "03", "X-Incoming-Number": "2026/40"}),
        smtp_from(UNIT),
    )
    city.pipeline.process(
        "r3",
        answer(message_id, **{"X-Document-Status": "05", "X-Incoming-Number": "2026/40"}),
        smtp_from(UNIT),
    )
    got = recipient(city, issued, "QLDT")
    assert (got.status, got.their_number, got.status_code) == ("received", "2026/40", "05")
    with read_session(city.engine) as session:
        history = history_of(session, issued.document_id)
    qldt = [(e.status, e.status_code, e.source) for e in history if e.code == "QLDT"]
    assert qldt == [
        ("queued", None, "issue"),
        ("refused", "02", "receipt"),
        ("received", "03", "receipt"),
        ("received", "05", "receipt"),
    ]


EDXML_STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"
       xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From><edXML:OrganId>KT</edXML:OrganId>
        <edXML:OrganName>Phòng Kinh tế thành phố</edXML:OrganName></edXML:From>
      <edXML:ResponseFor>
        <edXML:OrganId>VP</edXML:OrganId>
        <edXML:Code>22/UBND-VP</edXML:Code>
        <edXML:PromulgationDate>2026/11/20</edXML:PromulgationDate>
        <edXML:DocumentId>VP,2026/11/20,22/UBND-VP</edXML:DocumentId>
      </edXML:ResponseFor>
      <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
        <edXML:Staff>Trần Thị Bình</edXML:Staff></edXML:StaffInfo>
      <edXML:StatusCode>03</edXML:StatusCode>
      <edXML:Description>Đã tiếp nhận văn bản đến</edXML:Description>
      <edXML:Timestamp>2026/11/20 11:08:36</edXML:Timestamp>
    </edXML:MessageHeader>
  </edXML:edXMLHeader>
</edXML>
"""


def test_an_edxml_status_package_without_threading_is_matched_by_document(
    city: Components, issued: IssueResult
) -> None:
    """GIVEN our mail to KT
    WHEN KT's e-office system sends an edXML status package (ResponseFor + StatusCode 03)
    in a new mail, not threaded to ours
    THEN it is matched by the số/ký hiệu it answers and KT's address: KT ``received``."""
    raw = official_mail(
        sender="vanthu@kinhte.rachgia.example.gov.vn",
        to=CITY,
        subject="Trạng thái văn bản",
        body="",
        attachments=[("status.edxml", EDXML_STATUS.encode(), "application/xml")],
    )
    before = counts(city)
    result = city.pipeline.process(
        "edxml-1", raw, smtp_from("vanthu@kinhte.rachgia.example.gov.vn")
    )
    assert (result.outcome, result.entries, result.answered) == ("accepted", (), False)
    assert counts(city) == before
    got = recipient(city, issued, "KT")
    assert (got.status, got.status_code) == ("received", "03")
    assert recipient(city, issued, "QLDT").status == "queued"


def test_a_persons_reply_da_nhan_counts_as_received(city: Components, issued: IssueResult) -> None:
    """GIVEN our mail to QLDT
    WHEN a person at QLDT replies "Đã nhận văn bản, cảm ơn." from the unit's mailbox
    THEN QLDT is ``received`` (source: reply), and the person gets no automatic answer."""
    raw = official_mail(
        sender=UNIT,
        to=CITY,
        subject="Re: Công văn số 22/UBND-VP",
        body="Đã nhận văn bản, cảm ơn.\n\nOn Fri, someone wrote:\n> Kính gửi\n",
        extra_headers={"In-Reply-To": issued.message_ids[0]},
    )
    result = city.pipeline.process("reply-1", raw, smtp_from(UNIT))
    assert (result.entries, result.answered) == ((), False)
    got = recipient(city, issued, "QLDT")
    assert (got.status, got.status_code) == ("received", "03")


def test_an_answer_from_someone_else_changes_nothing(city: Components, issued: IssueResult) -> None:
    """GIVEN our mail to QLDT
    WHEN a receipt threaded to it comes from an address that is not QLDT's (R-FORGE)
    THEN QLDT stays ``queued``, an audit line names the refusal, nothing is answered."""
    raw = answer(
        issued.message_ids[0],
        sender="ke-gia-mao@example.org",
        **{"X-Document-Status": "03", "X-Incoming-Number": "2026/1"},
    )
    result = city.pipeline.process("forged", raw, smtp_from("ke-gia-mao@example.org"))
    assert (result.entries, result.answered) == ((), False)
    assert recipient(city, issued, "QLDT").status == "queued"
    with read_session(city.engine) as session:
        actions = list(session.scalars(select(col(AuditEvent.action))))
    assert "issue.answer-refused" in actions


def dsn_for(message_id: str, recipient: str) -> bytes:
    """A Postfix-like RFC 3464 bounce with the returned headers (text/rfc822-headers)."""
    return f"""From: MAILER-DAEMON@mail.rachgia.example.gov.vn (Mail Delivery System)
To: {CITY}
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce.7@mail.rachgia.example.gov.vn>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="=_dsn"

--=_dsn
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--=_dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.rachgia.example.gov.vn

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--=_dsn
Content-Type: text/rfc822-headers

From: {CITY}
To: {recipient}
Message-ID: {message_id}

--=_dsn--
""".replace("\n", "\r\n").encode()


def test_a_bounce_marks_the_recipient_bounced(city: Components, issued: IssueResult) -> None:
    """GIVEN our mail to KT
    WHEN a delivery status notification (failed, 5.1.1) of it comes back from the null
    sender
    THEN KT is ``bounced`` with the reason, the DSN is not registered nor answered, and a
    later receipt from KT still wins (the recipient's own word)."""
    kt = "vanthu@kinhte.rachgia.example.gov.vn"
    result = city.pipeline.process("dsn", dsn_for(issued.message_ids[1], kt), smtp_from(""))
    assert (result.entries, result.answered) == ((), False)
    got = recipient(city, issued, "KT")
    assert got.status == "bounced"
    assert "5.1.1" in got.reasons[0]
    city.pipeline.process(
        "late",
        answer(issued.message_ids[1], sender=kt, **{"X-Document-Status": "03"}),
        smtp_from(kt),
    )
    assert recipient(city, issued, "KT").status == "received"


def test_a_document_sent_in_reply_is_registered_not_swallowed(
    city: Components, issued: IssueResult, pki: TestPki
) -> None:
    """GIVEN our mail to QLDT
    WHEN QLDT's clerk replies to it with a signed document attached (their answer to ours)
    THEN it is no confirmation: the pipeline registers it as an incoming document, and
    QLDT's delivery state does not change."""
    qldt = pki.issue("Văn phòng QLĐT", "Phòng Quản lý đô thị thành phố Rạch Giá", label="qldt")
    theirs = sign_with(
        official_document_pdf(
            issuer="PHÒNG QUẢN LÝ ĐÔ THỊ", number="5", symbol="QLĐT", summary="báo cáo"
        ),
        qldt,
        "Signature1",
    )
    raw = official_mail(
        sender=UNIT,
        to=CITY,
        subject="Re: Công văn số 22/UBND-VP",
        body="Đã nhận. Gửi kèm văn bản trả lời.\n",
        attachments=[("tra-loi.pdf", theirs, "application/pdf")],
        extra_headers={"In-Reply-To": issued.message_ids[0]},
    )
    result = city.pipeline.process("doc-reply", raw, smtp_from(UNIT))
    assert (result.outcome, len(result.entries)) == ("accepted", 1)
    assert recipient(city, issued, "QLDT").status == "queued"
