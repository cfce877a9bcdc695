"""What awaits a person (R-FOLLOW): open assignments by unit and deadline, for the
console's to-do list and the officers' progress buttons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    EntryStatus,
    RegisterEntry,
)

CLOSED_ENTRIES = (EntryStatus.RETURNED, EntryStatus.RECALLED, EntryStatus.DONE)


@dataclass(frozen=True)
class OpenWork:
    """One open assignment with its entry, as the to-do list shows it."""

    assignment: AssignmentRecord
    entry: RegisterEntry


def open_work(
    session: Session,
    *,
    units: Sequence[str] | None = None,
    due_before: datetime | None = None,
    limit: int = 200,
) -> list[OpenWork]:
    """Open (assigned, in progress) assignments, earliest deadline first (none last); only
    those of ``units`` and those due before ``due_before`` when given."""
    query = (
        select(AssignmentRecord, RegisterEntry)
        .join(RegisterEntry, col(RegisterEntry.id) == col(AssignmentRecord.entry_id))
        .where(col(AssignmentRecord.status).in_(OPEN_ASSIGNMENT_STATUSES))
        .where(col(RegisterEntry.status).not_in(CLOSED_ENTRIES))
        .order_by(
            col(AssignmentRecord.due_at).is_(None),
            col(AssignmentRecord.due_at),
            col(AssignmentRecord.id),
        )
        .limit(limit)
    )
    if units is not None:
        query = query.where(col(AssignmentRecord.unit_code).in_(list(units)))
    if due_before is not None:
        query = query.where(col(AssignmentRecord.due_at).is_not(None)).where(
            col(AssignmentRecord.due_at) < due_before
        )
    return [OpenWork(a, e) for a, e in session.execute(query)]


def assignments_of_entry(session: Session, entry_id: int) -> list[AssignmentRecord]:
    return list(
        session.scalars(
            select(AssignmentRecord)
            .where(col(AssignmentRecord.entry_id) == entry_id)
            .order_by(col(AssignmentRecord.id))
        )
    )


def open_assignments_of_entry(session: Session, entry_id: int) -> list[AssignmentRecord]:
    """The entry's assignments still open (assigned, in progress)."""
    return list(
        session.scalars(
            select(AssignmentRecord)
            .where(col(AssignmentRecord.entry_id) == entry_id)
            .where(col(AssignmentRecord.status).in_(OPEN_ASSIGNMENT_STATUSES))
        )
    )
