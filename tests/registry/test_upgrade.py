"""Schema upgrades of a register that holds rows (DESIGN §3; Alembic batch mode on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.exc import IntegrityError

from registry.database import make_engine, upgrade

# The last revision before one that rebuilds register_entry in batch mode (0013 widens
# its status column: SQLite copies the table, drops the old one and renames the copy).
BEFORE_REBUILD = "0012"


def _dummy(column: ReflectedColumn) -> object:
    """A value of the column's type, for NOT NULL columns without a default."""
    kind = str(column["type"]).upper()
    if "INT" in kind or "NUMERIC" in kind or "FLOAT" in kind:
        return 0
    if "BOOL" in kind:
        return False
    if "DATE" in kind or "TIME" in kind:
        return "2026-03-02 03:00:00.000000"
    if "JSON" in kind:
        return "[]"
    if "BLOB" in kind or "BINARY" in kind:
        return b""
    return "x"


def _insert(connection: Connection, table: str, **given: object) -> int:
    """One row of ``table`` as the schema stands: ``given`` values, dummies for the rest."""
    values = dict(given)
    for column in inspect(connection).get_columns(table):
        name = column["name"]
        needed = not column["nullable"] and column.get("default") is None
        if name not in values and needed and name != "id":
            values[name] = _dummy(column)
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    result = connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
    assert result.lastrowid is not None
    return int(result.lastrowid)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    yield made
    made.dispose()


def test_sqlite_upgrade_rebuilds_a_table_other_rows_refer_to(engine: Engine) -> None:
    """GIVEN a SQLite register before a revision that rebuilds register_entry, holding an
    entry and a signature result that refers to it WHEN upgraded to the newest schema
    THEN the upgrade succeeds, both rows are still there and still linked, and foreign
    keys are enforced again afterwards (a dangling reference is refused)."""
    upgrade(engine, BEFORE_REBUILD)
    with engine.begin() as connection:
        inbound = _insert(connection, "inbound_message", spool_id="s1")
        entry = _insert(
            connection, "register_entry", inbound_id=inbound, year=2026, incoming_number=1
        )
        _insert(connection, "signature_result", inbound_id=inbound, entry_id=entry, position=1)

    upgrade(engine)

    with engine.connect() as connection:
        linked = connection.execute(
            text(
                "SELECT count(*) FROM signature_result s"
                " JOIN register_entry e ON e.id = s.entry_id WHERE e.incoming_number = 1"
            )
        ).scalar()
        assert linked == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(IntegrityError), engine.begin() as connection:
        _insert(connection, "signature_result", inbound_id=inbound, entry_id=999, position=2)
