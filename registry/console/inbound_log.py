"""The inbound log as the console and the command line read it (R-REFUSE: a refused or
held message never vanishes): messages by outcome, page by page, with their signature
verdicts and the register numbers they gave."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    AttachmentRecord,
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    Outcome,
    RegisterEntry,
    SignatureResult,
)


def held_messages(session: Session) -> list[InboundMessage]:
    """The messages held for a clerk's decision, oldest first."""
    return list(
        session.scalars(
            select(InboundMessage)
            .where(col(InboundMessage.outcome) == Outcome.HELD)
            .order_by(col(InboundMessage.received_at))
        )
    )


def inbound_messages(
    session: Session, outcome: str | None, *, offset: int = 0, limit: int = 0
) -> list[InboundMessage]:
    """Inbound messages newest first, only those of ``outcome`` when given."""
    query = select(InboundMessage)
    if outcome:
        query = query.where(col(InboundMessage.outcome) == outcome)
    query = query.order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
    if offset:
        query = query.offset(offset)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_inbound(session: Session, outcome: str | None) -> int:
    """How many inbound messages there are (of ``outcome`` when given)."""
    counted = select(func.count()).select_from(InboundMessage)
    if outcome:
        counted = counted.where(col(InboundMessage.outcome) == outcome)
    return int(session.scalar(counted) or 0)


def signatures_by_inbound(
    session: Session, inbound_ids: Sequence[int | None]
) -> dict[int, list[SignatureResult]]:
    """Inbound id → its signature results, in the order they were recorded."""
    found: dict[int, list[SignatureResult]] = {}
    for row in session.scalars(
        select(SignatureResult)
        .where(col(SignatureResult.inbound_id).in_(list(inbound_ids)))
        .order_by(col(SignatureResult.id))
    ):
        found.setdefault(row.inbound_id, []).append(row)
    return found


def numbers_by_inbound(
    session: Session, inbound_ids: Sequence[int]
) -> dict[int, list[tuple[int, int]]]:
    """Inbound id → (year, incoming number) of the entries it gave, in number order."""
    found: dict[int, list[tuple[int, int]]] = {}
    for inbound_id, year, number in session.execute(
        select(
            col(RegisterEntry.inbound_id),
            col(RegisterEntry.year),
            col(RegisterEntry.incoming_number),
        )
        .where(col(RegisterEntry.inbound_id).in_(list(inbound_ids)))
        .order_by(col(RegisterEntry.incoming_number))
    ):
        found.setdefault(inbound_id, []).append((year, number))
    return found


def forget_held(session: Session, inbound: InboundMessage) -> None:
    """Remove a held message released or reprocessed by a clerk: its signature results and
    files go; its audit trail, any alert and its re-deliveries stay, no longer pointing at
    it (the reprocessed copy is recorded and answered afresh)."""
    for table in (SignatureResult, AttachmentRecord):
        session.execute(delete(table).where(col(table.inbound_id) == inbound.id))
    for kept in (AuditEvent, OutboxMessage):
        session.execute(
            update(kept).where(col(kept.inbound_id) == inbound.id).values(inbound_id=None)
        )
    session.execute(
        update(InboundMessage)
        .where(col(InboundMessage.duplicate_of) == inbound.id)
        .values(duplicate_of=None)
    )
    session.delete(inbound)


def forget_placeholder(session: Session, placeholder: InboundMessage) -> None:
    """Remove a ``quarantined`` placeholder row; its audit events stay."""
    session.execute(
        update(AuditEvent)
        .where(col(AuditEvent.inbound_id) == placeholder.id)
        .values(inbound_id=None)
    )
    session.delete(placeholder)
    session.flush()
