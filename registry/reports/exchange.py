"""Each unit's electronic exchange with us in a month (R-MONTHLY, CV54 §3, R-DELIVERY).

CV54 §3 asks the city office to report every month how each of its units sends and
receives documents electronically. One :class:`ExchangeRow` per unit of the directory —
a row even when all is zero — and one for addresses outside it, when there are any:

============== ============================================================================
figure         counts …
============== ============================================================================
issued         recipients (deliveries) of the documents we issued in [S, C) that are the
               unit (:func:`registry.outgoing.queries.unit_month_counts`)
received       of those, confirmed received before C (their receipt, an edXML status or a
               person's "đã nhận")
median_hours   the median, in working hours, from the issue to that confirmation (None
               when nothing was confirmed)
refused        of those, refused by the unit before C (their reasons on the document page)
bounced        of those, that the mail system could not deliver
unanswered     of those, with no answer at C (waiting, reminded or overdue)
sent_to_us     documents the unit sent us electronically, received in [S, E): the
               ``received`` figure of its row "theo cơ quan gửi" (paper entries have no
               sending agency)
============== ============================================================================

C = min(now, E) as for the rest of the report. issued = received + refused + bounced +
unanswered. Working hours need the calendar (``rules``, out of the registry's reach): the
gateway passes ``hours``; without it, elapsed hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from statistics import median

from sqlalchemy.orm import Session

from registry.outgoing.queries import unit_month_counts
from registry.outgoing.views import UnitIssueCounts
from registry.reports.values import EXCHANGE_NAMES, ExchangeRow, ReportRow

__all__ = ["EXCHANGE_NAMES", "ExchangeRow", "elapsed_hours", "exchange_rows"]

OUTSIDE = "Địa chỉ ngoài danh bạ"
TOTAL = "Tổng cộng"


def elapsed_hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def exchange_rows(
    session: Session,
    start: datetime,
    cutoff: datetime,
    *,
    directory: Sequence[tuple[str, str]],
    by_agency: Sequence[ReportRow],
    hours: Callable[[datetime, datetime], float] = elapsed_hours,
) -> tuple[tuple[ExchangeRow, ...], ExchangeRow]:
    """The rows — the directory's units first in its order, then other directory codes
    that were sent documents, then addresses outside the directory (code ``""``) — and the
    total row (its median over every confirmation, not a median of medians)."""
    counts = unit_month_counts(session, start, cutoff)
    sent = {row.code: row.figures.received for row in by_agency}
    names = dict(directory)
    codes = [code for code, _ in directory]
    codes += sorted(code for code in counts if code and code not in names)
    if counts.get(""):
        codes.append("")
    rows = []
    every: list[float] = []
    for code in codes:
        found = counts.get(code) or UnitIssueCounts()
        delays = [hours(issued, confirmed) for issued, confirmed in found.confirm_delays]
        every += delays
        rows.append(
            ExchangeRow(
                code=code,
                name=names.get(code) or code or OUTSIDE,
                issued=found.issued,
                received=found.received,
                median_hours=_median(delays),
                refused=found.refused,
                bounced=found.bounced,
                unanswered=found.unanswered,
                sent_to_us=sent.get(code, 0) if code else 0,
            )
        )
    total = ExchangeRow(
        code="",
        name=TOTAL,
        issued=sum(r.issued for r in rows),
        received=sum(r.received for r in rows),
        median_hours=_median(every),
        refused=sum(r.refused for r in rows),
        bounced=sum(r.bounced for r in rows),
        unanswered=sum(r.unanswered for r in rows),
        sent_to_us=sum(r.sent_to_us for r in rows),
    )
    return tuple(rows), total


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None
