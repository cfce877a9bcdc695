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
    """Take up to ``limit`` pending rows that are due, leasing them to this caller.

    Two statements, no ORM objects: the rows carry whole messages, and the sender holds
    the database's write lock while it claims (the register transactions wait for it)."""
    m = OutboxMessage
    query = (
        select(*(col(c) for c in (m.id, m.message_id, m.sender, m.recipient, m.raw, m.attempts)))
        .where(col(m.status) == OutboxStatus.PENDING)
        .where(col(m.next_attempt_at) <= now)
        .order_by(col(m.next_attempt_at), col(m.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = [
        ClaimedMail(row.id, row.message_id, row.sender, row.recipient, row.raw, row.attempts + 1)
        for row in session.execute(query)
    ]
    if claimed:
        session.execute(
            update(m)
            .where(col(m.id).in_([mail.id for mail in claimed]))
            .values(next_attempt_at=now + lease, lease_owner=owner, attempts=col(m.attempts) + 1)
        )
    return claimed


def mark_sent(session: Session, mail_ids: Sequence[int], now: datetime) -> None:
    """The rows handed over to the relay (one statement for a whole round)."""
    if mail_ids:
        _set(session, mail_ids, status=OutboxStatus.SENT, sent_at=now, last_error="")


def mark_retry(session: Session, mail_id: int, at: datetime, error: str) -> None:
    _set(session, [mail_id], next_attempt_at=at, last_error=error)


def mark_failed(session: Session, mail_id: int, error: str) -> None:
    _set(session, [mail_id], status=OutboxStatus.FAILED, last_error=error)


def _set(session: Session, mail_ids: Sequence[int], **values: object) -> None:
    """Rows ``mail_ids`` given ``values``, and out of their lease."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(mail_ids))
        .values(**values, lease_owner=None)
    )


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
