"""SQLite's write lock: a writer queued behind another takes it when it is freed, and gives
up after ``BUSY_SECONDS`` as unavailable (registry.database._begin_immediate)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from registry import database
from registry.database import make_engine, write_session
from registry.errors import DatabaseUnavailableError


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'register.db'}")
    with write_session(engine) as session:
        session.execute(text("CREATE TABLE note (body TEXT)"))
    yield engine
    engine.dispose()


@pytest.fixture
def other_writer(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection to the same file, holding the write lock."""
    holder = sqlite3.connect(tmp_path / "register.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.close()


def write_note(engine: Engine, body: str) -> None:
    with write_session(engine) as session:
        session.execute(text("INSERT INTO note VALUES (:body)"), {"body": body})


def notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT body FROM note ORDER BY rowid")))


def test_a_writer_queued_behind_another_writes_when_the_lock_is_freed(
    engine: Engine, other_writer: sqlite3.Connection
) -> None:
    """GIVEN another connection holding the write lock WHEN a write session starts
    THEN it waits while the lock is held, writes once it is freed, and leaves SQLite's
    own busy timeout as it was."""
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            write_note(engine, "sau")
            outcome.append(None)
        except BaseException as exc:  # reported by the assertion below
            outcome.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive()  # still waiting: the lock is held
    other_writer.execute("INSERT INTO note VALUES ('trước')")
    other_writer.execute("COMMIT")
    writer.join(timeout=10)
    assert outcome == [None]
    assert notes(engine) == ["trước", "sau"]
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA busy_timeout")) == database.BUSY_SECONDS * 1000


def test_a_writer_gives_up_as_unavailable_when_the_lock_stays_held(
    engine: Engine, other_writer: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the write lock held longer than BUSY_SECONDS WHEN a write session starts
    THEN it fails as DatabaseUnavailableError (transient: the item waits), writing nothing."""
    monkeypatch.setattr(database, "BUSY_SECONDS", 0.3)
    with pytest.raises(DatabaseUnavailableError, match="locked"):
        write_note(engine, "không được ghi")
    other_writer.execute("ROLLBACK")
    assert notes(engine) == []
