"""Each leader's distributions in the month (R-DISTRIB, R-ASSIGN, R-MONTHLY).

For the documents received in month M = [S, E) that waited for a leader's distribution
(a ``distribution`` row: the rules proposed, a leader decides), per leader — the leader
the rules named, by name (code when the name is missing; "" when none was named):

================ ===========================================================================
figure           counts the documents …
================ ===========================================================================
proposed         received in M and proposed to the leader
decided_in_time  decided before C, at or before the document's assign-by limit (the same
                 limit as ``assigned_in_time``, :mod:`registry.reports.limits`)
decided_late     decided before C, after that limit
waiting          not decided at C, the limit not passed
waiting_overdue  not decided at C, the limit passed
================ ===========================================================================

C = min(now, E). proposed = decided_in_time + decided_late + waiting + waiting_overdue.
Per unit, the same limit is the unit rows' ``assigned_in_time`` (the first assignment is
made by the decision).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import RegisterEntry
from registry.reports.limits import Limits, assign_limit
from registry.reports.values import LEADER_FIGURES, LeaderRow
from registry.tracking.distribution import Distribution


def leader_rows(
    session: Session, start: datetime, end: datetime, cutoff: datetime, limits: Limits
) -> tuple[LeaderRow, ...]:
    """One row per leader with documents received in [start, end), judged at ``cutoff``."""
    rows = session.execute(
        select(
            col(Distribution.leader_name),
            col(Distribution.leader_code),
            col(Distribution.decided_at),
            col(RegisterEntry.received_at),
            col(RegisterEntry.urgency),
            col(RegisterEntry.assign_by),
        )
        .join(RegisterEntry, col(RegisterEntry.id) == col(Distribution.entry_id))
        .where(col(RegisterEntry.received_at) >= start)
        .where(col(RegisterEntry.received_at) < end)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for name, code, decided_at, received_at, urgency, assign_by in rows:
        figures = counts.setdefault(name or code or "", dict.fromkeys(LEADER_FIGURES, 0))
        figures["proposed"] += 1
        limit = assign_limit(limits, received_at, urgency, assign_by)
        if decided_at is not None and decided_at < cutoff:
            figures["decided_in_time" if decided_at <= limit else "decided_late"] += 1
        else:
            figures["waiting_overdue" if limit < cutoff else "waiting"] += 1
    return tuple(LeaderRow(leader, **counts[leader]) for leader in sorted(counts))
