"""Incoming numbers: per year, from 1, gap-free and unique under concurrency (NĐ 30 Điều 22).

The counter row is updated inside the registering transaction: a rolled-back transaction
gives its number back, and concurrent transactions queue on the row lock (PostgreSQL) or
on the write lock (SQLite, BEGIN IMMEDIATE).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.models import NumberCounter


def next_number(session: Session, year: int) -> int:
    """Take the next incoming number of ``year`` in the session's transaction."""
    table = NumberCounter.__table__  # type: ignore[attr-defined]
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
