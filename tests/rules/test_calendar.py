"""The working-hours calendar: office sessions, Vietnamese holidays, days off, make-up days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.calendar import CalendarError, WorkingCalendar, parse_sessions
from rules.routing import assignment_due

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()
TOLERANCE = timedelta(milliseconds=1)  # float hours → microseconds

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(VN)
)
hours = st.integers(min_value=0, max_value=8 * 40).map(lambda quarters: quarters / 4)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def inside_a_session(calendar: WorkingCalendar, t: datetime) -> bool:
    """``start < t <= end`` of a session of a working day (an addition may end at 11:30)."""
    local = t.astimezone(calendar.zone)
    return calendar.is_working_day(local.date()) and any(
        datetime.combine(local.date(), s, VN) < local <= datetime.combine(local.date(), e, VN)
        for s, e in calendar.sessions
    )


@settings(max_examples=150, deadline=None)
@given(start=moments, h1=hours, h2=hours)
def test_adding_hours_in_two_steps_equals_adding_them_at_once(
    start: datetime, h1: float, h2: float
) -> None:
    """GIVEN any moment WHEN h1 then h2 working hours are added THEN it equals adding h1+h2."""
    stepwise = CAL.add_working_hours(CAL.add_working_hours(start, h1), h2)
    at_once = CAL.add_working_hours(start, h1 + h2)
    if h1 == 0 or h2 == 0:
        assert stepwise == at_once
    else:
        assert abs(stepwise - at_once) <= TOLERANCE


@settings(max_examples=150, deadline=None)
@given(start=moments, h=hours.filter(lambda h: h > 0))
def test_a_positive_addition_ends_inside_office_hours_of_a_working_day(
    start: datetime, h: float
) -> None:
    """GIVEN any moment WHEN working hours are added THEN the result lies in a session of a
    working day (never on a weekend or public holiday)."""
    result = CAL.add_working_hours(start, h)
    assert result.tzinfo is not None
    assert inside_a_session(CAL, result)
    assert not CAL.is_holiday(result.date())
    assert result.weekday() < 5


@settings(max_examples=150, deadline=None)
@given(start=moments, h=hours)
def test_working_hours_between_inverts_add_working_hours(start: datetime, h: float) -> None:
    """GIVEN a start and h WHEN the end is computed THEN the hours between them are h."""
    end = CAL.add_working_hours(start, h)
    assert CAL.working_hours_between(start, end) == pytest.approx(h, abs=1e-6)
    assert CAL.working_hours_between(end, start) == pytest.approx(-h, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments)
def test_working_hours_between_is_additive(a: datetime, b: datetime) -> None:
    """GIVEN two moments and a third between WHEN hours are counted THEN the parts add up."""
    lo, hi = sorted((a, b))
    middle = lo + (hi - lo) / 2
    whole = CAL.working_hours_between(lo, hi)
    parts = CAL.working_hours_between(lo, middle) + CAL.working_hours_between(middle, hi)
    assert whole == pytest.approx(parts, abs=1e-6)
    assert whole >= 0


@settings(max_examples=100, deadline=None)
@given(t=moments)
def test_next_working_morning_is_the_first_session_of_a_later_working_day(t: datetime) -> None:
    """GIVEN any moment THEN the next working morning is after it, at 07:00 of a working day,
    with no working time in between other than on t's own day."""
    morning = CAL.next_working_morning(t)
    assert morning > t
    assert morning.timetz().replace(tzinfo=None) == time(7, 0)
    assert CAL.is_working_day(morning.date())
    assert (morning.date() - t.date()).days <= 20  # Tết is the longest break


@settings(max_examples=100, deadline=None)
@given(t=moments)
def test_zero_hours_is_the_start_itself_and_in_the_calendar_zone(t: datetime) -> None:
    """GIVEN a moment in UTC WHEN 0 hours are added THEN the same instant in local time."""
    result = CAL.add_working_hours(t.astimezone(UTC), 0)
    assert result == t
    assert result.tzinfo == VN


@settings(max_examples=60, deadline=None)
@given(t=moments, days=st.integers(min_value=1, max_value=15))
def test_a_makeup_saturday_is_a_working_day_and_a_day_off_is_not(t: datetime, days: int) -> None:
    """GIVEN a make-up Saturday and an extra day off WHEN hours are added THEN results may
    land on that Saturday and never on the day off."""
    saturday = t.date() + timedelta(days=(5 - t.weekday()) % 7)
    monday = saturday + timedelta(days=2)
    calendar = WorkingCalendar(
        makeup_working_days=frozenset({saturday}), extra_days_off=frozenset({monday})
    )
    assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(monday)
    result = calendar.add_working_days(t, days)
    assert result.date() != monday
    assert inside_a_session(calendar, result)


