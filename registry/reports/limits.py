"""The limits the monthly report judges "in time" by (R-2H, R-ASSIGN, R-URGENT).

An entry's registration is in time at or before its *register-by* limit, its first
assignment at or before its *assign-by* limit. The limits are:

- an ordinary electronic document: the deadlines stored at receipt by the routing
  (``process_by``: 2 working hours, R-2H; ``assign_by``: the same working day, or the end
  of the next working morning, R-ASSIGN) — what the clerk was shown at the time;
- an urgent document (Khẩn, Thượng khẩn, Hỏa tốc, Hỏa tốc hẹn giờ): the routing stores
  "at once" (``process_by = assign_by = received_at``: escalations fire at once, R-URGENT),
  which no registration can meet to the millisecond. The report counts it in time when it
  is registered and first assigned within :data:`URGENT_HOURS` working hour of receipt —
  half the R-2H limit, and never later than an ordinary document's limits;
- an entry without stored deadlines (a paper document registered by hand, an entry
  registered before routing existed): the same limits, computed from its receipt.

The registry cannot read the working-hours calendar (``rules`` is out of its reach,
DESIGN §2): the gateway passes a :class:`Limits` built on it. Without one,
:class:`ElapsedLimits` counts plain hours (tests, benches).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

URGENT_LEVELS = frozenset({"khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"})  # R-URGENT
URGENT_HOURS = 1.0  # working hours an urgent document may take to be registered and assigned


class Limits(Protocol):
    """The limits of a document received at ``received_at`` (urgent or not)."""

    def register_by(self, received_at: datetime, urgent: bool) -> datetime: ...

    def assign_by(self, received_at: datetime, urgent: bool) -> datetime: ...


@dataclass(frozen=True)
class ElapsedLimits:
    """Limits in plain elapsed time, for callers without a calendar."""

    register: timedelta = timedelta(hours=2)
    assign: timedelta = timedelta(hours=24)
    urgent: timedelta = timedelta(hours=URGENT_HOURS)

    def register_by(self, received_at: datetime, urgent: bool) -> datetime:
        return received_at + (min(self.urgent, self.register) if urgent else self.register)

    def assign_by(self, received_at: datetime, urgent: bool) -> datetime:
        return received_at + (min(self.urgent, self.assign) if urgent else self.assign)


def is_urgent(urgency: str | None) -> bool:
    return urgency in URGENT_LEVELS


def register_limit(
    limits: Limits, received_at: datetime, urgency: str | None, stored: datetime | None
) -> datetime:
    """The register-by limit the report uses (see the module docstring)."""
    urgent = is_urgent(urgency)
    if stored is not None and not urgent:
        return stored
    return limits.register_by(received_at, urgent)


def assign_limit(
    limits: Limits, received_at: datetime, urgency: str | None, stored: datetime | None
) -> datetime:
    """The assign-by limit the report uses (see the module docstring)."""
    urgent = is_urgent(urgency)
    if stored is not None and not urgent:
        return stored
    return limits.assign_by(received_at, urgent)
