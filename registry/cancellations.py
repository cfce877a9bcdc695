"""Paper entries cancelled because they were entered by mistake (NĐ 30 Điều 22: the
register's numbers are gap-free, so a mistaken entry keeps its number and is marked).

A cancelled entry stays in the register under its number, shown struck through with the
reason; the cancellation is a row here (who, when, why) and an audit event. Its document
key is released so that the document, entered again correctly, is not called a duplicate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.types import utc_field


class EntryCancellation(SQLModel, table=True):
    """One cancelled register entry (migration 0018)."""

    __tablename__ = "entry_cancellation"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", unique=True)
    """The register entry cancelled; it keeps its year and incoming number."""
    cancelled_at: datetime = utc_field()
    """When the clerk cancelled it (UTC)."""
    actor: str = Field(max_length=100)
    """The console user name of the clerk who cancelled it (R-ACCOUNT)."""
    reason: str
    """Why, in the clerk's words (shown on the document page and the printed register)."""


def cancellations_of(session: Session, entry_ids: list[int]) -> dict[int, EntryCancellation]:
    """The cancellation of each of ``entry_ids`` that was cancelled."""
    if not entry_ids:
        return {}
    rows = session.scalars(
        select(EntryCancellation).where(col(EntryCancellation.entry_id).in_(entry_ids))
    )
    return {row.entry_id: row for row in rows}
