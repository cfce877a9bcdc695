"""Reads of the outgoing register (DESIGN §4.7) for ``gateway outgoing``, the console and
the monthly report. Read-only: nothing here writes.

A delivery still ``queued`` whose mail the outbox has handed over is shown ``sent`` (and
one the relay refused for good, ``bounced``) even before the clock records it
(:func:`registry.outgoing.writer.settle_relay`): the outbox row is the truth of the relay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from mailparse.documents.text import fold
from registry.errors import NotFoundError
from registry.models import OutboxMessage, OutboxStatus
from registry.outgoing.models import (
    OPEN_DELIVERY_STATUSES,
    SETTLED_DELIVERY_STATUSES,
    DeliveryStatus,
    OutgoingDelivery,
    OutgoingDocument,
    OutgoingEvent,
)
from registry.outgoing.views import EventView, OutgoingView, RecipientView, UnitIssueCounts


def list_outgoing(
    session: Session,
    *,
    year: int | None = None,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[OutgoingView]:
    """Issued documents, newest first; ``status``: those with a recipient in that state
    (as shown); ``search``: every word, with or without diacritics."""
    query = select(OutgoingDocument).order_by(
        col(OutgoingDocument.issued_at).desc(), col(OutgoingDocument.id).desc()
    )
    if year is not None:
        query = query.where(col(OutgoingDocument.year) == year)
    for word in fold(search or "").split():
        query = query.where(col(OutgoingDocument.search_text).contains(word, autoescape=True))
    documents = list(session.scalars(query))
    views = _views(session, documents)
    if status:
        views = [v for v in views if any(r.status == status for r in v.recipients)]
    views = views[offset:]
    return views[:limit] if limit is not None else views


def get_outgoing(session: Session, document_id: int) -> OutgoingView:
    """One issued document; NotFoundError when there is none with that id."""
    document = session.get(OutgoingDocument, document_id)
    if document is None:
        raise NotFoundError(f"văn bản đi số {document_id}")
    return _views(session, [document])[0]


def history_of(session: Session, document_id: int) -> list[EventView]:
    """Every change of every recipient of the document, oldest first."""
    rows = session.execute(
        select(OutgoingEvent, OutgoingDelivery)
        .join(OutgoingDelivery, col(OutgoingDelivery.id) == col(OutgoingEvent.delivery_id))
        .where(col(OutgoingEvent.document_id) == document_id)
        .order_by(col(OutgoingEvent.at), col(OutgoingEvent.id))
    ).all()
    return [
        EventView(
            at=event.at,
            code=delivery.code,
            address=delivery.address,
            status=event.status,
            status_code=event.status_code,
            their_number=event.their_number,
            reasons=tuple(event.reasons),
            source=event.source,
            note=event.note,
        )
        for event, delivery in rows
    ]


def issued_between(session: Session, start: datetime, end: datetime) -> list[OutgoingView]:
    """Documents issued in [start, end), oldest first (R-ISSUE timing, the monthly report)."""
    documents = session.scalars(
        select(OutgoingDocument)
        .where(col(OutgoingDocument.issued_at) >= start)
        .where(col(OutgoingDocument.issued_at) < end)
        .order_by(col(OutgoingDocument.issued_at), col(OutgoingDocument.id))
    )
    return _views(session, list(documents))


def unit_month_counts(
    session: Session, start: datetime, end: datetime
) -> dict[str, UnitIssueCounts]:
    """Per directory code (``""`` for addresses outside it): what was issued to each unit in
    [start, end) and what became of it by ``end`` (R-MONTHLY)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    delays: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for view in issued_between(session, start, end):
        for r in view.recipients:
            key = r.code or ""
            totals[key]["issued"] += 1
            settled = r.status in SETTLED_DELIVERY_STATUSES and (
                r.confirmed_at is None or r.confirmed_at < end
            )
            state = r.status if settled else "unanswered"
            totals[key][state] += 1
            if settled and r.status == DeliveryStatus.RECEIVED and r.confirmed_at is not None:
                delays[key].append((view.issued_at, r.confirmed_at))
    return {
        key: UnitIssueCounts(
            issued=t["issued"],
            received=t[DeliveryStatus.RECEIVED],
            refused=t[DeliveryStatus.REFUSED],
            bounced=t[DeliveryStatus.BOUNCED],
            unanswered=t["unanswered"],
            confirm_delays=tuple(delays[key]),
        )
        for key, t in totals.items()
    }


