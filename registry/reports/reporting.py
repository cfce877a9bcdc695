"""The monthly report "Báo cáo tình hình giải quyết văn bản đến" (R-MONTHLY).

:mod:`registry.reports.query` has the database count the month's entries by unit, agency
and figures, from one narrow row of facts per entry (:mod:`registry.reports.facts`), with the
definitions below. Rejections come from a query on ``inbound_message``. Nothing here
reads the clock: the month and the time zone are given.

Definitions (month M = [S, E) in local time; *lead* = the entry's lead assignment, i.e.
the ``assignment`` row with ``role = 'lead'`` and ``status <> 'reassigned'`` with the
smallest id; *done at* = lead ``done_at`` when the lead's status is ``done``):

==================== =======================================================================
figure               counts the entries …
==================== =======================================================================
carried_over         received before S and not done before S
received             received in M (``received_at`` in [S, E))
answered_same_day    received in M whose receipt/rejection (``outbox_message`` of kind
                     ``receipt`` or ``rejection`` for the entry's inbound message, its
                     ``created_at``) is on the same local day as ``received_at``
registered_in_time   received in M whose ``entry.registered`` audit event is at or before
                     its register-by limit (2 working hours, R-2H; urgent: 1 working
                     hour; paper: computed from receipt — :mod:`registry.reports.limits`)
assigned_in_time     received in M whose first assignment (any role) was created at or
                     before its assign-by limit (next working morning, R-ASSIGN; urgent:
                     1 working hour; paper: computed from receipt)
done_on_time         carried over or received, done in M, and ``done at`` ≤ lead ``due_at``
                     (no due date: on time)
done_late            carried over or received, done in M, and ``done at`` > lead ``due_at``
in_progress_within   carried over or received, not done before C, lead ``due_at`` missing or
                     ≥ C
in_progress_overdue  carried over or received, not done before C, lead ``due_at`` < C
signed_valid         received in M with at least one signature, all with verdict ``valid``
rejected             inbound messages received in M with outcome ``rejected`` (agency rows
                     and total only; by reason in :attr:`MonthlyReport.rejections`, a
                     message with two reasons counting once under each)
==================== =======================================================================

C, the moment done and in progress are judged at, is min(now, E): the month in course is
judged at the moment it is reported, never at its end (a document due tomorrow is not yet
overdue); "done in M" likewise means done in [S, C).

Always: carried_over + received = done_on_time + done_late + in_progress_within +
in_progress_overdue. Units are the lead's unit (no lead: unit ``""``, "Chưa giao");
agencies are the entry's ``sender_agency_code`` (unknown: ``""``). Every unit of the
directory given (CV54 §3: each of the 30 units is evaluated) has its row in both tables,
in the directory's order, zeros included, under the directory's name; other codes follow,
sorted, then ``""``, each under the name on its newest entry of the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import InboundMessage, Outcome
from registry.reports.limits import ElapsedLimits, Limits, assign_limit, register_limit
from registry.reports.query import (
    ASSIGNED_IN_TIME,
    REGISTERED_IN_TIME,
    FigureRow,
    Period,
    figure_rows,
)
from registry.reports.values import FIGURE_NAMES, Figures, MonthlyReport, ReasonCount, ReportRow

__all__ = [
    "FIGURE_NAMES",
    "Figures",
    "MonthlyReport",
    "ReasonCount",
    "ReportRow",
    "month_bounds",
    "monthly_report",
]

NO_UNIT = "Chưa giao"
NO_AGENCY = "Không xác định"


def month_bounds(year: int, month: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """[S, E) of the month in UTC, from local midnights."""
    following = date(year + month // 12, month % 12 + 1, 1)
    start = datetime.combine(date(year, month, 1), time.min, zone).astimezone(UTC)
    return start, datetime.combine(following, time.min, zone).astimezone(UTC)


def _judged(row: FigureRow, limits: Limits) -> tuple[int, ...]:
    """The row's figures, with the in-time ones of a pending entry judged by ``limits``."""
    pending = row.pending
    if pending is None:
        return row.figures
    figures = list(row.figures)
    register_by = register_limit(limits, pending.received_at, pending.urgency, pending.process_by)
    assign_by = assign_limit(limits, pending.received_at, pending.urgency, pending.assign_by)
    registered, assigned = pending.registered_at, pending.first_assigned_at
    figures[REGISTERED_IN_TIME] = int(registered is not None and registered <= register_by)
    figures[ASSIGNED_IN_TIME] = int(assigned is not None and assigned <= assign_by)
    return tuple(figures)


