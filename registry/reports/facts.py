"""What the monthly report needs of each register entry, kept in a narrow table (R-MONTHLY).

The report's figures depend, per entry, on facts spread over five tables: the entry
(receipt, sender, urgency, stored deadlines), its lead assignment (unit, due, done), its
answer in the outbox, its ``entry.registered`` audit event, its first assignment and its
signatures. Reading them per report means joining every entry with every lead and
looking four facts up per entry of the month: 1.5 s at 1 000 000 entries. ``report_fact``
keeps one row per entry with those facts, rewritten whenever one of them changes, so that
the report is one aggregation over it (:mod:`registry.reports.query`).

The rows are kept by the session, never by the callers: every write transaction
(:func:`registry.database.write_session`) notes the entries whose facts a flush touched —
a row added or removed, or one whose columns of :data:`SOURCES` changed
(:func:`note_touched`) — and rewrites their rows from the source tables just before it
commits (:func:`rewrite_touched`): a lock, a DELETE and an INSERT … SELECT per
transaction, whatever the code path that changed them. :func:`rewrite_all` rebuilds the table (the
migration that made it, and registers loaded with plain SQL, as the benches do).

Definitions (as the report has always used them): the *lead* is the first ``assignment``
by id with ``role = 'lead'`` and ``status <> 'reassigned'``; ``done_at`` is the lead's
when its status is ``done``; ``answered_at`` the first receipt or rejection in the outbox
for the entry's inbound message; ``registered_at`` the first ``entry.registered`` audit
event (paper entries are written with it too); ``first_assigned_at`` the first assignment
of any role; ``signed_valid`` at least one signature, all ``valid``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Field, SQLModel, col

from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    AuditEvent,
    OutboxMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.types import utc_field

ANSWER_KINDS = ("receipt", "rejection")
REGISTERED = "entry.registered"
TOUCHED = "report_fact.touched"  # Session.info keys: entry ids, inbound ids
TOUCHED_INBOUNDS = "report_fact.touched_inbounds"


class ReportFact(SQLModel, table=True):
    """One register entry's report facts (migration 0021); see the module docstring."""

    __tablename__ = "report_fact"

    entry_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("register_entry.id", ondelete="CASCADE"), primary_key=True
        )
    )
    received_at: datetime = utc_field(index=True)
    agency_code: str | None = Field(default=None, max_length=64)
    agency_name: str | None = None
    unit_code: str | None = Field(default=None, max_length=64)
    unit_name: str | None = None
    due_at: datetime | None = utc_field(nullable=True)
    done_at: datetime | None = utc_field(nullable=True, index=True)
    answered_at: datetime | None = utc_field(nullable=True)
    registered_at: datetime | None = utc_field(nullable=True)
    first_assigned_at: datetime | None = utc_field(nullable=True)
    signed_valid: bool = False
    urgency: str = Field(default="thuong", max_length=32)
    process_by: datetime | None = utc_field(nullable=True)
    assign_by: datetime | None = utc_field(nullable=True)


def _in_force() -> Any:
    """An assignment that can be an entry's lead (the lead is the first such, by id)."""
    return and_(
        col(AssignmentRecord.role) == "lead",
        col(AssignmentRecord.status) != AssignmentStatus.REASSIGNED,
    )


def _facts(where: Any) -> Any:
    """The facts of the entries ``where`` selects, as rows of ``report_fact`` (its columns
    in the order of :class:`ReportFact`)."""
    entry_id = col(RegisterEntry.id)
    lead = aliased(AssignmentRecord, name="lead")
    first_lead = (
        select(func.min(col(AssignmentRecord.id)))
        .where(col(AssignmentRecord.entry_id) == entry_id, _in_force())
        .scalar_subquery()
    )
    answered = (
        select(func.min(col(OutboxMessage.created_at)))
        .where(col(OutboxMessage.inbound_id) == col(RegisterEntry.inbound_id))
        .where(col(OutboxMessage.kind).in_(ANSWER_KINDS))
        .scalar_subquery()
    )
    registered = (
        select(func.min(col(AuditEvent.at)))
        .where(col(AuditEvent.entry_id) == entry_id, col(AuditEvent.action) == REGISTERED)
        .scalar_subquery()
    )
    first_assigned = (
        select(func.min(col(AssignmentRecord.created_at)))
        .where(col(AssignmentRecord.entry_id) == entry_id)
        .scalar_subquery()
    )
    all_valid = (  # 1: every signature valid, 0: one is not, NULL: no signature
        select(func.min(case((col(SignatureResult.verdict) == "valid", 1), else_=0)))
        .where(col(SignatureResult.entry_id) == entry_id)
        .scalar_subquery()
    )
    return (
        select(
            entry_id,
            col(RegisterEntry.received_at),
            col(RegisterEntry.sender_agency_code),
            col(RegisterEntry.sender_agency_name),
            col(lead.unit_code),
            col(lead.unit_name),
            col(lead.due_at),
            case((col(lead.status) == AssignmentStatus.DONE, col(lead.done_at))),
            answered,
            registered,
            first_assigned,
            func.coalesce(all_valid, 0) == 1,
            col(RegisterEntry.urgency),
            col(RegisterEntry.process_by),
            col(RegisterEntry.assign_by),
        )
        .select_from(RegisterEntry)
        .outerjoin(lead, col(lead.id) == first_lead)
        .where(where)
    )


