"""Reading the outbox (DESIGN §1.8) for the console, the command line and the follow-ups:
the answers a message was sent, the mail that does not leave, counts by status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import InboundMessage, OutboxMessage, OutboxStatus


def answers_by_inbound(
    session: Session, inbound_ids: Sequence[int], kinds: Iterable[str]
) -> dict[int, list[OutboxMessage]]:
    """Inbound id → its outbox rows of ``kinds`` (receipt, rejection…), oldest first."""
    found: dict[int, list[OutboxMessage]] = {}
    for row in session.scalars(
        select(OutboxMessage)
        .where(col(OutboxMessage.inbound_id).in_(list(inbound_ids)))
        .where(col(OutboxMessage.kind).in_(tuple(kinds)))
        .order_by(col(OutboxMessage.id))
    ):
        if row.inbound_id is not None:
            found.setdefault(row.inbound_id, []).append(row)
    return found


def first_recipient(session: Session, inbound_id: int | None, kind: str) -> str | None:
    """The recipient of the first outbox row of ``kind`` about message ``inbound_id``."""
    return session.scalars(
        select(col(OutboxMessage.recipient))
        .where(col(OutboxMessage.inbound_id) == inbound_id)
        .where(col(OutboxMessage.kind) == kind)
        .order_by(col(OutboxMessage.id))
    ).first()


def outbox_by_message_id(session: Session, message_id: str) -> OutboxMessage | None:
    """The outbox row whose Message-ID is ``message_id``, or None."""
    return session.scalars(
        select(OutboxMessage).where(col(OutboxMessage.message_id) == message_id)
    ).first()


def outbox_id_of(session: Session, message_id: str) -> int | None:
    """The id of the outbox row whose Message-ID is ``message_id`` (queued before?)."""
    return session.scalars(
        select(col(OutboxMessage.id)).where(col(OutboxMessage.message_id) == message_id)
    ).first()


def mail_of_spool_items(session: Session, spool_ids: Sequence[str]) -> list[OutboxMessage]:
    """The outbox rows about the inbound messages of these spool items."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .join(InboundMessage, col(InboundMessage.id) == col(OutboxMessage.inbound_id))
            .where(col(InboundMessage.spool_id).in_(list(spool_ids)))
        )
    )


def failing_mail(session: Session, limit: int) -> list[OutboxMessage]:
    """Unsent rows that met an error, newest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(col(OutboxMessage.status) != OutboxStatus.SENT)
            .where(col(OutboxMessage.last_error) != "")
            .order_by(col(OutboxMessage.id).desc())
            .limit(limit)
        )
    )


def counts_by_status(session: Session) -> dict[str, int]:
    """Outbox status → how many rows have it (statuses without rows left out)."""
    rows = session.execute(
        select(col(OutboxMessage.status), func.count()).group_by(col(OutboxMessage.status))
    )
    return {str(status): int(count) for status, count in rows}