def test_tet_2027_holidays_come_from_the_holidays_package() -> None:
    """GIVEN the VN holidays of 2027 THEN Tết runs Thu 4 Feb – Wed 10 Feb and Hùng Kings'
    day is Fri 16 Apr; none of them is a working day."""
    tet = [date(2027, 2, d) for d in range(4, 11)]
    assert all(CAL.is_holiday(d) and not CAL.is_working_day(d) for d in tet)
    assert CAL.is_working_day(date(2027, 2, 3)) and CAL.is_working_day(date(2027, 2, 11))
    assert not CAL.is_working_day(date(2027, 4, 16))


def test_r_2h_a_document_received_friday_1630_before_tet_2026() -> None:
    """R-2H, R-ASSIGN: GIVEN a document received Friday 13 Feb 2026 16:30, the last working
    day before Tết (Mon 16 – Fri 20 Feb) WHEN its deadlines are computed THEN 30 minutes
    count on Friday, Tết is skipped, and processing is due Monday 23 Feb 08:30; the next
    working morning is Monday 23 Feb 07:00."""
    received = vn(2026, 2, 13, 16, 30)
    assert all(not CAL.is_working_day(date(2026, 2, d)) for d in range(16, 21))
    assert CAL.add_working_hours(received, 2) == vn(2026, 2, 23, 8, 30)
    assert CAL.next_working_morning(received) == vn(2026, 2, 23, 7, 0)
    assert assignment_due(CAL, received) == vn(2026, 2, 23, 11, 30)
    assert CAL.working_hours_between(received, vn(2026, 2, 23, 8, 30)) == 2


def test_r_2h_friday_1630_before_tet_2027_and_the_eve_of_tet_2027() -> None:
    """R-2H: GIVEN Tết 2027 (Thu 4 – Wed 10 Feb) WHEN a document arrives Friday 29 Jan 16:30
    THEN it is due Monday 1 Feb 08:30; WHEN one arrives Wednesday 3 Feb 16:30, the last
    working afternoon before Tết, THEN it is due Thursday 11 Feb 08:30."""
    assert CAL.add_working_hours(vn(2027, 1, 29, 16, 30), 2) == vn(2027, 2, 1, 8, 30)
    assert CAL.next_working_morning(vn(2027, 1, 29, 16, 30)) == vn(2027, 2, 1, 7, 0)
    assert CAL.add_working_hours(vn(2027, 2, 3, 16, 30), 2) == vn(2027, 2, 11, 8, 30)
    assert CAL.next_working_morning(vn(2027, 2, 3, 16, 30)) == vn(2027, 2, 11, 7, 0)
    assert CAL.end_of_working_day(vn(2027, 2, 3, 16, 30)) == vn(2027, 2, 3, 17, 0)
    assert CAL.end_of_working_day(vn(2027, 2, 3, 17, 0)) == vn(2027, 2, 11, 17, 0)


def test_lunch_break_and_session_edges() -> None:
    """GIVEN 11:00 WHEN 1 h is added THEN 30 min before lunch and 30 after: 14:00; 11:30
    and 17:00 themselves are outside office hours, 07:00 and 13:30 inside."""
    assert CAL.add_working_hours(vn(2026, 3, 2, 11, 0), 1) == vn(2026, 3, 2, 14, 0)
    assert CAL.add_working_hours(vn(2026, 3, 2, 11, 0), 0.5) == vn(2026, 3, 2, 11, 30)
    assert not CAL.is_working_time(vn(2026, 3, 2, 11, 30))
    assert not CAL.is_working_time(vn(2026, 3, 2, 17, 0))
    assert CAL.is_working_time(vn(2026, 3, 2, 7, 0))
    assert CAL.is_working_time(vn(2026, 3, 2, 13, 30))
    assert CAL.add_working_days(vn(2026, 3, 6, 16, 30), 1) == vn(2026, 3, 9, 16, 30)


def test_configured_sessions_and_bad_calendars() -> None:
    """GIVEN sessions from [office_hours] THEN they parse; overlapping or empty ones fail."""
    assert parse_sessions(["07:30-11:30", "13:00–17:00"]) == (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )
    with pytest.raises(CalendarError):
        WorkingCalendar(sessions=((time(7), time(12)), (time(11), time(17))))
    with pytest.raises(CalendarError):
        WorkingCalendar(sessions=())
    with pytest.raises(CalendarError):
        parse_sessions(["7h-11h"])
    with pytest.raises(ValueError, match="aware"):
        CAL.is_working_time(datetime(2026, 3, 2, 9, 0))
