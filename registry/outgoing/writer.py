"""Writing the outgoing register: the issuing transaction and every later change of state.

:func:`add_document` writes the document with its outgoing number (per year from 1,
gap-free like the incoming numbers: a counter row updated in the same transaction) and
:func:`add_delivery` one delivery per recipient; the caller queues the mails in the same
session, so all of it commits together or not at all (DESIGN §4.7). :func:`record_answer`
applies what a recipient said; an answer is recorded once (the same answer again changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from mailparse.documents.text import fold
from registry.models import OutboxMessage, OutboxStatus
from registry.numbering import next_number
from registry.outgoing.models import (
    OPEN_DELIVERY_STATUSES,
    SETTLED_DELIVERY_STATUSES,
    WAITING_STATUSES,
    DeliveryStatus,
    EventSource,
    OutgoingCounter,
    OutgoingDelivery,
    OutgoingDocument,
    OutgoingEvent,
)

# QCVN 102 codes that follow a receipt (assigned, in progress, done): recorded, the
# delivery stays ``received``.
PROGRESS_CODES = frozenset({"04", "05", "06"})


def document_key(document_number: str) -> str:
    """The số/ký hiệu folded (case, diacritics, spaces): "12/UBND-VP" is issued once a year."""
    return "".join(fold(document_number).split())


@dataclass(frozen=True)
class OutgoingDraft:
    """One document to enter in the outgoing register; the number is given here."""

    year: int
    document_number: str
    number: str | None
    symbol: str | None
    issued_on: date | None
    document_type: str | None
    summary: str | None
    urgency: str
    pages: int | None
    signer_name: str | None
    issuer_name: str | None
    filename: str
    document_sha256: str
    issued_at: datetime
    issued_by: str
    attachments: tuple[dict[str, Any], ...] = ()
    answers_entry_id: int | None = None
    answers: str | None = None
    respond_by: date | None = None


@dataclass(frozen=True)
class DeliveryDraft:
    """One recipient of the document, with the Message-ID of its mail."""

    position: int
    code: str | None
    name: str
    address: str
    message_id: str
    confirm_by: datetime


@dataclass(frozen=True)
class Answer:
    """What a recipient (or the mail system) said about one delivery."""

    status: DeliveryStatus
    source: EventSource
    at: datetime
    status_code: str | None = None
    their_number: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""
    inbound_message_id: str | None = None


def already_issued(session: Session, year: int, document_number: str) -> OutgoingDocument | None:
    """The document of ``year`` issued with that số/ký hiệu, if any."""
    return session.scalars(
        select(OutgoingDocument)
        .where(col(OutgoingDocument.year) == year)
        .where(col(OutgoingDocument.document_key) == document_key(document_number))
    ).first()


def next_outgoing_number(session: Session, year: int) -> int:
    """Take the next outgoing number of ``year`` in the session's transaction."""
    return next_number(session, year, OutgoingCounter)


def add_document(
    session: Session, draft: OutgoingDraft, recipients_text: Sequence[str] = ()
) -> OutgoingDocument:
    """Enter ``draft`` with the next outgoing number; flushed, so its id is known (the
    Message-IDs of its mails are made of it). ``recipients_text`` joins the search text."""
    document = OutgoingDocument(
        year=draft.year,
        outgoing_number=next_outgoing_number(session, draft.year),
        document_number=draft.document_number,
        number=draft.number,
        symbol=draft.symbol,
        document_key=document_key(draft.document_number),
        issued_on=draft.issued_on,
        document_type=draft.document_type,
        summary=draft.summary,
        urgency=draft.urgency,
        pages=draft.pages,
        signer_name=draft.signer_name,
        issuer_name=draft.issuer_name,
        filename=draft.filename,
        document_sha256=draft.document_sha256,
        attachments=list(draft.attachments),
        issued_at=draft.issued_at,
        issued_by=draft.issued_by,
        answers_entry_id=draft.answers_entry_id,
        answers=draft.answers,
        respond_by=draft.respond_by,
        search_text=" ".join(
            fold(p)
            for p in (
                draft.document_number,
                draft.document_type,
                draft.summary,
                draft.signer_name,
                *recipients_text,
            )
            if p
        ),
    )
    session.add(document)
    session.flush()
    return document


def add_delivery(
    session: Session, document: OutgoingDocument, draft: DeliveryDraft
) -> OutgoingDelivery:
    """One recipient of ``document``, state ``queued`` (its mail is queued beside it)."""
    delivery = OutgoingDelivery(
        document_id=_id(document),
        position=draft.position,
        code=draft.code,
        name=draft.name,
        address=draft.address,
        message_id=draft.message_id,
        status=DeliveryStatus.QUEUED,
        reasons=[],
        queued_at=document.issued_at,
        updated_at=document.issued_at,
        confirm_by=draft.confirm_by,
    )
    session.add(delivery)
    session.flush()
    _event(session, delivery, Answer(DeliveryStatus.QUEUED, EventSource.ISSUE, document.issued_at))
    return delivery


