"""The register page's query string: filters, columns and page, and the query they select.

``/register?q=…&year=…&status=…&type=…&urgency=…&sender=…&unit=…&overdue=1&from=…&to=…
&today=1&col=…&page=…`` (the XLSX export reads the same filters). ``from``/``to`` are days
of receipt written ``dd/mm/yyyy`` in the deployment's time zone; ``today=1`` is today's
documents, whatever day the (saved) search is run. Anything malformed is ignored, never an error.
Columns use the export's keys (:class:`gateway.reports.export.ExportColumn`), repeated
``col=`` parameters; unknown keys are dropped, none at all means today's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gateway.clerk.accounts import Person
from gateway.clerk.dates import DateError, parse_day, shown
from gateway.reports.export import COLUMNS, ExportColumn
from registry.console.accounts import Role
from registry.console.register_filter import RegisterCriteria, entries_query, matching_entries
from registry.models import RegisterEntry

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
DEFAULT_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # [gateway] timezone's default


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
    received_from: date | None = None  # received on or after this day (local)
    received_to: date | None = None  # received on or before this day (local)
    today: bool = False  # received today (local), resolved when the query runs
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
            "from": shown(self.received_from),
            "to": shown(self.received_to),
            "today": "1" if self.today else "",
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

    def day(name: str) -> date | None:
        try:
            return parse_day(text(name))
        except DateError:
            return None  # malformed is ignored, never an error

    return RegisterFilters(
        q=text("q"),
        year=number("year"),
        status=text("status"),
        document_type=text("type"),
        urgency=text("urgency"),
        sender=text("sender"),
        unit=text("unit")[:64],
        overdue=text("overdue").lower() in TRUE_WORDS,
        received_from=day("from"),
        received_to=day("to"),
        today=text("today").lower() in TRUE_WORDS,
        columns=parse_columns([str(v) for v in params.getlist("col")]),
        page=max(1, number("page") or 1),
    )


def unit_scope(person: Person) -> str | None:
    """An officer's documents: those with an assignment to their unit (None: everything)."""
    if person.role is not Role.OFFICER:
        return None
    return person.unit_code or ""


def received_between(
    filters: RegisterFilters, now: datetime, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The half-open interval [start, end) of receipt times the day filters select."""
    first, last = filters.received_from, filters.received_to
    if filters.today:
        first = last = now.astimezone(zone).date()
    start = datetime.combine(first, time(0), zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), zone) if last else None
    return start, end


def criteria(
    person: Person, filters: RegisterFilters, now: datetime, zone: ZoneInfo = DEFAULT_ZONE
) -> RegisterCriteria:
    """The registry's selection for the person's scope and ``filters`` at ``now``."""
    start, end = received_between(filters, now, zone)
    return RegisterCriteria(
        unit_scope=unit_scope(person),
        text=filters.q,
        received_from=start,
        received_before=end,
        year=filters.year,
        status=filters.status,
        document_type=filters.document_type,
        urgency=filters.urgency,
        sender=filters.sender,
        unit=filters.unit,
        overdue_at=now if filters.overdue else None,
    )


def filtered_query(
    session: Session,
    person: Person,
    filters: RegisterFilters,
    now: datetime | None = None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> Any:
    """The person's entries matching ``filters``, newest first (the page and the export);
    ``now`` decides what is overdue and what is today (default: the current time), in
    ``zone``. A query typed with diacritics lists its exact matches first ("chỉnh" before
    "chính", :func:`registry.search.exact_first`)."""
    selection = criteria(person, filters, now or datetime.now(UTC), zone)
    return entries_query(session, selection)


def filtered_entries(
    session: Session, person: Person, filters: RegisterFilters, *, limit: int = 0
) -> list[RegisterEntry]:
    """The entries of :func:`filtered_query` now, at most ``limit`` of them (the export)."""
    selection = criteria(person, filters, datetime.now(UTC))
    return matching_entries(session, selection, limit=limit)
