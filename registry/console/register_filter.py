"""The register page's selection (DESIGN §4.5): which entries one person sees, filtered.

The console turns its query string into :class:`RegisterCriteria` (plain values); this
module turns those into the query, pages through it and counts it. An officer's scope is
the documents with an assignment to their unit (``unit_scope``); everyone else sees all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    AssignmentStatus,
    RegisterEntry,
)
from registry.search import COUNT_CAP, exact_first, text_filter


@dataclass(frozen=True)
class RegisterCriteria:
    """What the register list selects; empty values select everything."""

    unit_scope: str | None = None  # an officer's unit code ("" without one): their documents
    text: str = ""
    received_from: datetime | None = None  # inclusive
    received_before: datetime | None = None  # exclusive
    year: int | None = None
    status: str = ""
    document_type: str = ""
    urgency: str = ""
    sender: str = ""  # agency code, or part of its name or of the address
    unit: str = ""  # assigned to this unit and not reassigned elsewhere
    overdue_at: datetime | None = None  # an open assignment due before this moment


def _scope(unit: str | None) -> ColumnElement[bool] | None:
    if unit is None:
        return None
    return exists().where(
        col(AssignmentRecord.entry_id) == col(RegisterEntry.id),
        col(AssignmentRecord.unit_code) == unit,
    )


def _assigned_to(unit: str) -> ColumnElement[bool]:
    return exists().where(
        col(AssignmentRecord.entry_id) == col(RegisterEntry.id),
        col(AssignmentRecord.unit_code) == unit,
        col(AssignmentRecord.status) != AssignmentStatus.REASSIGNED,
    )


def _overdue(now: datetime) -> ColumnElement[bool]:
    return exists().where(
        col(AssignmentRecord.entry_id) == col(RegisterEntry.id),
        col(AssignmentRecord.status).in_(OPEN_ASSIGNMENT_STATUSES),
        col(AssignmentRecord.due_at).is_not(None),
        col(AssignmentRecord.due_at) < now,
    )


def _sender(like: str) -> ColumnElement[bool]:
    return or_(
        col(RegisterEntry.sender_agency_code) == like,
        col(RegisterEntry.sender_agency_name).contains(like, autoescape=True),
        col(RegisterEntry.sender_address).contains(like, autoescape=True),
    )


def _conditions(criteria: RegisterCriteria) -> list[ColumnElement[bool] | None]:
    entry = RegisterEntry
    c = criteria
    return [
        _scope(c.unit_scope),
        None if c.received_from is None else col(entry.received_at) >= c.received_from,
        None if c.received_before is None else col(entry.received_at) < c.received_before,
        None if c.year is None else col(entry.year) == c.year,
        col(entry.status) == c.status if c.status else None,
        col(entry.document_type) == c.document_type if c.document_type else None,
        col(entry.urgency) == c.urgency if c.urgency else None,
        _sender(c.sender) if c.sender else None,
        _assigned_to(c.unit) if c.unit else None,
        None if c.overdue_at is None else _overdue(c.overdue_at),
    ]


def entries_query(session: Session, criteria: RegisterCriteria, limit: int = 0) -> Any:
    """The select of the entries matching ``criteria``, newest first; a text typed with
    diacritics lists its exact matches first (:func:`registry.search.exact_first`)."""
    query = select(RegisterEntry)
    exact = exact_first(criteria.text)
    if exact is not None:
        query = query.order_by(exact)
    query = query.order_by(col(RegisterEntry.id).desc())
    conditions = _conditions(criteria)
    conditions.insert(1, text_filter(session, criteria.text))  # after the scope, as before
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    if limit:
        query = query.limit(limit)
    return query


def matching_entries(
    session: Session, criteria: RegisterCriteria, *, offset: int = 0, limit: int = 0
) -> list[RegisterEntry]:
    """The entries matching ``criteria``, newest first, ``limit`` of them from ``offset``."""
    query = entries_query(session, criteria)
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return list(session.scalars(query))


def count_matching(session: Session, criteria: RegisterCriteria, cap: int = COUNT_CAP) -> int:
    """How many entries match ``criteria``, counted up to ``cap``."""
    query = entries_query(session, criteria)
    capped = query.order_by(None).limit(cap).with_only_columns(col(RegisterEntry.id))
    return int(session.scalar(select(func.count()).select_from(capped.subquery())) or 0)


def entry_in_scope(session: Session, entry_id: int | None, unit_scope: str | None) -> bool:
    """Whether the entry is within ``unit_scope`` (None: everyone's register)."""
    scope = _scope(unit_scope)
    if scope is None:
        return True
    found = session.scalar(
        select(col(RegisterEntry.id)).where(scope, col(RegisterEntry.id) == entry_id)
    )
    return found is not None