def delivery_for(session: Session, message_ids: Sequence[str]) -> OutgoingDelivery | None:
    """The delivery whose mail has one of ``message_ids`` (with or without angle brackets)."""
    ids = {f"<{m.strip().strip('<>')}>" for m in message_ids if m.strip()}
    if not ids:
        return None
    return session.scalars(
        select(OutgoingDelivery).where(col(OutgoingDelivery.message_id).in_(sorted(ids)))
    ).first()


def record_answer(session: Session, delivery_id: int, answer: Answer) -> bool:
    """Apply ``answer`` to the delivery; False when it changes nothing (said before).

    A receipt or a refusal settles the delivery whatever it was (also after a reminder or a
    bounce: the recipient's own word wins); a bounce only settles a delivery still waiting;
    a later status (04/05/06) is recorded on a received delivery and makes a waiting one
    received.
    """
    delivery = session.get_one(OutgoingDelivery, delivery_id)
    status = DeliveryStatus.RECEIVED if answer.status_code in PROGRESS_CODES else answer.status
    current = DeliveryStatus(delivery.status)
    if status is DeliveryStatus.BOUNCED and current not in WAITING_STATUSES:
        return False
    code = answer.status_code or delivery.status_code
    number = answer.their_number or delivery.their_number
    if (current, delivery.status_code, delivery.their_number) == (status, code, number):
        return False
    if status is not current:
        if status in SETTLED_DELIVERY_STATUSES:
            delivery.confirmed_at = answer.at
        delivery.status = status
    delivery.status_code = code
    delivery.their_number = number
    if answer.reasons or status is DeliveryStatus.REFUSED:
        delivery.reasons = list(answer.reasons)
    delivery.updated_at = answer.at
    _event(session, delivery, answer)
    return True


def note_event(
    session: Session,
    delivery_id: int,
    source: EventSource,
    at: datetime,
    *,
    note: str,
    inbound_message_id: str | None = None,
) -> None:
    """Keep in the history what a recipient said that changes no state (a reply without a
    keyword, a ``delayed`` report, an unknown status code)."""
    delivery = session.get_one(OutgoingDelivery, delivery_id)
    answer = Answer(
        DeliveryStatus(delivery.status),
        source,
        at,
        note=note[:500],
        inbound_message_id=inbound_message_id,
    )
    _event(session, delivery, answer)


def settle_relay(session: Session, now: datetime) -> int:
    """Queued deliveries whose mail the outbox handed over → ``sent``; whose mail the relay
    refused for good → ``bounced``. Returns how many changed."""
    rows = session.execute(
        select(OutgoingDelivery, OutboxMessage)
        .join(OutboxMessage, col(OutboxMessage.message_id) == col(OutgoingDelivery.message_id))
        .where(col(OutgoingDelivery.status) == DeliveryStatus.QUEUED)
        .where(col(OutboxMessage.status).in_([OutboxStatus.SENT, OutboxStatus.FAILED]))
    ).all()
    for delivery, mail in rows:
        if mail.status == OutboxStatus.SENT:
            at = mail.sent_at or now
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = delivery.updated_at = at
            _event(session, delivery, Answer(DeliveryStatus.SENT, EventSource.RELAY, at))
        else:
            reason = mail.last_error[:500] or "relay refused"
            answer = Answer(DeliveryStatus.BOUNCED, EventSource.RELAY, now, reasons=(reason,))
            record_answer(session, _id(delivery), answer)
    return len(rows)


def mark_reminded(session: Session, delivery_id: int, at: datetime) -> None:
    delivery = session.get_one(OutgoingDelivery, delivery_id)
    delivery.reminded_at = at
    _event(
        session,
        delivery,
        Answer(DeliveryStatus(delivery.status), EventSource.CLOCK, at, note="reminder"),
    )


def mark_overdue(session: Session, delivery_id: int, at: datetime) -> bool:
    """Flag a still-waiting delivery ``overdue``; False when it was answered meanwhile."""
    delivery = session.get_one(OutgoingDelivery, delivery_id)
    if delivery.status not in OPEN_DELIVERY_STATUSES:
        return False
    delivery.status = DeliveryStatus.OVERDUE
    delivery.overdue_at = at
    delivery.updated_at = at
    _event(session, delivery, Answer(DeliveryStatus.OVERDUE, EventSource.CLOCK, at))
    return True


def _event(session: Session, delivery: OutgoingDelivery, answer: Answer) -> None:
    session.add(
        OutgoingEvent(
            document_id=delivery.document_id,
            delivery_id=_id(delivery),
            at=answer.at,
            status=delivery.status,
            status_code=answer.status_code,
            their_number=answer.their_number,
            reasons=list(answer.reasons),
            source=answer.source,
            note=answer.note,
            inbound_message_id=answer.inbound_message_id,
        )
    )


def _id(row: OutgoingDocument | OutgoingDelivery) -> int:
    if row.id is None:
        raise ValueError("row has not been flushed")
    return row.id