_TABLE = ReportFact.__table__  # type: ignore[attr-defined]
COLUMNS = tuple(column.name for column in _TABLE.columns)  # the order _facts selects in
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
# Built once (a statement built per transaction cost more than running it): PostgreSQL
# (read committed) waits at _LOCK, in id order, for a transaction rewriting the same rows;
# once that has committed, the two statements after see its changes and its rows. On
# SQLite the write lock (BEGIN IMMEDIATE) has already serialised the writers.
_LOCK = (
    select(_TABLE.c.entry_id)
    .where(_TABLE.c.entry_id.in_(_IDS))
    .order_by(_TABLE.c.entry_id)
    .with_for_update()
)
_DELETE = delete(_TABLE).where(_TABLE.c.entry_id.in_(_IDS))
_INSERT = insert(_TABLE).from_select(COLUMNS, _facts(col(RegisterEntry.id).in_(_IDS)))


def rewrite(connection: Connection | Session, entry_ids: Iterable[int]) -> None:
    """Rewrite the rows of ``entry_ids`` from the source tables (a gone entry: no row)."""
    ids = sorted(set(entry_ids))
    if not ids:
        return
    for statement in (_LOCK, _DELETE, _INSERT):
        connection.execute(statement, {"ids": ids})


def rewrite_all(connection: Connection | Session) -> None:
    """Rebuild the whole table (after a bulk load that bypassed the sessions)."""
    connection.execute(delete(_TABLE))
    connection.execute(insert(_TABLE).from_select(COLUMNS, _facts(True)))


# The columns each source table's rows give the facts: a row changed only elsewhere (an
# entry's status, an answer marked sent, an assignment's reminder) moves no fact.
SOURCES: dict[type, frozenset[str]] = {
    RegisterEntry: frozenset(
        (
            "inbound_id",
            "received_at",
            "sender_agency_code",
            "sender_agency_name",
            "urgency",
            "process_by",
            "assign_by",
        )
    ),
    AssignmentRecord: frozenset(
        ("entry_id", "role", "status", "unit_code", "unit_name", "due_at", "done_at", "created_at")
    ),
    SignatureResult: frozenset(("entry_id", "verdict")),
    AuditEvent: frozenset(("entry_id", "action", "at")),
    OutboxMessage: frozenset(("inbound_id", "kind", "created_at")),
}


def note_touched(session: Session, _context: Any) -> None:
    """``after_flush``: note the entries whose report facts this flush may have changed."""
    entries: set[int] = session.info.setdefault(TOUCHED, set())
    inbounds: set[int] = session.info.setdefault(TOUCHED_INBOUNDS, set())
    changed = (row for row in session.dirty if _moves_facts(row))
    for row in (*session.new, *changed, *session.deleted):
        entry_id, inbound_id = _touched_by(row)
        if entry_id is not None:
            entries.add(entry_id)
        if inbound_id is not None:
            inbounds.add(inbound_id)


def _moves_facts(row: object) -> bool:
    """Whether an updated row changed one of the columns the facts are made of."""
    columns = SOURCES.get(type(row))
    if columns is None:
        return False
    attributes = sa_inspect(row).attrs
    return any(attributes[name].history.has_changes() for name in columns)


def _touched_by(row: object) -> tuple[int | None, int | None]:
    """The entry, or the inbound message (an answer's), whose facts ``row`` may move."""
    if isinstance(row, RegisterEntry):
        return _known(row.id), None
    if isinstance(row, AssignmentRecord | SignatureResult):
        return row.entry_id, None
    if isinstance(row, AuditEvent) and row.action == REGISTERED:
        return row.entry_id, None
    if isinstance(row, OutboxMessage) and row.kind in ANSWER_KINDS:
        return None, row.inbound_id
    return None, None


def rewrite_touched(session: Session) -> None:
    """``before_commit``: rewrite the rows of the entries the transaction touched."""
    session.flush()  # the last changes, noted by note_touched
    entries: set[int] = session.info.pop(TOUCHED, set())
    inbounds: set[int] = session.info.pop(TOUCHED_INBOUNDS, set())
    if inbounds:
        answered = select(col(RegisterEntry.id)).where(
            col(RegisterEntry.inbound_id).in_(sorted(inbounds))
        )
        entries.update(session.scalars(answered))
    rewrite(session, entries)


def _known(entry_id: int | None) -> int:
    if entry_id is None:  # flushed rows have their id
        raise ValueError("a register entry without an id after a flush")
    return entry_id