def find_by_number(session: Session, year: int, outgoing_number: int) -> OutgoingView:
    """The document entered as ``outgoing_number`` of ``year``."""
    document = session.scalars(
        select(OutgoingDocument)
        .where(col(OutgoingDocument.year) == year)
        .where(col(OutgoingDocument.outgoing_number) == outgoing_number)
    ).first()
    if document is None:
        raise NotFoundError(f"văn bản đi số {outgoing_number} năm {year}")
    return _views(session, [document])[0]


def _views(session: Session, documents: Sequence[OutgoingDocument]) -> list[OutgoingView]:
    ids = [d.id for d in documents if d.id is not None]
    recipients: dict[int, list[RecipientView]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(OutgoingDelivery, col(OutboxMessage.status), col(OutboxMessage.sent_at))
            .outerjoin(
                OutboxMessage,
                col(OutboxMessage.message_id) == col(OutgoingDelivery.message_id),
            )
            .where(col(OutgoingDelivery.document_id).in_(ids))
            .order_by(col(OutgoingDelivery.document_id), col(OutgoingDelivery.position))
        ).all()
        for delivery, mail_status, sent_at in rows:
            recipients[delivery.document_id].append(_recipient(delivery, mail_status, sent_at))
    return [
        OutgoingView(
            id=d.id or 0,
            year=d.year,
            outgoing_number=d.outgoing_number,
            document_number=d.document_number,
            issued_on=d.issued_on,
            document_type=d.document_type,
            summary=d.summary,
            urgency=d.urgency,
            pages=d.pages,
            signer_name=d.signer_name,
            filename=d.filename,
            document_sha256=d.document_sha256,
            attachments=tuple(d.attachments),
            issued_at=d.issued_at,
            issued_by=d.issued_by,
            answers=d.answers,
            respond_by=d.respond_by,
            recipients=tuple(recipients.get(d.id or 0, ())),
        )
        for d in documents
    ]


def _recipient(
    delivery: OutgoingDelivery, mail_status: str | None, sent_at: datetime | None
) -> RecipientView:
    status, updated_at = delivery.status, delivery.updated_at
    if status == DeliveryStatus.QUEUED and mail_status == OutboxStatus.SENT:
        status, updated_at = DeliveryStatus.SENT, sent_at or updated_at
    elif status == DeliveryStatus.QUEUED and mail_status == OutboxStatus.FAILED:
        status = DeliveryStatus.BOUNCED
    return RecipientView(
        position=delivery.position,
        code=delivery.code,
        name=delivery.name,
        address=delivery.address,
        status=status,
        updated_at=updated_at,
        their_number=delivery.their_number,
        reasons=tuple(delivery.reasons),
        status_code=delivery.status_code,
        confirm_by=delivery.confirm_by,
        reminded_at=delivery.reminded_at,
        confirmed_at=delivery.confirmed_at,
        message_id=delivery.message_id,
    )


@dataclass(frozen=True)
class WaitingDelivery:
    """A recipient that has not answered yet, as the clock sees it (plain values)."""

    id: int
    document_id: int
    year: int
    outgoing_number: int
    document_number: str
    code: str | None
    name: str
    address: str
    message_id: str
    confirm_by: datetime
    reminded_at: datetime | None
    issued_by: str


def waiting_deliveries(session: Session, due_before: datetime) -> list[WaitingDelivery]:
    """Recipients still ``queued``/``sent`` whose answer was due before ``due_before``."""
    rows = session.execute(
        select(OutgoingDelivery, OutgoingDocument)
        .join(OutgoingDocument, col(OutgoingDocument.id) == col(OutgoingDelivery.document_id))
        .where(col(OutgoingDelivery.status).in_(list(OPEN_DELIVERY_STATUSES)))
        .where(col(OutgoingDelivery.confirm_by) <= due_before)
        .order_by(col(OutgoingDelivery.confirm_by), col(OutgoingDelivery.id))
    ).all()
    return [
        WaitingDelivery(
            id=d.id or 0,
            document_id=d.document_id,
            year=doc.year,
            outgoing_number=doc.outgoing_number,
            document_number=doc.document_number,
            code=d.code,
            name=d.name,
            address=d.address,
            message_id=d.message_id,
            confirm_by=d.confirm_by,
            reminded_at=d.reminded_at,
            issued_by=doc.issued_by,
        )
        for d, doc in rows
    ]


def deliveries_of_number(session: Session, key: str) -> list[OutgoingDelivery]:
    """The deliveries of our documents whose số/ký hiệu key is ``key``, latest issued
    first (what an unthreaded edXML status may be about)."""
    return list(
        session.execute(
            select(OutgoingDelivery)
            .join(OutgoingDocument, col(OutgoingDocument.id) == col(OutgoingDelivery.document_id))
            .where(col(OutgoingDocument.document_key) == key)
            .order_by(col(OutgoingDocument.issued_at).desc())
        ).scalars()
    )
