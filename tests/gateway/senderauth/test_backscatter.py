"""Loops, floods and backscatter (R-CHANNEL), in process on SQLite and PostgreSQL:
our own answers coming back, bounces of them, the daily cap, withheld rejections."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.outbox.alerts import alert_message_id
from gateway.outbox.answers import answer_message_id
from gateway.routing.routed_copy import routed_copy_message_id
from gateway.senderauth.backscatter import our_message_id
from gateway.tracking.status_notice import status_message_id
from registry.database import read_session
from registry.models import InboundMessage, OutboxMessage, RegisterEntry
from rules.decision import Policy
from tests.gateway.pipeline.test_pipeline import AGENCY, count
from tests.gateway.senderauth.test_sender_auth import STRANGER_IP, inbound, pipeline, smtp
from tests.support.fakedns import FakeResolver
from tests.support.messages import official_mail
from tests.support.pki import TestPki

STRANGER = "ai.do@elsewhere.example.com"


def receipt_of(engine: Engine) -> OutboxMessage:
    with read_session(engine) as session:
        return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()  # type: ignore[arg-type,return-value]


def dsn_for(message_id: str, recipient: str = AGENCY) -> bytes:
    """A Postfix-like RFC 3464 bounce with the returned headers (text/rfc822-headers)."""
    text = f"""From: MAILER-DAEMON@mail.example.gov.vn (Mail Delivery System)
To: vanthu@example.gov.vn
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce.1@mail.example.gov.vn>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="=_dsn"

--=_dsn
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--=_dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.gov.vn

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--=_dsn
Content-Type: text/rfc822-headers

From: vanthu@example.gov.vn
To: {recipient}
Message-ID: {message_id}
Subject: =?utf-8?q?Bi=C3=AAn_nh=E1=BA=ADn?=

--=_dsn--
"""
    return text.replace("\n", "\r\n").encode("ascii")


def test_bounce_of_our_receipt_is_recorded_against_it_and_never_answered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a receipt we queued WHEN a DSN (multipart/report, delivery-status) of it
    arrives from the null sender THEN the outbox row gets bounced_at and the reason, the DSN
    is recorded "rejected" with a note, nothing is registered and nothing answered."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run.process("doc", raw, smtp(STRANGER_IP))
    receipt = receipt_of(engine)
    result = run.process("dsn", dsn_for(receipt.message_id), smtp(STRANGER_IP, mail_from=""))
    assert (result.outcome, result.reasons, result.entries, result.answered) == (
        "rejected",
        (),
        (),
        False,
    )
    bounced = receipt_of(engine)
    assert bounced.bounced_at is not None
    assert "5.1.1" in bounced.bounce_reason and AGENCY in bounced.bounce_reason
    assert "RFC 3464" in inbound(engine).note
    assert count(engine, RegisterEntry) == 1
    assert count(engine, OutboxMessage) == 1


def test_our_own_receipt_coming_back_is_not_answered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN one of our receipts, forwarded back to us by an agency's auto-forward that
    dropped Auto-Submitted WHEN it arrives from the agency's envelope address
    THEN it is recorded, not registered, and not answered (no mail loop)."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run.process("doc", raw, smtp(STRANGER_IP))
    back = receipt_of(engine).raw.replace(b"Auto-Submitted: auto-replied\r\n", b"")
    assert b"Auto-Submitted" not in back
    result = run.process("loop", back, smtp(STRANGER_IP, mail_from=AGENCY))
    assert (result.outcome, result.answered) == ("rejected", False)
    assert "mail loop" in inbound(engine).note
    assert count(engine, OutboxMessage) == 1


def test_daily_cap_limits_strangers_but_never_directory_agencies(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN [limits] auto_replies_per_day=2 and a stranger whose domain passes SPF (so its
    rejections are answered) WHEN the stranger and a directory agency each send 3
    documents THEN the stranger gets 2 rejections and the third is recorded with a note;
    the agency gets all 3 receipts."""
    run = pipeline(
        engine,
        tmp_path,
        pki,
        FakeResolver(txt={"elsewhere.example.com": [f"v=spf1 ip4:{STRANGER_IP} -all"]}),
        policy=Policy(unknown_sender="reject"),
        auto_replies_per_day=2,
    )
    pdf = [("cv.pdf", signed_pdf, "application/pdf")]
    for n in range(3):
        for sender in (STRANGER, AGENCY):
            raw = official_mail(sender=sender, attachments=pdf, message_id=f"<{n}.{sender}>")
            run.process(f"{sender}-{n}", raw, smtp(STRANGER_IP, mail_from=sender))
    with read_session(engine) as session:
        recipients = list(session.scalars(select(col(OutboxMessage.recipient))))
        notes = [m.note for m in session.scalars(select(InboundMessage)) if not m.answered]
    assert (recipients.count(STRANGER), recipients.count(AGENCY)) == (2, 3)
    assert len(notes) == 1 and "automatic mails in 24 h" in notes[0]


def test_rejection_to_a_stranger_is_sent_only_when_its_domain_authenticated(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a sender outside the directory (rejected unknown-sender)
    WHEN it comes from an IP its domain's SPF does not allow THEN the rejection is recorded
    and not sent; WHEN it comes from an IP SPF allows THEN the rejection is mailed."""
    resolver = FakeResolver(txt={"elsewhere.example.com": ["v=spf1 ip4:192.0.2.0/24 -all"]})
    run = pipeline(engine, tmp_path, pki, resolver)
    raw = official_mail(sender=STRANGER, message_id="<x1@elsewhere.example.com>")
    forged = run.process("s1", raw, smtp(STRANGER_IP, mail_from=STRANGER))
    assert (forged.outcome, forged.reasons, forged.answered) == (
        "rejected",
        ("unknown-sender",),
        False,
    )
    assert "no backscatter" in inbound(engine).note
    raw = official_mail(sender=STRANGER, message_id="<x2@elsewhere.example.com>")
    genuine = run.process("s2", raw, smtp("192.0.2.10", mail_from=STRANGER))
    assert (genuine.reasons, genuine.answered) == (("unknown-sender",), True)
    [rejection] = list(_outbox_rows(engine))
    assert (rejection.kind, rejection.recipient) == ("rejection", STRANGER)


def _outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with read_session(engine) as session:
        return list(session.scalars(select(OutboxMessage)))


def test_every_kind_of_mail_we_send_is_recognised_as_ours() -> None:
    """GIVEN the Message-IDs the gateway gives its receipts, rejections, alerts, routed
    copies and status notices WHEN one comes back (a loop or a bounce) THEN it is ours,
    and an agency's own Message-ID on our domain name is not."""
    ours = "vanthu@example.gov.vn"
    sent = [
        answer_message_id("receipt", "0123abcd", ours),
        answer_message_id("rejection", "0123abcd", ours),
        alert_message_id("malware", ours, "k1"),
        routed_copy_message_id("2026/17", 5, ours),
        status_message_id(17, "06", ours),
    ]
    assert [our_message_id(m, ours) for m in sent] == [True] * len(sent)
    assert not our_message_id("<cv54.20260218@example.gov.vn>", ours)
