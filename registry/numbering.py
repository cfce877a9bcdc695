"""Incoming numbers: per year, from 1, gap-free and unique under concurrency (NĐ 30 Điều 22).

The counter row is updated inside the registering transaction: a rolled-back transaction
gives its number back, and concurrent transactions queue on the row lock (PostgreSQL) or
on the write lock (SQLite, BEGIN IMMEDIATE).
"""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from registry.models import NumberCounter


def next_number(session: Session, year: int, counter: type[SQLModel] = NumberCounter) -> int:
    """Take the next number of ``year`` in the session's transaction: gap-free and unique
    under concurrency (a counter row updated in the registering transaction, DESIGN §3).

    ``counter`` is the table of (year, last_number) rows: the incoming register's by
    default, the outgoing register's for documents we issue (R-OUTREG)."""
    table = counter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(year=year, last_number=0).on_conflict_do_nothing())
    result = session.execute(
        update(table)
        .where(table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    )
    return int(result.scalar_one())


_LABEL = re.compile(r"(\d{4})/(\d{1,9})")


def register_label(year: int, number: int) -> str:
    """``YEAR/NUMBER`` (``2026/17``): how a register number is written everywhere —
    contract JSON, mail headers, pages, prints (DESIGN §4.3)."""
    return f"{year}/{number}"


def parse_register_label(text: str) -> tuple[int, int] | None:
    """``(2026, 17)`` for ``"2026/17"``; None when ``text`` is not a register number."""
    found = _LABEL.fullmatch(text.strip())
    return (int(found[1]), int(found[2])) if found else None
