"""The register page's query string: filters, columns and page, and the query they select.

``/register?q=…&year=…&status=…&type=…&urgency=…&sender=…&unit=…&overdue=1&col=…&page=…``
(the XLSX export reads the same filters). Anything malformed is ignored, never an error.
Columns use the export's keys (:class:`gateway.reports.export.ExportColumn`), repeated
``col=`` parameters; unknown keys are dropped, none at all means today's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.clerk.accounts import Person
from gateway.reports.export import COLUMNS, ExportColumn
from registry.accounts import Role
from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    AssignmentStatus,
    RegisterEntry,
)
from registry.search import text_filter

PAGE_SIZE = 50
DEFAULT_COLUMNS = (
    ExportColumn.NUMBER,
    ExportColumn.RECEIVED,
    ExportColumn.SENDER,
    ExportColumn.DOCUMENT_NUMBER,
    ExportColumn.TYPE,
    ExportColumn.SUMMARY,
    ExportColumn.URGENCY,
    ExportColumn.STATUS,
)
TYPE_AND_SUMMARY = "type_summary"  # one cell "Loại và trích yếu" when both are shown
TRUE_WORDS = frozenset({"1", "on", "true", "yes"})


@dataclass(frozen=True)
class RegisterFilters:
    """The register page's query string, validated."""

    q: str = ""
    year: int | None = None
    status: str = ""
    document_type: str = ""
    urgency: str = ""
    sender: str = ""
    unit: str = ""  # a unit code: an assignment to it that was not reassigned elsewhere
    overdue: bool = False  # an open assignment past its deadline
    columns: tuple[ExportColumn, ...] = DEFAULT_COLUMNS
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def query_string(self, page: int) -> dict[str, Any]:
        """The filters as query parameters, for links and hidden fields (``col`` is a list,
        present only when the columns are not the default ones)."""
        values: dict[str, Any] = {
            "q": self.q,
            "year": self.year or "",
            "status": self.status,
            "type": self.document_type,
            "urgency": self.urgency,
            "sender": self.sender,
            "unit": self.unit,
            "overdue": "1" if self.overdue else "",
            "col": [c.value for c in self.columns] if self.columns != DEFAULT_COLUMNS else [],
            "page": page,
        }
        return {key: value for key, value in values.items() if value not in ("", None, [])}

    def encoded(self, page: int | None = None) -> str:
        """The url-encoded query (without ``?``); without a page when ``page`` is None."""
        values = self.query_string(page or 1)
        if page is None:
            values.pop("page")
        return urlencode(values, doseq=True)

    @property
    def custom_columns(self) -> bool:
        """The person chose columns (the export then offers the same ones)."""
        return self.columns != DEFAULT_COLUMNS

    def shown(self, column: str) -> bool:
        return column in self.columns

    def headings(self) -> tuple[tuple[str, str], ...]:
        """(key, heading) of each table column in order; type and summary share one cell
        ("Loại và trích yếu", as the register always showed them) when both are chosen."""
        merged = ExportColumn.TYPE in self.columns and ExportColumn.SUMMARY in self.columns
        cells: list[tuple[str, str]] = []
        for column in self.columns:
            if merged and column is ExportColumn.TYPE:
                continue
            if merged and column is ExportColumn.SUMMARY:
                cells.append((TYPE_AND_SUMMARY, "Loại và trích yếu"))
            else:
                cells.append((column.value, COLUMNS[column][0]))
        return tuple(cells)


def parse_columns(values: list[str]) -> tuple[ExportColumn, ...]:
    """The chosen columns in the canonical order; unknown keys ignored; none → the default."""
    chosen = set(values)
    return tuple(c for c in ExportColumn if c.value in chosen) or DEFAULT_COLUMNS


def parse_filters(params: Any) -> RegisterFilters:
    """From a query string mapping (``getlist`` for ``col``)."""

    def text(name: str) -> str:
        return str(params.get(name, "")).strip()[:200]

    def number(name: str) -> int | None:
        value = text(name)
        return int(value) if value.isdigit() and len(value) <= 6 else None

    return RegisterFilters(
        q=text("q"),
        year=number("year"),
        status=text("status"),
        document_type=text("type"),
        urgency=text("urgency"),
        sender=text("sender"),
        unit=text("unit")[:64],
        overdue=text("overdue").lower() in TRUE_WORDS,
        columns=parse_columns([str(v) for v in params.getlist("col")]),
        page=max(1, number("page") or 1),
    )


def scope(person: Person) -> ColumnElement[bool] | None:
    """An officer's documents: those with an assignment to their unit (None: everything)."""
    if person.role is not Role.OFFICER:
        return None
    return exists().where(
        col(AssignmentRecord.entry_id) == col(RegisterEntry.id),
        col(AssignmentRecord.unit_code) == (person.unit_code or ""),
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


def filtered_query(
    session: Session, person: Person, filters: RegisterFilters, now: datetime | None = None
) -> Any:
    """The person's entries matching ``filters``, newest first (the page and the export);
    ``now`` decides what is overdue (default: the current time)."""
    query = select(RegisterEntry).order_by(col(RegisterEntry.id).desc())
    conditions = [scope(person), text_filter(session, filters.q)]
    if filters.year is not None:
        conditions.append(col(RegisterEntry.year) == filters.year)
    if filters.status:
        conditions.append(col(RegisterEntry.status) == filters.status)
    if filters.document_type:
        conditions.append(col(RegisterEntry.document_type) == filters.document_type)
    if filters.urgency:
        conditions.append(col(RegisterEntry.urgency) == filters.urgency)
    if filters.sender:
        like = filters.sender
        conditions.append(
            or_(
                col(RegisterEntry.sender_agency_code) == like,
                col(RegisterEntry.sender_agency_name).contains(like, autoescape=True),
                col(RegisterEntry.sender_address).contains(like, autoescape=True),
            )
        )
    if filters.unit:
        conditions.append(_assigned_to(filters.unit))
    if filters.overdue:
        conditions.append(_overdue(now or datetime.now(UTC)))
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query
