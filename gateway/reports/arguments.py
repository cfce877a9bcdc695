"""Argument types of the report and register commands: a bad value is a usage error naming it.

argparse turns ``ArgumentTypeError`` into ``usage: … error: argument --from: …`` and exit
code 2 (DESIGN §4.1), before any configuration is read.
"""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(value: str) -> str:
    """``value`` when it is a calendar date written ``YYYY-MM-DD``; else a usage error."""
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD, ví dụ 2026-11-20)"
        ) from exc
    if len(value) != len("YYYY-MM-DD"):
        raise argparse.ArgumentTypeError(
            f"ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD, ví dụ 2026-11-20)"
        )
    return value
