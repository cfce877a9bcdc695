"""The monthly report's reads (R-MONTHLY): one narrow row of facts per entry that matters.

Three statements, so that the database plans the last two for the few thousand entries
they really read, by primary key (with the candidates in a subquery, PostgreSQL estimates
tens of thousands of rows and scans the wide ``register_entry`` table instead):

1. :func:`_candidate_ids`: the entries received in the month, those whose lead is not done
   or was done from the month's start on, and those without a lead — a superset of
   "received in the month or carried over into it" (an entry without a lead is carried
   over however old it is), found with one pass over the leads joined to the primary-key
   index, never a read of the wide entry rows of other months;
2. :func:`_entries`: those entries received before the month's end, with the answer,
   registration, first assignment and signature facts looked up only for the ones
   received in the month (the only ones that use them);
3. :func:`_leads`: their lead candidates by id; the first one is the lead.

The ids go back to the database as one value (:func:`_among`). :mod:`registry.reports.reporting`
narrows the superset with the exact definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    AuditEvent,
    OutboxMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.reports.limits import Limits, assign_limit, register_limit

ANSWER_KINDS = ("receipt", "rejection")
NO_LEAD = (None, None, None, None, None, None)  # a row of _leads
SLICE = 500  # rows fetched at a time


@dataclass(frozen=True)
class EntryFacts:
    """What the report needs of one entry; the last four only for one received in M."""

    received_at: datetime
    agency_code: str
    agency_name: str | None
    unit_code: str
    unit_name: str | None
    due_at: datetime | None
    done_at: datetime | None  # the lead's, when it is done
    answered_at: datetime | None
    registered_in_time: bool  # entry.registered at or before its limit (limits.py)
    assigned_in_time: bool  # first assignment at or before its limit (limits.py)
    signed_valid: bool  # at least one signature, all valid


def fetch_facts(
    session: Session,
    start: datetime,
    end: datetime,
    year: int,
    unit: str | None,
    *,
    limits: Limits,
) -> Iterator[EntryFacts]:
    """The facts of every entry received before ``end`` that may count in [start, end):
    ``year`` is the month's (local) year; ``unit``: only entries assigned to it (any role);
    ``limits``: what "registered / assigned in time" means (:mod:`registry.reports.limits`).

    Yielded one by one, the rows read in slices and kept as plain tuples: thousands of
    result rows held at once outlive the young garbage-collector generation and set off
    full collections, which cost more than the query."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The estimates are far above jit_above_cost; compiling would cost more than running.
        session.execute(text("SET LOCAL jit = off"))
    connection = session.connection()
    listed = connection.execute(_candidate_ids(start, end, year, unit, dialect)).scalar()
    if not listed:
        return
    entries = _tuples(connection.execute(_entries(_among(listed, dialect), start, end)))
    if not entries:
        return
    leads: dict[int, tuple[Any, ...]] = {}
    kept = _among(",".join(str(entry[0]) for entry in entries), dialect)
    for lead in _tuples(connection.execute(_leads(kept))):  # by id: the first is the lead
        leads.setdefault(lead[0], lead)
    for entry in entries:
        yield _facts(entry, leads.get(entry[0]), limits)


