"""The monthly report's values (R-MONTHLY): figures per row, rows, the whole report.

The definitions of the figures are in :mod:`registry.reports.reporting`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime


@dataclass(frozen=True)
class Figures:
    """The figures of one row of the report (see the module docstring)."""

    carried_over: int = 0
    received: int = 0
    answered_same_day: int = 0
    registered_in_time: int = 0
    assigned_in_time: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    signed_valid: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.carried_over + self.received

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_within + self.in_progress_overdue

    def share(self, part: int, whole: int) -> float:
        """``part`` as a percentage of ``whole`` (0 when ``whole`` is 0), one decimal."""
        return round(100.0 * part / whole, 1) if whole else 0.0

    def plus(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


FIGURE_NAMES = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True)
class ReportRow:
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int


@dataclass(frozen=True)
class ExchangeRow:
    """One unit's electronic exchange with us in the month (definitions:
    :mod:`registry.reports.exchange`)."""

    code: str
    name: str
    issued: int = 0  # deliveries of the documents we issued in the month to the unit
    received: int = 0  # of those, confirmed received
    median_hours: float | None = None  # working hours from issue to confirmation, median
    refused: int = 0
    bounced: int = 0
    unanswered: int = 0
    sent_to_us: int = 0  # documents the unit sent us electronically in the month


EXCHANGE_NAMES = tuple(f.name for f in fields(ExchangeRow))[2:]


@dataclass(frozen=True)
class LateIssue:
    """A document we issued after its limit (R-ISSUE)."""

    document_number: str  # "12/UBND-VP"
    issued_on: date  # the date on the document
    issued_at: datetime  # when the gateway issued it (UTC)
    limit: datetime  # when it should have been issued at the latest (UTC)


@dataclass(frozen=True)
class IssueTimeliness:
    """Our documents issued in the month against R-ISSUE (definitions:
    :mod:`registry.reports.issue_time`)."""

    issued: int = 0
    in_time: int = 0
    late: tuple[LateIssue, ...] = ()
    undated: int = 0  # the document's date could not be read: not judged


@dataclass(frozen=True)
class LeaderRow:
    """One leader's distributions in the month (definitions: :mod:`registry.reports.leaders`)."""

    leader: str  # the leader's name as the rules name them
    proposed: int = 0
    decided_in_time: int = 0
    decided_late: int = 0
    waiting: int = 0
    waiting_overdue: int = 0


LEADER_FIGURES = tuple(f.name for f in fields(LeaderRow))[1:]


@dataclass(frozen=True)
class MonthlyReport:
    year: int
    month: int
    by_unit: tuple[ReportRow, ...]
    by_agency: tuple[ReportRow, ...]
    total: Figures
    rejections: tuple[ReasonCount, ...]
    # Each unit's electronic exchange with us (CV54 §3), when the caller asked for it.
    exchange: tuple[ExchangeRow, ...] = ()
    exchange_total: ExchangeRow | None = None
    issuing: IssueTimeliness | None = None  # R-ISSUE, when the caller asked for it
    leaders: tuple[LeaderRow, ...] = ()  # R-DISTRIB: each leader's decisions

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
