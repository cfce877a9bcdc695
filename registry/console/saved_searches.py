"""Saved searches of the register page, one list per person (DESIGN §4.6).

A saved search is a name and the register page's query string (filters and columns,
url-encoded, without the page number). Names are unique per person: saving a name again
replaces what it pointed to. Only the owner lists, opens or deletes their searches; the
callers name the owner by username, as the console knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.console.accounts import UserAccount
from registry.database import write_session
from registry.errors import NotFoundError
from registry.types import utc_field

MAX_NAME_CHARS = 100


class SavedSearch(SQLModel, table=True):
    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=MAX_NAME_CHARS)
    query: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = utc_field()


@dataclass(frozen=True)
class Saved:
    """One saved search as the register page lists it."""

    id: int
    name: str
    query: str  # url-encoded, without "?"


def _user_id(session: Session, username: str) -> int:
    found = session.scalar(select(col(UserAccount.id)).where(col(UserAccount.username) == username))
    if found is None:
        raise NotFoundError(f"no account {username!r}")
    return int(found)


def save_search(session: Session, username: str, name: str, query: str, now: datetime) -> Saved:
    """Store ``query`` under ``name`` for the person; the same name again replaces it.

    ``name`` must already be cleaned (trimmed, NFC, 1..100 characters): ValueError if not.
    """
    if not name or len(name) > MAX_NAME_CHARS:
        raise ValueError("a saved search needs a name of 1 to 100 characters")
    user_id = _user_id(session, username)
    row = session.scalars(
        select(SavedSearch)
        .where(col(SavedSearch.user_id) == user_id)
        .where(col(SavedSearch.name) == name)
    ).one_or_none()
    if row is None:
        row = SavedSearch(user_id=user_id, name=name, query=query, created_at=now)
        session.add(row)
    else:
        row.query, row.created_at = query, now
    session.flush()
    assert row.id is not None
    return Saved(row.id, row.name, row.query)


def store_search(engine: Engine, username: str, name: str, query: str, now: datetime) -> Saved:
    """:func:`save_search` in a transaction of its own. Two saves of one new name at once
    (a double click) both find no row and both insert; the later commit breaks the unique
    name, and it is then done again as the replacement it was meant to be."""
    try:
        with write_session(engine) as session:
            return save_search(session, username, name, query, now)
    except IntegrityError:
        with write_session(engine) as session:
            return save_search(session, username, name, query, now)


def saved_searches(session: Session, username: str) -> list[Saved]:
    """The person's saved searches by name."""
    rows = session.scalars(
        select(SavedSearch)
        .join(UserAccount, col(UserAccount.id) == col(SavedSearch.user_id))
        .where(col(UserAccount.username) == username)
        .order_by(col(SavedSearch.name), col(SavedSearch.id))
    )
    return [Saved(row.id or 0, row.name, row.query) for row in rows]


def delete_search(session: Session, username: str, search_id: int) -> None:
    """Delete the person's saved search; NotFoundError when it is not theirs (or gone)."""
    row = session.get(SavedSearch, search_id)
    if row is None or row.user_id != _user_id(session, username):
        raise NotFoundError(f"no saved search {search_id} of {username!r}")
    session.delete(row)
