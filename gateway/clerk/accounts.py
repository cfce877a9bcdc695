"""Console accounts (R-ACCOUNT): Argon2id passwords, database sessions, login throttling.

Every change and every login is written to the audit trail with the person's user name as
actor. The clock is passed in (tests move it); the cookie carries a random token whose
sha256 is the session's key in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from registry.console import accounts as store
from registry.console.accounts import Role
from registry.database import read_session, write_session

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5  # failed logins per user name and address within the window
# Failed logins from one address, whatever the names, within the window: guessing across
# many names is slowed too, and one address cannot lock out a user for everyone else.
THROTTLE_ADDRESS_FAILURES = 20
MIN_PASSWORD_CHARS = 10
TOUCH_INTERVAL = timedelta(minutes=1)  # how often a session's last_seen is written

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class LoginOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # unknown name, wrong password or disabled account: one answer
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Person:
    """The signed-in person, as the console needs them."""

    username: str
    display_name: str
    role: Role
    unit_code: str | None


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    token: str = ""  # the cookie value, on success


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of a session: derived from the secret cookie, never stored."""
    return hmac.new(session_token.encode("utf-8"), b"csrf", hashlib.sha256).hexdigest()


class Accounts:
    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock
        self._hasher = PasswordHasher()  # Argon2id with the library's (RFC 9106) defaults
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def add(
        self,
        username: str,
        role: Role,
        password: str,
        *,
        unit_code: str | None = None,
        display_name: str = "",
        actor: str,
    ) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise ValueError(f"mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự")
        if role is Role.OFFICER and not unit_code:
            raise ValueError("tài khoản chuyên viên (officer) cần --unit MÃ_ĐƠN_VỊ")
        now = self._clock()
        with write_session(self._engine) as session:
            store.add_user(
                session,
                username=username,
                display_name=display_name,
                role=role,
                unit_code=unit_code,
                password_hash=self._hasher.hash(password),
                now=now,
            )
            details = {"username": username, "role": str(role), "unit": unit_code}
            store.audit(session, actor=actor, action="user.add", now=now, details=details)

    def disable(self, username: str, *, actor: str) -> None:
        now = self._clock()
        with write_session(self._engine) as session:
            store.disable_user(session, username, now)
            store.audit(
                session,
                actor=actor,
                action="user.disable",
                now=now,
                details={"username": username},
            )

    def list(self) -> list[store.UserAccount]:
        with read_session(self._engine) as session:
            return list(store.list_users(session))

    def login(self, username: str, password: str, address: str) -> LoginResult:
        """Throttled per (name, address) and per address (the client's real address, see
        ``[web] trusted_proxies``). Argon2 runs outside any write transaction: a login
        flood must not hold the database's write lock the registering worker needs."""
        now = self._clock()
        since = now - THROTTLE_WINDOW
        with read_session(self._engine) as session:
            throttled = (
                store.recent_failures(session, username=username, address=address, since=since)
                >= THROTTLE_FAILURES
                or store.failures_from_address(session, address, since) >= THROTTLE_ADDRESS_FAILURES
            )
            user = None if throttled else store.find_user(session, username)
            stored = user.password_hash if user else None
            usable = user is not None and not user.disabled
        if throttled:
            with write_session(self._engine) as session:
                store.audit(
                    session,
                    actor=username,
                    action="login.throttled",
                    now=now,
                    details={"address": address},
                )
            return LoginResult(LoginOutcome.THROTTLED)
        ok = self._verify(stored, password) and usable
        with write_session(self._engine) as session:
            user = store.find_user(session, username) if ok else None
            ok = ok and user is not None and not user.disabled
            store.record_attempt(session, username=username, address=address, succeeded=ok, now=now)
            action = "login" if ok else "login.failed"
            store.audit(
                session, actor=username, action=action, now=now, details={"address": address}
            )
            if not ok or user is None:
                return LoginResult(LoginOutcome.REFUSED)
            token = secrets.token_urlsafe(32)
            store.open_session(
                session,
                token_hash=token_hash(token),
                user=user,
                now=now,
                expires=now + SESSION_LIFETIME,
            )
        log.info("console login by %s", username)
        return LoginResult(LoginOutcome.OK, token)

    def person(self, token: str) -> Person | None:
        """The person of a live session cookie, else None.

        A read; ``last_seen`` is written at most once a minute, so page views do not queue
        behind the pipeline's writers.
        """
        if not token:
            return None
        now = self._clock()
        key = token_hash(token)
        with read_session(self._engine) as session:
            found = store.session_user(session, key, now)
        if found is None:
            return None
        user, last_seen = found
        if now - last_seen > TOUCH_INTERVAL:
            with write_session(self._engine) as session:
                store.touch_session(session, key, now)
        return Person(user.username, user.display_name, Role(user.role), user.unit_code)

    def logout(self, token: str, username: str) -> None:
        now = self._clock()
        with write_session(self._engine) as session:
            if store.close_session(session, token_hash(token)) is not None:
                store.audit(session, actor=username, action="logout", now=now)

    def _verify(self, stored: str | None, password: str) -> bool:
        # An unknown name costs the same time as a wrong password (no user enumeration).
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False
