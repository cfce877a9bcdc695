"""What the monthly report needs besides the register (R-MONTHLY): the working-hours limits
and the directory's units.

:class:`CalendarLimits` gives :func:`registry.reports.reporting.monthly_report` the
"in time" limits on the ``[office_hours]`` calendar (the registry cannot read it,
DESIGN §2); the definitions are in :mod:`registry.reports.limits`. :func:`compute` is the
one way the CLI and the console build a report: judged at min(now, the month's end), with a
row for every unit of the directory (CV54 §3), and each unit's electronic exchange with us
(:mod:`registry.reports.exchange`: what we issued to it and what became of it, the median
working hours to its confirmation, what it sent us), whether our own documents were issued
in time (:mod:`registry.reports.issue_time`, R-ISSUE), and each leader's distributions
(:mod:`registry.reports.leaders`, R-DISTRIB).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy.engine import Engine

from gateway.config.settings import Deployment
from gateway.issuing.recipients import UPPER
from gateway.routing.in_force import calendar_for
from registry.agencies.directory import Directory
from registry.database import read_session
from registry.reports.exchange import exchange_rows
from registry.reports.issue_time import issue_timeliness
from registry.reports.leaders import leader_rows
from registry.reports.limits import URGENT_HOURS
from registry.reports.reporting import MonthlyReport, month_bounds, monthly_report
from rules.calendar import WorkingCalendar
from rules.routing import PROCESS_HOURS, assignment_due


@dataclass(frozen=True)
class CalendarLimits:
    """R-2H, R-ASSIGN and the urgent limit on the working-hours calendar."""

    calendar: WorkingCalendar

    def register_by(self, received_at: datetime, urgent: bool) -> datetime:
        ordinary = self.calendar.add_working_hours(received_at, PROCESS_HOURS)
        if not urgent:
            return ordinary
        return min(ordinary, self.calendar.add_working_hours(received_at, URGENT_HOURS))

    def assign_by(self, received_at: datetime, urgent: bool) -> datetime:
        ordinary = assignment_due(self.calendar, received_at)
        if not urgent:
            return ordinary
        return min(ordinary, self.calendar.add_working_hours(received_at, URGENT_HOURS))

    def issue_by(self, issued_on: date, urgent: bool) -> datetime:
        """R-ISSUE (:mod:`registry.reports.issue_time`): the end of the day's work for an
        urgent document, else the end of the next working morning."""
        zone = self.calendar.zone
        if urgent:
            return self.calendar.end_of_working_day(datetime.combine(issued_on, time.min, zone))
        return self.calendar.end_of_morning(datetime.combine(issued_on, time.max, zone))


def directory_units(directory: Directory | None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every unit of the directory in its order (the CV54 annex's: its 30
    units), leaving out the bodies above the agency (group ``cap-tren``, DESIGN §4.9) —
    the units "all" issues to."""
    if directory is None:
        return ()
    return tuple((a.code, a.name) for a in directory.agencies if a.group != UPPER)


def compute(
    engine: Engine,
    deployment: Deployment,
    year: int,
    month: int,
    *,
    directory: Directory | None = None,
    calendar: WorkingCalendar | None = None,
    unit: str | None = None,
    now: datetime | None = None,
) -> MonthlyReport:
    """The report of ``year``-``month`` as the office reads it (see the module docstring);
    ``calendar``: the running router's, else the configured ``[office_hours]``."""
    calendar = calendar or calendar_for(deployment)
    now = now or datetime.now(UTC)
    units = directory_units(directory)
    with read_session(engine) as session:
        report = monthly_report(
            session,
            year,
            month,
            deployment.zone,
            as_of=now,
            unit=unit,
            limits=CalendarLimits(calendar),
            directory=units,
        )
        if unit is not None:  # an officer's dashboard: their unit's documents only
            return report
        start, end = month_bounds(year, month, deployment.zone)
        rows, total = exchange_rows(
            session,
            start,
            min(now, end),
            directory=units,
            by_agency=report.by_agency,
            hours=calendar.working_hours_between,
        )
        limits = CalendarLimits(calendar)
        issuing = issue_timeliness(session, start, min(now, end), limits.issue_by)
        leaders = leader_rows(session, start, end, min(now, end), limits)
    late = tuple(  # local times, as every file of the report shows them
        replace(
            item,
            issued_at=item.issued_at.astimezone(deployment.zone),
            limit=item.limit.astimezone(deployment.zone),
        )
        for item in issuing.late
    )
    return replace(
        report,
        exchange=rows,
        exchange_total=total,
        issuing=replace(issuing, late=late),
        leaders=leaders,
    )
