"""Dates as a clerk types them: ``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``,
``dd.mm.yyyy``), the way Vietnamese administrative documents write them (NĐ 30 Phụ lục I).
The ISO form ``yyyy-mm-dd`` is still read, for forms filled by scripts and older bookmarks;
nothing a person reads is ever written in it.
"""

from __future__ import annotations

import re
from datetime import date

_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
BAD_DATE = "Ngày không hợp lệ: hãy ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


class DateError(ValueError):
    """The text is not a date; the message is Vietnamese, for the page."""


def parse_day(text: str) -> date | None:
    """``"05/03/2026"`` → 5 March 2026; empty text → None; anything else DateError."""
    text = text.strip()
    if not text:
        return None
    day_first = _DAY_FIRST.fullmatch(text)
    iso = _ISO.fullmatch(text)
    try:
        if day_first:
            day, month, year = (int(g) for g in day_first.groups())
            return date(year, month, day)
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise DateError(BAD_DATE) from exc
    raise DateError(BAD_DATE)


def shown(day: date | None) -> str:
    """``dd/mm/yyyy`` (empty for None): how a date goes back into a form field."""
    return day.strftime("%d/%m/%Y") if day else ""