def _midnights(start: datetime, end: datetime, zone: tzinfo) -> tuple[datetime, ...]:
    """The UTC moments of the local midnights from ``start`` to ``end`` (both included)."""
    first = start.astimezone(zone).date()
    days = (end.astimezone(zone).date() - first).days
    return tuple(
        datetime.combine(first + timedelta(days=day), time.min, zone).astimezone(UTC)
        for day in range(days + 1)
    )


def _rejections(session: Session, start: datetime, end: datetime) -> list[tuple[str, list[str]]]:
    rows = session.execute(
        select(col(InboundMessage.sender_agency_code), col(InboundMessage.reasons))
        .where(col(InboundMessage.outcome) == Outcome.REJECTED)
        .where(col(InboundMessage.received_at) >= start, col(InboundMessage.received_at) < end)
    )
    return [(code or "", list(reasons or [])) for code, reasons in rows]


class _Tally:
    """Running sums of figures per group code, with the group's display name."""

    def __init__(self, fallback: str, listed: Sequence[tuple[str, str]] = ()) -> None:
        self.sums: dict[str, list[int]] = {code: [0] * len(FIGURE_NAMES) for code, _ in listed}
        self.names: dict[str, str] = dict(listed)
        self.order = {code: index for index, (code, _) in enumerate(listed)}
        self.fallback = fallback

    def add(self, code: str, name: str | None, figures: tuple[int, ...], times: int = 1) -> None:
        sums = self.sums.setdefault(code, [0] * len(FIGURE_NAMES))
        for index, value in enumerate(figures):
            sums[index] += value * times
        if name and code not in self.names:
            self.names[code] = name

    def rows(self) -> tuple[ReportRow, ...]:
        return tuple(
            ReportRow(code, self.names.get(code) or code or self.fallback, Figures(*sums))
            for code, sums in sorted(self.sums.items(), key=lambda item: self._rank(item[0]))
        )

    def _rank(self, code: str) -> tuple[int, int, str]:
        """The directory's units in its order, then the others by code, then "" last."""
        if code in self.order:
            return (0, self.order[code], "")
        return (1 if code else 2, 0, code)


def monthly_report(
    session: Session,
    year: int,
    month: int,
    zone: tzinfo,
    *,
    as_of: datetime | None = None,
    unit: str | None = None,
    limits: Limits | None = None,
    directory: Sequence[tuple[str, str]] = (),
) -> MonthlyReport:
    """The report of ``year``-``month`` (local time in ``zone``) from the register.

    ``as_of`` ("now": callers pass it so that the month in course is judged at the moment
    it is reported): done and in progress are judged at min(as_of, the month's end).
    ``unit``: only the entries with an assignment (any role) to that unit — an officer's
    scope, as the register page shows it; rejections are then left out.
    ``limits``: the in-time limits (the gateway's working-hours calendar; default
    :class:`ElapsedLimits`). ``directory``: (code, name) of every unit of the agency
    directory, each given a row in both tables even when all its figures are zero.
    """
    start, end = month_bounds(year, month, zone)
    cutoff = min(end, as_of) if as_of is not None else end
    period = Period(start, end, cutoff, _midnights(start, end, zone))
    listed = () if unit is not None else tuple(directory)
    units, agencies = _Tally(NO_UNIT, listed), _Tally(NO_AGENCY, listed)
    for counted in figure_rows(session, period, unit):
        figures = _judged(counted, limits or ElapsedLimits())
        units.add(counted.unit_code, counted.unit_name, figures, counted.count)
        agencies.add(counted.agency_code, counted.agency_name, figures, counted.count)
    reasons: Counter[str] = Counter()
    rejected_one = tuple(int(name == "rejected") for name in FIGURE_NAMES)
    for code, message_reasons in [] if unit is not None else _rejections(session, start, end):
        agencies.add(code, None, rejected_one)
        reasons.update(set(message_reasons))
    by_agency = agencies.rows()
    total = Figures()
    for row in by_agency:
        total = total.plus(row.figures)
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return MonthlyReport(
        year=year,
        month=month,
        by_unit=units.rows(),
        by_agency=by_agency,
        total=total,
        rejections=tuple(ReasonCount(reason, count) for reason, count in ranked),
    )
