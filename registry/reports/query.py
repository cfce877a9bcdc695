"""The monthly report's read (R-MONTHLY): the month's figures summed by the database.

One statement over ``report_fact`` (:mod:`registry.reports.facts`, one narrow row per
entry): the entries that count in the month — received in it, or received before it and
not done before it (an entry without a lead is carried over however old it is) — each
turned into its 0/1 figures by the definitions of :mod:`registry.reports.reporting`, then
counted per (unit, agency, figures). A few hundred rows come back, not one per entry,
newest first: a unit or agency renamed over time is shown by the name on its newest entry.

Two figures need the gateway's working-hours calendar, which the database cannot read: the
registration and first assignment "in time" of an urgent entry, or of one without stored
deadlines (:mod:`registry.reports.limits`). Such an entry received in the month comes back
as a row of its own, with those two figures 0 and its moments in :class:`Pending`; the
caller judges them. Every other entry's limits are its stored deadlines, compared here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import AssignmentRecord
from registry.reports.facts import ReportFact
from registry.reports.limits import URGENT_LEVELS

SLICE = 500  # rows fetched at a time
REGISTERED_IN_TIME = 3  # positions in FIGURE_NAMES of the two figures a Pending decides
ASSIGNED_IN_TIME = 4


@dataclass(frozen=True)
class Period:
    """The month [start, end) in UTC, judged at ``cutoff`` (min(now, end)), and the UTC
    moments of its local midnights, ``start`` first and ``end`` last (a day is local)."""

    start: datetime
    end: datetime
    cutoff: datetime
    midnights: Sequence[datetime]


@dataclass(frozen=True)
class Pending:
    """An entry received in the month whose in-time figures need the calendar."""

    received_at: datetime
    urgency: str
    registered_at: datetime | None
    first_assigned_at: datetime | None
    process_by: datetime | None
    assign_by: datetime | None


@dataclass(frozen=True)
class FigureRow:
    """``count`` entries of one unit and agency with the same figures (in the order of
    FIGURE_NAMES, ``rejected`` 0); ``pending``: one entry, its in-time figures to judge."""

    unit_code: str
    unit_name: str | None
    agency_code: str
    agency_name: str | None
    figures: tuple[int, ...]
    pending: Pending | None
    count: int


def figure_rows(session: Session, period: Period, unit: str | None) -> Iterator[FigureRow]:
    """The month's entries counted by unit, agency and figures. ``unit``: only the entries
    with an assignment (any role) to that unit — an officer's scope, as in the register."""
    if session.get_bind().dialect.name == "postgresql":
        # The estimates are far above jit_above_cost; compiling would cost more than running.
        session.execute(text("SET LOCAL jit = off"))
    for rows in session.execute(_counted(period, unit)).partitions(SLICE):
        for row in rows:
            names, figures, moments, count = row[:4], row[4:14], row[14:20], row[20]
            pending = Pending(*moments) if moments[0] is not None else None
            yield FigureRow(
                names[0] or "",
                names[1],
                names[2] or "",
                names[3],
                (*figures, 0),
                pending,
                count,
            )


def _flag(*conditions: Any) -> Any:
    return case((and_(*conditions), 1), else_=0)


def _day(moment: Any, midnights: Sequence[datetime]) -> Any:
    """The local day ``moment`` falls on: -1 before the month, its index in it, or the
    month's length from its end on."""
    return case(
        (moment < midnights[0], -1),
        *((moment < midnight, index) for index, midnight in enumerate(midnights[1:])),
        else_=len(midnights) - 1,
    )


def _counted(period: Period, unit: str | None) -> Any:
    fact = ReportFact
    received, done, due = col(fact.received_at), col(fact.done_at), col(fact.due_at)
    start, cutoff = period.start, period.cutoff
    new = received >= start
    done_in_month = and_(done >= start, done < cutoff)
    open_at_end = or_(done.is_(None), done >= cutoff)
    late = and_(done_in_month, due.is_not(None), done > due)
    overdue = and_(open_at_end, due.is_not(None), due < cutoff)
    answered = col(fact.answered_at)
    calendar = and_(
        new,
        or_(
            col(fact.urgency).in_(sorted(URGENT_LEVELS)),
            col(fact.process_by).is_(None),
            col(fact.assign_by).is_(None),
        ),
    )
    stored = and_(new, ~calendar)  # judged by its stored deadlines, here
    figures = (
        _flag(received < start),  # carried over: the WHERE below keeps only those not done
        _flag(new),
        _flag(
            new,
            answered.is_not(None),
            _day(answered, period.midnights) == _day(received, period.midnights),
        ),
        _flag(stored, col(fact.registered_at) <= col(fact.process_by)),
        _flag(stored, col(fact.first_assigned_at) <= col(fact.assign_by)),
        _flag(done_in_month, ~late),
        _flag(late),
        _flag(open_at_end, ~overdue),
        _flag(overdue),
        _flag(new, col(fact.signed_valid)),
    )
    moments = (
        col(fact.received_at),
        col(fact.urgency),
        col(fact.registered_at),
        col(fact.first_assigned_at),
        col(fact.process_by),
        col(fact.assign_by),
    )
    names = (col(fact.unit_code), col(fact.unit_name), col(fact.agency_code), col(fact.agency_name))
    rows = (
        select(
            col(fact.entry_id),
            *names,
            *(figure.label(f"f{index}") for index, figure in enumerate(figures)),
            *(case((calendar, moment)).label(f"m{index}") for index, moment in enumerate(moments)),
        )
        .where(received < period.end)
        .where(or_(new, done.is_(None), done >= start))
    )
    if unit is not None:
        rows = rows.where(
            col(fact.entry_id).in_(
                select(col(AssignmentRecord.entry_id)).where(
                    col(AssignmentRecord.unit_code) == unit
                )
            )
        )
    counted = rows.subquery()
    grouped = [column for column in counted.c if column.name != "entry_id"]
    newest = func.max(counted.c.entry_id)
    return select(*grouped, func.count()).group_by(*grouped).order_by(newest.desc())
