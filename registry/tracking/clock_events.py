"""Once-only follow-ups: the ``clock_event`` claim and the rows the clock looks at.

Each reminder, escalation or help mail has a key (``reminder:<assignment id>``,
``overdue:<assignment id>``, ``unassigned:<entry id>``, ``help:<assignment id>``). The
INSERT of that key is the claim: the unique constraint lets exactly one transaction win,
whichever gateway instance runs it. The insert runs inside a SAVEPOINT, so losing the race
(a unique-key conflict) leaves the caller's transaction usable; the caller queues its mail
in the same transaction, so the event and its mail commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    ClockEvent,
    EntryStatus,
    RegisterEntry,
)


@dataclass(frozen=True)
class OpenAssignment:
    """An assignment still owed, as the clock sees it (plain values, no session)."""

    id: int
    entry_id: int
    unit_code: str
    unit_name: str
    role: str
    mailbox: str
    token: str
    due_at: datetime
    year: int
    incoming_number: int


@dataclass(frozen=True)
class UnassignedEntry:
    """A registered entry nobody was assigned to (held, or no rule routed it)."""

    id: int
    year: int
    incoming_number: int
    assign_by: datetime


def claim(
    session: Session,
    key: str,
    kind: str,
    *,
    now: datetime,
    instance: str,
    entry_id: int | None = None,
    assignment_id: int | None = None,
) -> bool:
    """Insert the event ``key``; True when this transaction claimed it, False when it exists.

    On PostgreSQL a concurrent claimer waits for the first one's commit, then gets the
    unique-key conflict; on SQLite the write lock serialises the claimers.
    """
    if session.scalars(select(col(ClockEvent.id)).where(col(ClockEvent.key) == key)).first():
        return False
    event = ClockEvent(
        key=key,
        kind=kind,
        entry_id=entry_id,
        assignment_id=assignment_id,
        fired_at=now,
        instance=instance[:200],
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return False
    return True


def claimed_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` fired already (a cheap pre-filter; :func:`claim` decides)."""
    if not keys:
        return set()
    query = select(col(ClockEvent.key)).where(col(ClockEvent.key).in_(keys))
    return set(session.scalars(query))


def open_assignments(session: Session, due_before: datetime) -> list[OpenAssignment]:
    """Open assignments with a deadline before ``due_before`` (the reminder horizon)."""
    rows = session.execute(
        select(AssignmentRecord, RegisterEntry)
        .join(RegisterEntry, col(RegisterEntry.id) == col(AssignmentRecord.entry_id))
        .where(col(AssignmentRecord.status).in_(OPEN_ASSIGNMENT_STATUSES))
        .where(col(AssignmentRecord.due_at).is_not(None))
        .where(col(AssignmentRecord.due_at) < due_before)
        .where(col(RegisterEntry.status).not_in((EntryStatus.RETURNED, EntryStatus.RECALLED)))
        .order_by(col(AssignmentRecord.due_at), col(AssignmentRecord.id))
    )
    found = []
    for assignment, entry in rows:
        if assignment.id is None or assignment.due_at is None:
            continue
        found.append(
            OpenAssignment(
                id=assignment.id,
                entry_id=assignment.entry_id,
                unit_code=assignment.unit_code,
                unit_name=assignment.unit_name,
                role=assignment.role,
                mailbox=assignment.person or assignment.mailbox,
                token=assignment.token,
                due_at=assignment.due_at,
                year=entry.year,
                incoming_number=entry.incoming_number,
            )
        )
    return found


def unassigned_entries(session: Session, now: datetime) -> list[UnassignedEntry]:
    """Entries still ``registered`` (nobody assigned) whose ``assign_by`` has passed."""
    rows = session.scalars(
        select(RegisterEntry)
        .where(col(RegisterEntry.status) == EntryStatus.REGISTERED)
        .where(col(RegisterEntry.assign_by).is_not(None))
        .where(col(RegisterEntry.assign_by) <= now)
        .order_by(col(RegisterEntry.id))
    )
    return [
        UnassignedEntry(e.id, e.year, e.incoming_number, e.assign_by)
        for e in rows
        if e.id is not None and e.assign_by is not None
    ]
