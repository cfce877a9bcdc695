"""Small hostile inputs that used to cost a message or mislead the gateway, in process on
SQLite and PostgreSQL: deep nesting, NUL in a Subject, old auto-responders, forged DSNs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from registry.database import read_session
from registry.models import InboundMessage, OutboxMessage
from tests.gateway.pipeline.test_pipeline import AGENCY
from tests.gateway.senderauth.test_backscatter import dsn_for, receipt_of
from tests.gateway.senderauth.test_sender_auth import STRANGER_IP, pipeline, smtp
from tests.support.fakedns import FakeResolver
from tests.support.messages import official_mail
from tests.support.pki import TestPki


def nested_multiparts(depth: int) -> bytes:
    """``depth`` multiparts, each the only part of the one around it (~70 B a level)."""
    inner = b"Content-Type: text/plain\r\n\r\nxin chao\r\n"
    for level in range(depth):
        boundary = b"b%d" % level
        inner = b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n--%s\r\n%s\r\n--%s--\r\n' % (
            boundary,
            boundary,
            inner,
            boundary,
        )
    head = f"From: {AGENCY}\r\nTo: vanthu@example.gov.vn\r\nSubject: long\r\n"
    return head.encode() + b"Message-ID: <deep@x>\r\nMIME-Version: 1.0\r\n" + inner


def test_a_thousand_nested_multiparts_are_answered_not_quarantined(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a 70 KB message of 1000 nested multiparts WHEN processed
    THEN it is recorded (rejected as malformed or for want of a document) and answered,
    without an exception that would send it to quarantine."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    raw = nested_multiparts(1000)
    assert len(raw) < 100_000
    result = run.process("deep", raw, smtp(STRANGER_IP))
    assert result.outcome == "rejected"
    assert result.answered


def test_a_nul_in_the_subject_is_registered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN an agency document whose Subject carries a NUL WHEN processed (PostgreSQL
    refuses NUL in text) THEN it is registered and the stored subject has no NUL."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    raw = official_mail(
        sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")]
    ).replace(b"Subject: ", b"Subject: abc\x00", 1)
    assert b"abc\x00" in raw
    result = run.process("nul", raw, smtp(STRANGER_IP))
    assert result.entries
    with read_session(engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
    assert inbound.subject.startswith("abc") and "\x00" not in inbound.subject


def test_x_autoreply_mail_is_not_answered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN mail marked "X-Autoreply: yes" (an auto-responder older than RFC 3834)
    WHEN processed THEN nothing is mailed back (no loop between responders)."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    plain = official_mail(sender=AGENCY, subject="Trả lời tự động: đang nghỉ phép")
    assert run.process("plain", plain, smtp(STRANGER_IP)).answered  # answered without it
    raw = official_mail(
        sender=AGENCY,
        subject="Trả lời tự động: đang nghỉ phép",
        message_id="<auto@vp>",
        extra_headers={"X-Autoreply": "yes"},
    )
    result = run.process("auto", raw, smtp(STRANGER_IP))
    assert not result.answered
    with read_session(engine) as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_a_strangers_forged_dsn_does_not_mark_our_receipt_bounced(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a receipt we sent to an agency WHEN a stranger mails, from its own return
    address, a DSN naming that receipt (or one naming another recipient from the null
    sender) THEN the receipt is not marked bounced, and neither DSN is answered."""
    run = pipeline(engine, tmp_path, pki, FakeResolver())
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run.process("doc", raw, smtp(STRANGER_IP))
    receipt = receipt_of(engine)
    forged = dsn_for(receipt.message_id)
    first = run.process("dsn1", forged, smtp(STRANGER_IP, mail_from="x@evil.example.com"))
    other = dsn_for(receipt.message_id, recipient="someone@else.example.com")
    second = run.process("dsn2", other, smtp(STRANGER_IP, mail_from=""))
    assert not first.answered and not second.answered
    assert receipt_of(engine).bounced_at is None
