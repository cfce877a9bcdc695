"""The result file an officer attaches when reporting "Hoàn thành" (R-TRACK): the bytes
are in the archive (files or the database, like every document: ``ByteStore``), this row
names them, the assignment, who uploaded them and when (migration 0020)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.types import utc_field


class AssignmentResult(SQLModel, table=True):
    __tablename__ = "assignment_result"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    sha256: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=127)
    size: int
    uploaded_by: str = Field(max_length=320)
    uploaded_at: datetime = utc_field()


def results_of(session: Session, entry_id: int) -> list[AssignmentResult]:
    return list(
        session.scalars(
            select(AssignmentResult)
            .where(col(AssignmentResult.entry_id) == entry_id)
            .order_by(col(AssignmentResult.id))
        )
    )


def results_of_assignments(session: Session, ids: Sequence[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    if not ids:
        return found
    for row in session.scalars(
        select(AssignmentResult)
        .where(col(AssignmentResult.assignment_id).in_(list(ids)))
        .order_by(col(AssignmentResult.id))
    ):
        found.setdefault(row.assignment_id, []).append(row)
    return found
