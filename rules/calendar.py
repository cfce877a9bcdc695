"""The working-hours calendar: office sessions, Vietnamese public holidays, days off, make-up days.

Deadlines count in administrative time (R-2H, R-ASSIGN, R-DEADLINE): the hours of the
office sessions of working days. A working day is a configured weekday (Mon–Fri by default)
that is neither a public holiday (the ``holidays`` package: Tết, Hùng Kings' day, their
substitute days…) nor a configured extra day off; a make-up working day (ngày làm bù, e.g. a
Saturday) is a working day whatever else it is.

Pure: no clock and no network (holidays are computed by the package). Every method takes
aware datetimes and returns them in the calendar's zone. Session edges: a session covers
``start <= t < end`` for :meth:`is_working_time`; adding working hours may end exactly at a
session's end (11:30), which is the last moment of that session.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_WEEKDAYS: frozenset[int] = frozenset(range(5))  # Monday=0 … Friday=4
SEARCH_DAYS = 3700  # about ten years: a calendar without working days is refused, not looped


class CalendarError(ValueError):
    """A calendar that cannot work (no sessions, overlapping sessions, no working days)."""


@cache
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_ZONE))
    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    extra_days_off: frozenset[date] = frozenset()
    makeup_working_days: frozenset[date] = frozenset()
    country: str = "VN"

    def __post_init__(self) -> None:
        if not self.sessions:
            raise CalendarError("at least one office session is required")
        previous = time.min
        for number, (start, end) in enumerate(self.sessions):
            if not start < end:
                raise CalendarError(f"session {start}–{end}: the start must be before the end")
            if number and start < previous:
                raise CalendarError(f"session {start}–{end} overlaps or precedes the one before")
            previous = end
        if not self.weekdays and not self.makeup_working_days:
            raise CalendarError("no working weekday is configured")

    @property
    def hours_per_day(self) -> float:
        return sum(_hours(e) - _hours(s) for s, e in self.sessions)

    def is_holiday(self, day: date) -> bool:
        """A public holiday (or substitute day) of the country."""
        return day in _public_holidays(self.country, day.year)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        if day in self.extra_days_off or self.is_holiday(day):
            return False
        return day.weekday() in self.weekdays

    def is_working_time(self, t: datetime) -> bool:
        local = self._local(t)
        return self.is_working_day(local.date()) and any(
            s <= local < e for s, e in self._day_sessions(local.date())
        )

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of office time after ``start`` (``start`` itself for 0)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        current = self._local(start)
        remaining = timedelta(hours=hours)
        if not remaining:
            return current
        for s, e in self._sessions_from(current.date()):
            if e <= current:
                continue
            begin = max(s, current)
            if remaining <= e - begin:
                return begin + remaining
            remaining -= e - begin
        raise CalendarError("no working time found within ten years")  # pragma: no cover

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``days`` full working days of office time after ``start``.

        A working day is the office hours of one day (8 h by default), so a document received
        Friday 16:30 with "1 working day" is due Monday 16:30 (next working day permitting).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        return self.add_working_hours(start, days * self.hours_per_day)

    def next_working_morning(self, t: datetime) -> datetime:
        """The start of the first session of a working day that begins after ``t``."""
        local = self._local(t)
        for day in self._working_days_from(local.date()):
            first = self._day_sessions(day)[0][0]
            if first > local:
                return first
        raise CalendarError("no working day found within ten years")  # pragma: no cover

    def end_of_morning(self, t: datetime) -> datetime:
        """The end of the first session of the next working morning after ``t``."""
        morning = self.next_working_morning(t)
        return self._day_sessions(morning.date())[0][1]

    def end_of_working_day(self, t: datetime) -> datetime:
        """The end of the last session of ``t``'s working day, or of the next working day
        when ``t`` is on a day off or after the close of office."""
        local = self._local(t)
        for day in self._working_days_from(local.date()):
            last = self._day_sessions(day)[-1][1]
            if last > local:
                return last
        raise CalendarError("no working day found within ten years")  # pragma: no cover

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Office hours from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.working_hours_between(b, a)
        start, stop = self._local(a), self._local(b)
        total = timedelta()
        for s, e in self._sessions_from(start.date()):
            if s >= stop:
                break
            overlap = min(e, stop) - max(s, start)
            if overlap > timedelta():
                total += overlap
        return total.total_seconds() / 3600

    def last_session_start(self, day: date) -> datetime:
        return self._day_sessions(day)[-1][0]

    def _local(self, t: datetime) -> datetime:
        if t.tzinfo is None:
            raise ValueError("the calendar needs aware datetimes")
        return t.astimezone(self.zone)

    def _day_sessions(self, day: date) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, s, self.zone), datetime.combine(day, e, self.zone))
            for s, e in self.sessions
        ]

    def _working_days_from(self, day: date) -> Iterator[date]:
        for offset in range(SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                yield candidate

    def _sessions_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for working_day in self._working_days_from(day):
            yield from self._day_sessions(working_day)


def _hours(t: time) -> float:
    return t.hour + t.minute / 60 + t.second / 3600


def parse_sessions(texts: Iterable[str]) -> tuple[tuple[time, time], ...]:
    """``["07:00-11:30", "13:30-17:00"]`` → session tuples (for the ``[office_hours]`` section)."""
    sessions = []
    for text in texts:
        start, sep, end = text.replace("–", "-").partition("-")
        if not sep:
            raise CalendarError(f"{text!r}: expected HH:MM-HH:MM")
        try:
            sessions.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
        except ValueError as exc:
            raise CalendarError(f"{text!r}: expected HH:MM-HH:MM") from exc
    return tuple(sessions)
