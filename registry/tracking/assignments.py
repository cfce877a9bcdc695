"""Who handles a registered document: the routing result written with its entry, and read.

The gateway hands the routing decision over as a :class:`RoutingDraft` (plain values: the
registry never imports ``rules``); :func:`record_routing` writes it in the registering
transaction — the assignments with fresh reply tokens, the rules version, trace and facts
on the entry (its ``rule_hit`` rows replaced to match), ``status = assigned`` when there is
a lead, and an ``entry.assigned`` audit event. The queries serve ``gateway register list
--overdue/--status`` and ``register stats``.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    AssignmentStatus,
    EntryStatus,
    RegisterEntry,
)
from registry.queries import rows_by_entry
from registry.recorder import Recorder
from registry.reports.rule_hits import replace_rule_hits

LEAD = "lead"
TOKEN_BYTES = 12  # 24 lower-case hex digits: safe in a local part, unguessable


@dataclass(frozen=True)
class AssignmentDraft:
    """One assignee of one document (a unit, or a named officer of it)."""

    unit_code: str
    unit_name: str
    role: str  # lead | cooperate | inform
    mailbox: str
    person: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class RoutingDraft:
    """The routing decision for one entry, as the register keeps it."""

    rules_version: str
    trace: tuple[dict[str, Any], ...]
    facts: dict[str, Any]
    assignments: tuple[AssignmentDraft, ...] = ()
    priority: int = 0
    tags: tuple[str, ...] = ()
    process_by: datetime | None = None
    assign_by: datetime | None = None
    hold_reason: str = ""  # not empty: registered, not routed; a clerk assigns later
    propose: bool = False  # the assignments are a proposal; a leader decides (R-DISTRIB)


@dataclass(frozen=True)
class UnitCounts:
    """One line of ``gateway register stats``: a unit's assignments by state."""

    unit_code: str
    unit_name: str
    assigned: int = 0
    in_progress: int = 0
    done: int = 0
    overdue: int = 0
    total: int = 0


def new_token() -> str:
    """A fresh reply token for ``vanthu+TOKEN@…`` (lower-case: local parts fold case)."""
    return secrets.token_hex(TOKEN_BYTES)


def record_routing(
    recorder: Recorder, entry: RegisterEntry, routing: RoutingDraft
) -> list[AssignmentRecord]:
    """Write ``routing`` for ``entry`` in the open transaction; the new rows, flushed."""
    session, now = recorder.session, recorder.now
    entry.rules_version = routing.rules_version
    entry.routing_trace = list(routing.trace)
    entry.routing_facts = dict(routing.facts)
    entry.priority = routing.priority
    entry.tags = list(routing.tags)
    entry.process_by = routing.process_by
    entry.assign_by = routing.assign_by
    routed = not routing.hold_reason and not routing.propose
    records = [new_assignment(entry, a, now) for a in routing.assignments] if routed else []
    session.add_all(records)
    if any(a.role == LEAD for a in records):
        entry.status = EntryStatus.ASSIGNED
    elif routing.propose and not routing.hold_reason:
        entry.status = EntryStatus.AWAITING_DISTRIBUTION
    session.flush()
    replace_rule_hits(session, entry)  # the rules the trace says matched, for /rules
    if routing.hold_reason:
        recorder.audit("entry.held", entry=entry, reason=routing.hold_reason)
    elif routing.propose:
        recorder.audit("entry.proposed", entry=entry, rules_version=routing.rules_version)
    elif records:
        recorder.audit(
            "entry.assigned",
            entry=entry,
            rules_version=routing.rules_version,
            assignments=[
                {
                    "unit": a.unit_code,
                    "role": a.role,
                    "mailbox": a.mailbox,
                    "due_at": a.due_at.isoformat() if a.due_at else None,
                }
                for a in records
            ],
        )
    return records


def new_assignment(entry: RegisterEntry, draft: AssignmentDraft, now: datetime) -> AssignmentRecord:
    """A fresh, open assignment row of ``entry`` with its own reply token (not yet added)."""
    if entry.id is None:
        raise ValueError("entry has not been flushed")
    return AssignmentRecord(
        entry_id=entry.id,
        unit_code=draft.unit_code,
        unit_name=draft.unit_name,
        role=draft.role,
        mailbox=draft.mailbox,
        person=draft.person,
        due_at=draft.due_at,
        status=AssignmentStatus.ASSIGNED,
        token=new_token(),
        created_at=now,
        updated_at=now,
    )


def assignments_of(
    session: Session, entries: Sequence[RegisterEntry]
) -> dict[int, list[AssignmentRecord]]:
    """The assignments of each entry (by entry id), lead first, then in routing order."""
    found = rows_by_entry(session, AssignmentRecord, entries, col(AssignmentRecord.id))
    for rows_of_entry in found.values():
        rows_of_entry.sort(key=lambda a: a.role != LEAD)
    return found


def entries_by_status(
    session: Session, status: str, *, year: int | None = None
) -> list[RegisterEntry]:
    """Entries in register order whose status is ``status``."""
    query = _in_register_order().where(col(RegisterEntry.status) == status)
    if year is not None:
        query = query.where(col(RegisterEntry.year) == year)
    return list(session.scalars(query))


def overdue_entries(
    session: Session, now: datetime, *, year: int | None = None
) -> list[RegisterEntry]:
    """Entries with an assignment still open (assigned, in progress) whose deadline passed."""
    late = (
        select(col(AssignmentRecord.entry_id))
        .where(col(AssignmentRecord.status).in_(OPEN_ASSIGNMENT_STATUSES))
        .where(col(AssignmentRecord.due_at).is_not(None))
        .where(col(AssignmentRecord.due_at) < now)
    )
    query = _in_register_order().where(col(RegisterEntry.id).in_(late))
    if year is not None:
        query = query.where(col(RegisterEntry.year) == year)
    return list(session.scalars(query))


def unit_counts(session: Session, now: datetime, *, year: int | None = None) -> list[UnitCounts]:
    """Per unit: assignments assigned, in progress, done, overdue and in all (reassigned
    ones are counted where they went, not where they were)."""
    query = (
        select(AssignmentRecord)
        .join(RegisterEntry, col(RegisterEntry.id) == col(AssignmentRecord.entry_id))
        .where(col(AssignmentRecord.status) != AssignmentStatus.REASSIGNED)
        .order_by(col(AssignmentRecord.unit_code))
    )
    if year is not None:
        query = query.where(col(RegisterEntry.year) == year)
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for row in session.scalars(query):
        tally = counts.setdefault(row.unit_code, defaultdict(int))
        names.setdefault(row.unit_code, row.unit_name)
        tally["total"] += 1
        if row.status in OPEN_ASSIGNMENT_STATUSES:
            tally[str(row.status)] += 1
            if row.due_at is not None and row.due_at < now:
                tally["overdue"] += 1
        elif row.status == AssignmentStatus.DONE:
            tally["done"] += 1
    return [
        UnitCounts(
            unit_code=code,
            unit_name=names[code],
            assigned=tally["assigned"],
            in_progress=tally["in_progress"],
            done=tally["done"],
            overdue=tally["overdue"],
            total=tally["total"],
        )
        for code, tally in counts.items()
    ]


def _in_register_order() -> Any:
    return select(RegisterEntry).order_by(
        col(RegisterEntry.year), col(RegisterEntry.incoming_number)
    )
