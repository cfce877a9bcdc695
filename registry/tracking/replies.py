"""What the outbox says about automatic replies: how many went to an address lately, and
which of our mails came back as a delivery status notification (RFC 3464)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import AssignmentRecord, OutboxMessage


def replies_since(session: Session, recipient: str, since: datetime) -> int:
    """Outbox rows to ``recipient`` (any case) created at or after ``since``."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(func.lower(col(OutboxMessage.recipient)) == recipient.lower())
        .where(col(OutboxMessage.created_at) >= since)
    )
    return int(session.scalar(query) or 0)


def record_bounce(session: Session, message_id: str, at: datetime, reason: str) -> int | None:
    """Mark the outbox row with ``message_id`` as bounced; its id, or None when unknown.

    The first bounce is kept: a later DSN for the same mail changes nothing.
    """
    row = session.scalars(
        select(OutboxMessage).where(col(OutboxMessage.message_id) == message_id)
    ).first()
    if row is None:
        return None
    if row.bounced_at is None:
        row.bounced_at = at
        row.bounce_reason = reason[:1000]
    return row.id


def assignment_by_token(session: Session, tokens: Sequence[str]) -> AssignmentRecord | None:
    """The assignment whose reply token is one of ``tokens``, or None."""
    return session.scalars(
        select(AssignmentRecord).where(col(AssignmentRecord.token).in_(list(tokens)))
    ).first()


def assignments_routed_as(session: Session, message_ids: Sequence[str]) -> list[AssignmentRecord]:
    """The assignments whose routed copy had one of ``message_ids``, newest first."""
    return list(
        session.scalars(
            select(AssignmentRecord)
            .where(col(AssignmentRecord.routed_message_id).in_(list(message_ids)))
            .order_by(col(AssignmentRecord.id).desc())
        )
    )
