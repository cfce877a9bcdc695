"""Deadline specs of the rules file, parsed at load time and computed on the calendar.

Accepted spellings (English or Vietnamese, case and diacritics ignored):
``"2h"`` / ``"4 working hours"`` / ``"4 giờ làm việc"``; ``"3 working days"`` /
``"3 ngày làm việc"``; ``"by next working morning"`` / ``"sáng hôm sau"``; ``"same day"`` /
``"trong ngày"``; an absolute date ``"2026-12-31"``; ``"due_date"`` (the document's own
DueDate, else the rule's fallback). Deadlines count from the time of receipt (R-DEADLINE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mailparse.documents.text import fold
from rules.calendar import WorkingCalendar


class DeadlineKind(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    NEXT_MORNING = "next_morning"
    SAME_DAY = "same_day"
    ON_DATE = "on_date"
    DUE_DATE = "due_date"


_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:h|hours?|working hours?|gio|gio lam viec)")
_DAYS = re.compile(r"(\d+)\s*(?:working days?|days?|ngay|ngay lam viec)")
_NEXT_MORNING = {"by next working morning", "next working morning", "sang hom sau"}
_SAME_DAY = {"same day", "trong ngay"}
_DUE_DATE = {"due_date", "due date", "han cua van ban"}


@dataclass(frozen=True)
class Deadline:
    """One parsed deadline spec; ``text`` is what the administrator wrote."""

    kind: DeadlineKind
    text: str
    amount: float = 0
    on: date | None = None

    def due(self, calendar: WorkingCalendar, received_at: datetime) -> datetime:
        """When this deadline falls for a document received at ``received_at``.

        A date (absolute or the document's DueDate) means the close of office that day.
        ``DUE_DATE`` has no date of its own: resolve it with :func:`resolve` first.
        """
        match self.kind:
            case DeadlineKind.HOURS:
                return calendar.add_working_hours(received_at, self.amount)
            case DeadlineKind.DAYS:
                return calendar.add_working_days(received_at, int(self.amount))
            case DeadlineKind.NEXT_MORNING:
                return calendar.end_of_morning(received_at)
            case DeadlineKind.SAME_DAY:
                return calendar.end_of_working_day(received_at)
            case DeadlineKind.ON_DATE if self.on is not None:
                return close_of(calendar, self.on)
        raise ValueError(f"deadline {self.text!r} needs the document's due date")


def close_of(calendar: WorkingCalendar, day: date) -> datetime:
    """The close of office on ``day`` (the end of its last session)."""
    return datetime.combine(day, calendar.sessions[-1][1], calendar.zone)


def parse_deadline(text: str) -> Deadline:
    """Parse one spec; ValueError (with the accepted forms) when it is not one."""
    folded = " ".join(fold(text).split())
    if folded in _DUE_DATE:
        return Deadline(DeadlineKind.DUE_DATE, text)
    if folded in _NEXT_MORNING:
        return Deadline(DeadlineKind.NEXT_MORNING, text)
    if folded in _SAME_DAY:
        return Deadline(DeadlineKind.SAME_DAY, text)
    if match := _HOURS.fullmatch(folded):
        return Deadline(DeadlineKind.HOURS, text, amount=float(match.group(1)))
    if match := _DAYS.fullmatch(folded):
        return Deadline(DeadlineKind.DAYS, text, amount=int(match.group(1)))
    try:
        return Deadline(DeadlineKind.ON_DATE, text, on=date.fromisoformat(folded))
    except ValueError:
        pass
    raise ValueError(
        f"unknown deadline {text!r}; expected e.g. '2h', '4 working hours', '3 working days', "
        "'by next working morning', 'same day', '2026-12-31' or 'due_date'"
    )
