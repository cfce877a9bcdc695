"""Who gets an answer, and what it says: from a decision to a rendered outbox row.

Each inbound message gets exactly one answer — a receipt (03) or a rejection (02) —
except where RFC 3834 forbids answering (null sender, automatic mail), and except held
items, which are answered when a clerk decides (DESIGN §4.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address

import jinja2

from gateway.outbox.compose import (
    AnswerContent,
    AnswerKind,
    RefusedDocument,
    RegisteredDocument,
    compose_answer,
)
from gateway.outbox.identity import MailKind, message_id
from gateway.pipeline.analysis import MessageAnalysis
from gateway.spool.envelope import Envelope
from mailparse.reasons import Reason
from registry.drafts import OutboxDraft
from rules.decision import Decision, DocumentDecision, MessageOutcome

SMTP_PROTOCOLS = frozenset({"smtp", "lmtp"})


def answer_recipient(envelope: Envelope, analysis: MessageAnalysis) -> str | None:
    """Where the answer goes, or None when nobody may be answered (RFC 3834 §2).

    Over SMTP the answer goes to the envelope sender (the Return-Path); a null sender
    (``MAIL FROM:<>``) is never answered. For files and mailboxes the From address is used.
    """
    parsed = analysis.parsed
    if parsed is not None and parsed.is_automatic:
        return None
    if envelope.protocol in SMTP_PROTOCOLS:
        sender = envelope.mail_from.strip()
    else:
        sender = envelope.mail_from.strip() or (
            parsed.sender.address if parsed and parsed.sender else ""
        )
    local = sender.rpartition("@")[0].lower()
    if not sender or "@" not in sender or local in {"mailer-daemon", "postmaster"}:
        return None
    return sender if _deliverable(sender) else None


def _deliverable(address: str) -> bool:
    """An address our answer can be written to (ASCII, RFC 5322 syntax).

    A sender that gave an unusable return address is recorded as not answered rather than
    failing the whole item again and again.
    """
    if not address.isascii():
        return False
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return True


def answer_message_id(kind: str, spool_id: str, from_address: str) -> str:
    """Stable per inbound item: a re-rendered answer keeps its identity (idempotent delivery)."""
    return message_id(MailKind(kind), spool_id, from_address)


def refusal_note(analysis: MessageAnalysis, document: DocumentDecision) -> str:
    """The note beside a refused document's reasons: the routing rule's own words, and,
    for ``signature-untrusted``, where each untrusted chain ends, named (DESIGN §4.5)."""
    notes = [document.note] if document.note else []
    if Reason.SIGNATURE_UNTRUSTED in document.reasons:
        ends = {
            s.untrusted_ca
            for pdf in analysis.pdfs
            if pdf.attachment.filename == document.filename and pdf.signatures is not None
            for s in pdf.signatures.signatures
            if s.untrusted_ca
        }
        notes += [
            f"Chuỗi chứng thư của chữ ký kết thúc ở tổ chức cấp chứng thư “{ca}”, không phải"
            " tổ chức được tin cậy."
            for ca in sorted(ends)
        ]
    return " ".join(notes)


def build_answer(
    *,
    env: jinja2.Environment,
    spool_id: str,
    envelope: Envelope,
    analysis: MessageAnalysis,
    decision: Decision,
    registered: Sequence[RegisteredDocument],
    recipient: str,
    from_address: str,
    now: datetime,
    timezone: str,
) -> OutboxDraft:
    """Render the receipt or rejection for one decided message."""
    kind: AnswerKind = "receipt" if decision.outcome is MessageOutcome.ACCEPTED else "rejection"
    parsed = analysis.parsed
    message_id = answer_message_id(kind, spool_id, from_address)
    original_id = parsed.message_id if parsed else None
    urgencies = [
        p.facts.urgency for p in analysis.pdfs if p.facts is not None and p.facts.urgency
    ] + ([analysis.subject_facts.urgency] if analysis.subject_facts.urgency else [])
    content = AnswerContent(
        kind=kind,
        from_address=from_address,
        to_address=recipient,
        message_id=message_id,
        in_reply_to=original_id,
        references=(parsed.references if parsed else ()),
        original_subject=parsed.subject if parsed else "",
        received_at=envelope.received_at,
        composed_at=now,
        urgency=str(urgencies[0]) if urgencies else None,
        secret=analysis.secret,
        registered=tuple(registered),
        refused=tuple(
            RefusedDocument(
                filename=d.filename,
                reasons=tuple(str(r) for r in d.reasons),
                note=refusal_note(analysis, d),
            )
            for d in decision.refused
        ),
        reasons=tuple(str(r) for r in decision.reasons),
        agency_name=analysis.agency.name if analysis.agency else None,
        timezone=timezone,
        count_mismatch=decision.count_mismatch,
    )
    return OutboxDraft(
        kind=kind,
        message_id=message_id,
        sender=from_address,
        recipient=recipient,
        raw=compose_answer(content, env),
    )