def _tuples(result: Result[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for rows in result.partitions(SLICE) for row in rows]


def _in_force(assignment: Any = AssignmentRecord) -> Any:
    """An assignment that can be an entry's lead (the lead is the first such, by id)."""
    return and_(
        col(assignment.role) == "lead",
        col(assignment.status) != AssignmentStatus.REASSIGNED,
    )


def _candidate_ids(
    start: datetime, end: datetime, year: int, unit: str | None, dialect: str
) -> Any:
    """The candidates' ids as one text, comma-separated (not one row each: thousands of
    rows only to be sent back)."""
    entry_id = col(RegisterEntry.id)
    received = col(RegisterEntry.received_at)
    new = (  # an entry's year is the local year of its arrival: the (year, id) index helps
        select(entry_id).where(col(RegisterEntry.year) == year, received >= start, received < end)
    )
    lead = aliased(AssignmentRecord, name="lead")
    # One pass over the leads: no lead at all (the outer join's NULL row), or one not done
    # before the month (a "done" without a moment counts as not done, as in _figures); of
    # the entries of the month's year or before (those of later years came after it).
    open_or_none = (
        select(entry_id)
        .outerjoin(lead, and_(col(lead.entry_id) == entry_id, _in_force(lead)))
        .where(col(RegisterEntry.year) <= year)
        .where(
            or_(
                col(lead.status) != AssignmentStatus.DONE,
                col(lead.done_at).is_(None),
                col(lead.done_at) >= start,
            )
        )
    )
    candidates = union(new, open_or_none).subquery()
    found = candidates.c[0]
    if dialect == "postgresql":
        query = select(func.string_agg(cast(found, Text), ","))
    else:
        query = select(func.group_concat(found, ","))
    if unit is not None:  # an officer's scope: any assignment to the unit, as in the register
        query = query.where(
            found.in_(
                select(col(AssignmentRecord.entry_id)).where(
                    col(AssignmentRecord.unit_code) == unit
                )
            )
        )
    return query


def _among(listed: str, dialect: str) -> Callable[[Any], Any]:
    """``column`` in the comma-separated ids ``listed``, bound as one text value (an array
    literal, or JSON on SQLite): the planner sees how few they are, and no statement has
    thousands of parameters."""
    if dialect == "postgresql":
        array = cast(bindparam("ids", f"{{{listed}}}", type_=Text), ARRAY(Integer))
        return lambda column: column == any_(array)
    values: Select[tuple[Any]] = select(literal_column("value")).select_from(
        func.json_each(bindparam("ids", f"[{listed}]", type_=Text))
    )
    return lambda column: column.in_(values)


def _leads(among: Callable[[Any], Any]) -> Any:
    return (
        select(
            col(AssignmentRecord.entry_id),
            col(AssignmentRecord.unit_code),
            col(AssignmentRecord.unit_name),
            col(AssignmentRecord.status),
            col(AssignmentRecord.due_at),
            col(AssignmentRecord.done_at),
        )
        .where(among(col(AssignmentRecord.entry_id)))
        .where(_in_force())
        .order_by(col(AssignmentRecord.id))
    )


def _entries(among: Callable[[Any], Any], start: datetime, end: datetime) -> Any:
    entry_id = col(RegisterEntry.id)
    new = col(RegisterEntry.received_at) >= start
    registered = (  # paper entries are written with this event too, at their receipt
        select(func.min(col(AuditEvent.at)))
        .where(col(AuditEvent.entry_id) == entry_id, col(AuditEvent.action) == "entry.registered")
        .scalar_subquery()
    )
    first_assigned = (
        select(func.min(col(AssignmentRecord.created_at)))
        .where(col(AssignmentRecord.entry_id) == entry_id)
        .scalar_subquery()
    )
    answered = (
        select(func.min(col(OutboxMessage.created_at)))
        .where(col(OutboxMessage.inbound_id) == col(RegisterEntry.inbound_id))
        .where(col(OutboxMessage.kind).in_(ANSWER_KINDS))
        .scalar_subquery()
    )
    all_valid = (  # 1: every signature valid, 0: one is not, NULL: no signature
        select(func.min(case((col(SignatureResult.verdict) == "valid", 1), else_=0)))
        .where(col(SignatureResult.entry_id) == entry_id)
        .scalar_subquery()
    )
    # Looked up only for the entries received in the month (CASE evaluates lazily); the
    # limits are compared in Python (urgent and paper entries have computed ones).
    return (
        select(
            entry_id.label("id"),
            col(RegisterEntry.received_at),
            col(RegisterEntry.sender_agency_code),
            col(RegisterEntry.sender_agency_name),
            case((new, answered)).label("answered_at"),
            case((new, registered)).label("registered_at"),
            case((new, first_assigned)).label("first_assigned_at"),
            col(RegisterEntry.urgency),
            col(RegisterEntry.process_by),
            col(RegisterEntry.assign_by),
            case((new, func.coalesce(all_valid, 0)), else_=0).label("signed_valid"),
        )
        .where(among(entry_id))
        .where(col(RegisterEntry.received_at) < end)
    )


def _facts(entry: Sequence[Any], lead: Sequence[Any] | None, limits: Limits) -> EntryFacts:
    """One entry's facts from its row of :func:`_entries` and its lead's of :func:`_leads`
    (unpacked by position: by name costs more than the query for thousands of rows)."""
    (_, received_at, agency_code, agency_name, answered_at, registered_at, assigned_at) = entry[:7]
    urgency, process_by, assign_by, valid = entry[7:]
    _, unit_code, unit_name, status, due_at, done_at = lead or NO_LEAD
    registered = registered_at is not None and registered_at <= register_limit(
        limits, received_at, urgency, process_by
    )
    assigned = assigned_at is not None and assigned_at <= assign_limit(
        limits, received_at, urgency, assign_by
    )
    return EntryFacts(
        received_at,
        agency_code or "",
        agency_name,
        unit_code or "",
        unit_name,
        due_at,
        done_at if status == AssignmentStatus.DONE else None,
        answered_at,
        bool(registered),
        bool(assigned),
        bool(valid),
    )
