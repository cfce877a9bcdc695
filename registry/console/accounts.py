"""Console accounts, their sessions and login attempts (R-ACCOUNT): tables and storage.

Passwords arrive here already hashed (the gateway hashes them); a session row is keyed by
the sha256 of the random token kept in the browser's cookie, so a database leak does not
hand out live sessions. Sessions live in the database: logging out on one gateway instance
ends the session on every instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.errors import NotFoundError, RegistryError
from registry.models import AuditEvent
from registry.types import utc_field


class Role(StrEnum):
    """What a person may do in the console (R-ACCOUNT)."""

    CLERK = "clerk"  # văn thư: the whole register
    OFFICER = "officer"  # chuyên viên: documents assigned to their unit only
    LEADER = "leader"  # lãnh đạo: the whole register, figures
    ADMIN = "admin"  # quản trị: everything, rules and held mail


class DuplicateUserError(RegistryError):
    """``users add`` for a name that already exists."""


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=100)
    display_name: str = ""
    role: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, max_length=64)
    password_hash: str
    disabled: bool = False
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie token
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = utc_field()
    expires_at: datetime = utc_field(index=True)
    last_seen_at: datetime = utc_field()


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    address: str = Field(max_length=64)
    at: datetime = utc_field(index=True)
    succeeded: bool = False


def add_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    unit_code: str | None,
    password_hash: str,
    now: datetime,
) -> UserAccount:
    if find_user(session, username) is not None:
        raise DuplicateUserError(f"tài khoản {username} đã tồn tại")
    user = UserAccount(
        username=username,
        display_name=display_name or username,
        role=role,
        unit_code=unit_code,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> UserAccount | None:
    return session.scalars(select(UserAccount).where(col(UserAccount.username) == username)).first()


def disable_user(session: Session, username: str, now: datetime) -> UserAccount:
    """Mark the account disabled and end every session it has."""
    user = find_user(session, username)
    if user is None:
        raise NotFoundError(f"không có tài khoản {username}")
    user.disabled = True
    user.updated_at = now
    session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))
    return user


def list_users(session: Session) -> Sequence[UserAccount]:
    return session.scalars(select(UserAccount).order_by(col(UserAccount.username))).all()


def open_session(
    session: Session, *, token_hash: str, user: UserAccount, now: datetime, expires: datetime
) -> None:
    assert user.id is not None
    session.add(
        WebSession(
            id=token_hash, user_id=user.id, created_at=now, expires_at=expires, last_seen_at=now
        )
    )


def session_user(
    session: Session, token_hash: str, now: datetime
) -> tuple[UserAccount, datetime] | None:
    """The enabled user of a live session and when it was last seen, else None."""
    row = session.get(WebSession, token_hash)
    if row is None or row.expires_at <= now:
        return None
    user = session.get(UserAccount, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row.last_seen_at


def touch_session(session: Session, token_hash: str, now: datetime) -> None:
    row = session.get(WebSession, token_hash)
    if row is not None:
        row.last_seen_at = now


def close_session(session: Session, token_hash: str) -> int | None:
    """Delete the session; returns its user's id (None when there was none)."""
    row = session.get(WebSession, token_hash)
    if row is None:
        return None
    session.delete(row)
    return row.user_id


def record_attempt(
    session: Session, *, username: str, address: str, succeeded: bool, now: datetime
) -> None:
    session.add(LoginAttempt(username=username, address=address, at=now, succeeded=succeeded))


def recent_failures(session: Session, *, username: str, address: str, since: datetime) -> int:
    """Failed logins for this name from this address since ``since``."""
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.username) == username)
        .where(col(LoginAttempt.address) == address)
        .where(col(LoginAttempt.at) >= since)
        .where(col(LoginAttempt.succeeded).is_(False))
    )
    return int(count or 0)


def failures_from_address(session: Session, address: str, since: datetime) -> int:
    """Failed logins from ``address`` since ``since``, whatever the user names."""
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.address) == address)
        .where(col(LoginAttempt.at) >= since)
        .where(col(LoginAttempt.succeeded).is_(False))
    )
    return int(count or 0)


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    entry_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """One line of the audit trail (who, what, when)."""
    session.add(
        AuditEvent(at=now, actor=actor, action=action, entry_id=entry_id, details=details or {})
    )
