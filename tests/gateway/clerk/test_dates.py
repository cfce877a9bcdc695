"""Dates as a clerk types them (dd/mm/yyyy), read by every console form."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.clerk.dates import DateError, parse_day, shown


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("05/03/2026", date(2026, 3, 5)),
        ("5/3/2026", date(2026, 3, 5)),
        ("05-03-2026", date(2026, 3, 5)),
        ("05.03.2026", date(2026, 3, 5)),
        (" 31/12/2026 ", date(2026, 12, 31)),
        ("2026-03-05", date(2026, 3, 5)),  # scripts and old bookmarks
        ("", None),
    ],
)
def test_day_first_dates_are_read_as_written(typed: str, day: date | None) -> None:
    """GIVEN a date as a Vietnamese clerk writes it (day first) WHEN read THEN that day:
    05/03/2026 is the fifth of March, never the third of May."""
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["31/02/2026", "13/13/2026", "hôm qua", "2026/03/05", "5/3/26"])
def test_impossible_or_unreadable_dates_are_refused_in_vietnamese(typed: str) -> None:
    """GIVEN an impossible or unreadable date WHEN read THEN DateError, whose message
    tells the clerk the expected form in Vietnamese."""
    with pytest.raises(DateError, match="ngày/tháng/năm"):
        parse_day(typed)


def test_a_date_goes_back_into_a_form_day_first() -> None:
    assert (shown(date(2026, 3, 5)), shown(None)) == ("05/03/2026", "")
