"""Jinja2 templates of the mail the gateway sends, and the environment that loads them.

This package imports nothing of ours (DESIGN §2). Templates receive plain values; the
filters and globals registered here turn codes and dates into Vietnamese text:

* ``reason(code)`` → :class:`~templates.reasons.ReasonText` (``summary``, ``advice``);
* ``role_label(role)``, ``urgency_label(urgency)``;
* ``signature_text(table, key)`` → the Vietnamese explanation of a verdict, indication,
  sub-indication, revocation outcome… (tables in :mod:`templates.signatures`);
* ``value | vn_date`` → ``dd/mm/yyyy``; ``value | vn_datetime(tz)`` → ``dd/mm/yyyy HH:MM``
  in the time zone ``tz`` (an IANA name).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from templates.reasons import (
    REASONS,
    URGENCY_LABELS,
    URGENCY_PREFIXES,
    ReasonText,
    reason_text,
    role_label,
    urgency_prefix,
)
from templates.signatures import (
    COVERAGE,
    INDICATIONS,
    MODIFICATIONS,
    REVOCATION,
    SUB_INDICATIONS,
    VERDICTS,
    explain,
)

__all__ = [
    "REASONS",
    "TEMPLATE_DIR",
    "URGENCY_LABELS",
    "URGENCY_PREFIXES",
    "ReasonText",
    "environment",
    "reason_text",
    "role_label",
    "urgency_prefix",
    "vn_date",
    "vn_datetime",
]

TEMPLATE_DIR = Path(__file__).resolve().parent
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def vn_date(value: date) -> str:
    """``dd/mm/yyyy``, the way Vietnamese administrative documents write dates."""
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime, tz: str = DEFAULT_TIMEZONE) -> str:
    """``dd/mm/yyyy HH:MM`` in ``tz``; a naive datetime is refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("vn_datetime needs a timezone-aware datetime")
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def _urgency_label(urgency: str | None) -> str:
    if urgency is None:
        return ""
    return URGENCY_LABELS.get(urgency, "")


_SIGNATURE_TABLES = {
    "verdict": VERDICTS,
    "indication": INDICATIONS,
    "sub_indication": SUB_INDICATIONS,
    "revocation": REVOCATION,
    "coverage": COVERAGE,
    "modification_level": MODIFICATIONS,
}


def _signature_text(table: str, key: str | None) -> str:
    return explain(_SIGNATURE_TABLES[table], key)


def environment() -> jinja2.Environment:
    """A fresh environment over this package's ``*.j2`` files.

    Undefined names fail loudly (StrictUndefined); ``*.html.j2`` are autoescaped,
    ``*.txt.j2`` are not.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "html"),
            disabled_extensions=("txt.j2", "txt"),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # loaded once per process: no stat of the file at every mail
    )
    env.filters["vn_date"] = vn_date
    env.filters["vn_datetime"] = vn_datetime
    env.globals["reason"] = reason_text
    env.globals["role_label"] = role_label
    env.globals["urgency_label"] = _urgency_label
    env.globals["signature_text"] = _signature_text
    return env
