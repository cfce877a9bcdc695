"""Engines and schema upgrades; SQLite (WAL) by default, PostgreSQL for scale-out (DESIGN §3)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from registry import migrations
from registry.errors import DatabaseUnavailableError, RegistryError
from registry.reports import facts as report_facts

log = logging.getLogger(__name__)

_IMMEDIATE = "gateway_immediate"
BUSY_SECONDS = 30  # how long a writer waits for SQLite's write lock before giving up
LOCK_PAUSES = (0.0002, 0.002)  # the first and the longest pause between tries for it


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, full sync and a busy timeout."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before the spool item is finished (nothing is lost).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front, so two registering transactions queue
        # instead of failing on lock upgrade; readers stay deferred.
        if connection.get_execution_options().get(_IMMEDIATE, False):
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE, tried again after short pauses while another writer holds the lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries: a writer
    queued behind a 15 ms transaction sleeps ~30 ms while the lock is free, and the
    gateway's writers (the pipeline processes, the outbox) leave the cores idle. Trying
    every ≤ 2 ms hands the lock over within about a millisecond. After ``BUSY_SECONDS``
    the statement fails as it would with SQLite's timeout (DatabaseUnavailableError).
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA busy_timeout=0")
    try:
        pause, longest = LOCK_PAUSES
        deadline = time.monotonic() + BUSY_SECONDS
        while time.monotonic() < deadline:
            try:
                driver.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            else:
                return
            time.sleep(pause)
            pause = min(2 * pause, longest)
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # raises "database is locked"
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One read-write transaction: committed when the block ends, rolled back on error.

    Before it commits, the monthly report's facts of every entry it touched are rewritten
    (:mod:`registry.reports.facts`), whichever code path changed them.

    Lock and connection failures surface as DatabaseUnavailableError (transient).
    """
    bound = engine.execution_options(**{_IMMEDIATE: True})
    try:
        with Session(bound, expire_on_commit=False) as session, session.begin():
            event.listen(session, "before_flush", _without_nul)
            event.listen(session, "after_flush", report_facts.note_touched)
            event.listen(session, "before_commit", report_facts.rewrite_touched)
            yield session
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"database unavailable: {exc.orig!r}") from exc


def _without_nul(session: Session, _context: Any, _instances: Any) -> None:
    """NUL out of every text column written: PostgreSQL refuses it in text, and a stranger's
    subject, file name or PDF text may carry one (the raw message keeps it, byte for byte)."""
    for instance in (*session.new, *session.dirty):
        for attribute in sa_inspect(instance).mapper.column_attrs:
            value = getattr(instance, attribute.key, None)
            if isinstance(value, str) and "\x00" in value:
                setattr(instance, attribute.key, value.replace("\x00", ""))


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only session (nothing is committed)."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"database unavailable: {exc.orig!r}") from exc


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # versions/ holds a folder per ten revisions (v0001_0010, v0011_0020, …): no room of
    # the house over ~15 modules (DESIGN §2); Alembic finds them in the sub-folders.
    config.set_main_option("recursive_version_locations", "true")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration (never ``create_all`` on a live database).

    On SQLite, a batch migration copies a table, drops it and renames the copy; with
    foreign keys enforced, dropping a table other rows refer to fails. So references are
    not enforced while migrating (as Alembic advises for SQLite) and checked once at the
    end, in the same transaction: a migration that broke one is rolled back.
    """
    config = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                _enforce_foreign_keys(connection, False)
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                    broken = (
                        connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                        if sqlite
                        else None
                    )
                    if broken is not None:
                        raise RegistryError(f"a migration broke a reference: {tuple(broken)}")
            finally:
                if sqlite:
                    _enforce_foreign_keys(connection, True)
    except OperationalError as exc:
        raise DatabaseUnavailableError(f"cannot upgrade the database: {exc.orig!r}") from exc


def _enforce_foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite's ``PRAGMA foreign_keys``, set outside any transaction (inside one it is
    silently ignored): straight on the driver's connection, before BEGIN or after COMMIT."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
