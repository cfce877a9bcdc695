"""The routing rules in force, shared by every gateway instance (DESIGN §3, §4.7).

Each saved text of the rules is a row; the newest row is in force on every instance. A
row comes from the console's rules editor (``console``) or from an instance's rules file
(``file:PATH``) when that file changed on that instance (:mod:`gateway.routing.in_force`).
Rows are never changed or deleted: they are the rules' history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Text, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.models import AuditEvent
from registry.types import utc_field


class RulesVersion(SQLModel, table=True):
    """One saved text of the routing rules (migration 0019)."""

    __tablename__ = "rules_version"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=12, index=True)
    """The first 12 hex digits of the text's SHA-256, as ``rules.rulesfile`` computes."""
    text: str = Field(sa_column=Column(Text(), nullable=False))
    """The YAML text, exactly as saved."""
    source: str = Field(max_length=300)
    """``console`` or ``file:PATH`` (the rules file of the instance that read it)."""
    saved_by: str = Field(max_length=100)
    """The console user, or ``system`` for a file."""
    saved_at: datetime = utc_field()


def newest_rules_id(session: Session) -> int | None:
    """The id of the rules in force: one small query, asked before each routing."""
    return session.scalar(select(func.max(col(RulesVersion.id))))


def rules_in_force(session: Session) -> RulesVersion | None:
    return session.scalars(
        select(RulesVersion).order_by(col(RulesVersion.id).desc()).limit(1)
    ).first()


def save_rules_version(
    session: Session, *, text: str, version: str, source: str, saved_by: str
) -> RulesVersion:
    row = RulesVersion(
        version=version, text=text, source=source, saved_by=saved_by, saved_at=datetime.now(UTC)
    )
    session.add(row)
    session.flush()
    return row


def version_saved(session: Session, version: str) -> bool:
    """Whether a text of this version was ever in force."""
    found = session.scalar(
        select(func.count()).select_from(RulesVersion).where(col(RulesVersion.version) == version)
    )
    return bool(found)


def rules_changes(session: Session, action: str, limit: int) -> list[AuditEvent]:
    """The audit events ``action`` (a save of the rules), newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.action) == action)
            .order_by(col(AuditEvent.id).desc())
            .limit(limit)
        )
    )
