"""Outbox rows: claim with a lease, then mark sent, retry or failed (DESIGN §1.8).

A claim moves ``next_attempt_at`` past a lease, names its owner (``host:pid``) and
commits, so delivery happens outside any transaction. A gateway that dies mid-delivery
leaves its rows leased: they are claimed again when the lease runs out, or at once when
the next gateway on the same host finds the owner dead (:func:`release_leases`) —
at-least-once through a relay; the maildir is idempotent. On PostgreSQL several instances
claim with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    message_id: str
    sender: str
    recipient: str
    raw: bytes
    attempts: int


def claim_due(
    session: Session, now: datetime, *, lease: timedelta, owner: str, limit: int = 10
) -> list[ClaimedMail]:
    """Take up to ``limit`` pending rows that are due, leasing them to this caller."""
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.PENDING)
        .where(col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row in session.scalars(query):
        row.next_attempt_at = now + lease
        row.lease_owner = owner
        row.attempts += 1
        claimed.append(
            ClaimedMail(
                id=_id(row),
                message_id=row.message_id,
                sender=row.sender,
                recipient=row.recipient,
                raw=row.raw,
                attempts=row.attempts,
            )
        )
    return claimed


def mark_sent(session: Session, mail_id: int, now: datetime) -> None:
    row = session.get_one(OutboxMessage, mail_id)
    row.status = OutboxStatus.SENT
    row.sent_at = now
    row.last_error = ""
    row.lease_owner = None


def mark_retry(session: Session, mail_id: int, at: datetime, error: str) -> None:
    row = session.get_one(OutboxMessage, mail_id)
    row.next_attempt_at = at
    row.last_error = error
    row.lease_owner = None


def mark_failed(session: Session, mail_id: int, error: str) -> None:
    row = session.get_one(OutboxMessage, mail_id)
    row.status = OutboxStatus.FAILED
    row.last_error = error
    row.lease_owner = None


def release_claims(session: Session, mail_ids: Sequence[int], now: datetime) -> None:
    """Give back claimed rows that were not attempted: due now, the attempt not counted."""
    if mail_ids:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(mail_ids))
            .values(
                next_attempt_at=now,
                lease_owner=None,
                attempts=col(OutboxMessage.attempts) - 1,
            )
        )


def lease_owners(session: Session, prefix: str) -> list[str]:
    """Owners (``host:pid``) holding leases on pending rows, whose name starts with prefix."""
    query = (
        select(col(OutboxMessage.lease_owner))
        .where(col(OutboxMessage.status) == OutboxStatus.PENDING)
        .where(col(OutboxMessage.lease_owner).startswith(prefix, autoescape=True))
        .distinct()
    )
    return [owner for owner in session.scalars(query) if owner]


def release_leases(session: Session, owners: Sequence[str], now: datetime) -> int:
    """Make the rows leased by dead owners due now; returns how many were released."""
    if not owners:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.PENDING)
        .where(col(OutboxMessage.lease_owner).in_(owners))
        .values(next_attempt_at=now, lease_owner=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_outbox(session: Session, status: str | None = None) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if status:
        query = query.where(col(OutboxMessage.status) == status)
    return session.scalars(query).all()


def _id(row: OutboxMessage) -> int:
    if row.id is None:
        raise ValueError("outbox row without id")
    return row.id
