"""Console accounts (R-ACCOUNT): ``gateway users …`` and the account rules underneath,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.clerk.accounts import (
    SESSION_LIFETIME,
    THROTTLE_WINDOW,
    Accounts,
    LoginOutcome,
    csrf_token_for,
)
from registry.console.accounts import DuplicateUserError, Role, UserAccount, WebSession
from registry.database import read_session
from registry.models import AuditEvent
from tests.support.gateway_process import run_cli

PASSWORD = "mot-mat-khau-du-dai"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _audit(engine: Engine) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        rows = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))
        return [(row.actor, row.action) for row in rows]


def test_r_account_password_is_stored_as_argon2id_and_login_opens_a_session(
    engine: Engine,
) -> None:
    """GIVEN a clerk account WHEN it logs in with its password THEN the stored hash is an
    Argon2id hash (not the password), the cookie token resolves to the person, and the
    audit trail holds user.add by the operator and login by the clerk."""
    accounts = Accounts(engine, Clock())
    accounts.add("vanthu", Role.CLERK, PASSWORD, display_name="Nguyễn Thị Văn", actor="cli:root")
    with read_session(engine) as session:
        stored = session.scalars(select(UserAccount)).one().password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored

    result = accounts.login("vanthu", PASSWORD, "127.0.0.1")
    assert result.outcome is LoginOutcome.OK
    person = accounts.person(result.token)
    assert person is not None
    assert (person.username, person.role, person.display_name) == (
        "vanthu",
        Role.CLERK,
        "Nguyễn Thị Văn",
    )
    assert csrf_token_for(result.token) != csrf_token_for("another-token")
    assert _audit(engine) == [("cli:root", "user.add"), ("vanthu", "login")]


def test_r_account_session_expires_and_logout_ends_it(engine: Engine) -> None:
    """GIVEN two sessions of one user WHEN one logs out and the clock passes the other's
    lifetime THEN neither token resolves any more."""
    clock = Clock()
    accounts = Accounts(engine, clock)
    accounts.add("lanhdao", Role.LEADER, PASSWORD, actor="cli:root")
    first = accounts.login("lanhdao", PASSWORD, "10.0.0.1").token
    second = accounts.login("lanhdao", PASSWORD, "10.0.0.2").token
    accounts.logout(first, "lanhdao")
    assert accounts.person(first) is None
    assert accounts.person(second) is not None
    clock.now += SESSION_LIFETIME + timedelta(seconds=1)
    assert accounts.person(second) is None
    assert ("lanhdao", "logout") in _audit(engine)


def test_session_last_seen_is_written_at_most_once_a_minute(engine: Engine) -> None:
    """GIVEN a fresh session WHEN it is used 30 s and then 2 min after login THEN its
    last_seen stays at the login time after the first use and moves after the second."""
    clock = Clock()
    accounts = Accounts(engine, clock)
    accounts.add("vanthu", Role.CLERK, PASSWORD, actor="cli:root")
    token = accounts.login("vanthu", PASSWORD, "127.0.0.1").token
    login_time = clock.now

    def last_seen() -> datetime:
        with read_session(engine) as session:
            return session.scalars(select(WebSession)).one().last_seen_at

    clock.now = login_time + timedelta(seconds=30)
    assert accounts.person(token) is not None
    assert last_seen() == login_time
    clock.now = login_time + timedelta(minutes=2)
    assert accounts.person(token) is not None
    assert last_seen() == clock.now


def test_r_account_throttle_five_failures_per_name_and_address(engine: Engine) -> None:
    """GIVEN five wrong passwords for one name from one address within 15 minutes
    WHEN the right password comes from that address THEN throttled; from another address
    it works; after the window it works again from the first address."""
    clock = Clock()
    accounts = Accounts(engine, clock)
    accounts.add("vanthu", Role.CLERK, PASSWORD, actor="cli:root")
    for _ in range(5):
        wrong = accounts.login("vanthu", "khong-dung-mat-khau", "10.0.0.9")
        assert wrong.outcome is LoginOutcome.REFUSED
    assert accounts.login("vanthu", PASSWORD, "10.0.0.9").outcome is LoginOutcome.THROTTLED
    assert accounts.login("vanthu", PASSWORD, "10.0.0.10").outcome is LoginOutcome.OK
    clock.now += THROTTLE_WINDOW + timedelta(seconds=1)
    assert accounts.login("vanthu", PASSWORD, "10.0.0.9").outcome is LoginOutcome.OK
    assert ("vanthu", "login.throttled") in _audit(engine)


def test_r_account_disabled_account_cannot_log_in_and_loses_its_sessions(
    engine: Engine,
) -> None:
    """GIVEN a signed-in officer WHEN the account is disabled THEN the live session stops
    working and a new login with the right password is refused."""
    accounts = Accounts(engine, Clock())
    accounts.add("chuyenvien", Role.OFFICER, PASSWORD, unit_code="PTP", actor="cli:root")
    token = accounts.login("chuyenvien", PASSWORD, "127.0.0.1").token
    accounts.disable("chuyenvien", actor="cli:root")
    assert accounts.person(token) is None
    assert accounts.login("chuyenvien", PASSWORD, "127.0.0.1").outcome is LoginOutcome.REFUSED
    assert ("cli:root", "user.disable") in _audit(engine)


def test_r_account_refuses_duplicates_short_passwords_and_officers_without_unit(
    engine: Engine,
) -> None:
    """GIVEN an existing name WHEN it is added again, or a password is short, or an officer
    has no unit THEN each is refused and nothing is stored for it."""
    accounts = Accounts(engine, Clock())
    accounts.add("quantri", Role.ADMIN, PASSWORD, actor="cli:root")
    with pytest.raises(DuplicateUserError):
        accounts.add("quantri", Role.CLERK, PASSWORD, actor="cli:root")
    with pytest.raises(ValueError, match="ít nhất"):
        accounts.add("ngan", Role.CLERK, "ngan", actor="cli:root")
    with pytest.raises(ValueError, match="--unit"):
        accounts.add("cv", Role.OFFICER, PASSWORD, actor="cli:root")
    assert [u.username for u in accounts.list()] == ["quantri"]


def test_users_cli_add_list_disable(tmp_path: Path) -> None:
    """GIVEN a fresh deployment WHEN an operator runs `gateway users add` (password from a
    file), `users list --json`, `users disable` THEN Vietnamese confirmations, the list
    shows the role and unit, and a disabled account is marked disabled."""
    result = run_cli("init", str(tmp_path / "d"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = str(tmp_path / "d" / "gateway.toml")
    password = tmp_path / "pw.txt"
    password.write_text(PASSWORD + "\n", encoding="utf-8")

    added = run_cli(
        "users", "add", "chuyenvien", "--role", "officer", "--unit", "TP",
        "--password-file", str(password), "-c", config, cwd=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "đã tạo tài khoản chuyenvien (chuyên viên)"
    no_unit = run_cli(
        "users", "add", "cv2", "--role", "officer", "--password-file", str(password),
        "-c", config, cwd=tmp_path,
    )  # fmt: skip
    assert no_unit.returncode == 2
    assert "--unit" in no_unit.stderr

    disabled = run_cli("users", "disable", "chuyenvien", "-c", config, cwd=tmp_path)
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout.startswith("đã khóa tài khoản chuyenvien")
    listed = run_cli("users", "list", "--json", "-c", config, cwd=tmp_path)
    assert json.loads(listed.stdout) == [
        {
            "username": "chuyenvien",
            "display_name": "chuyenvien",
            "role": "officer",
            "unit": "TP",
            "disabled": True,
        }
    ]
    missing = run_cli("users", "disable", "khongco", "-c", config, cwd=tmp_path)
    assert missing.returncode == 1
    assert "không có tài khoản khongco" in missing.stderr
