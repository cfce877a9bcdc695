"""Raw messages and documents in the database, addressed by sha256 (DESIGN §3, R-INTACT).

With PostgreSQL every instance reads what any instance stored: the bytes live in one row
per sha256 (``bytea``), written once — storing the same bytes again changes nothing, and
two instances storing them at the same moment end with one row. Restricted bytes (R-SECRET:
secret-marked or infected messages) are rows of their own kind, never served with the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, LargeBinary, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import Executable
from sqlmodel import Field, SQLModel, col

from registry.database import read_session, write_session
from registry.types import utc_field


class StoredBlob(SQLModel, table=True):
    """One stored file: the exact bytes received or issued."""

    __tablename__ = "stored_blob"

    sha256: str = Field(primary_key=True, max_length=64)  # of ``data``; the address
    restricted: bool = Field(primary_key=True)  # R-SECRET store, administrators only
    size: int  # len(data), for listings without reading the bytes
    stored_at: datetime = utc_field()
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def put_blob(engine: Engine, sha256: str, data: bytes, *, restricted: bool = False) -> None:
    """Store ``data`` under ``sha256`` unless it is there already (idempotent, race-free)."""
    row = {
        "sha256": sha256,
        "restricted": restricted,
        "size": len(data),
        "stored_at": datetime.now(UTC),
        "data": data,
    }
    with write_session(engine) as session:
        dialect = session.get_bind().dialect.name
        statement: Executable
        if dialect == "postgresql":
            statement = pg_insert(StoredBlob).values(row).on_conflict_do_nothing()
        elif dialect == "sqlite":
            statement = sqlite_insert(StoredBlob).values(row).on_conflict_do_nothing()
        else:  # pragma: no cover - the two databases the gateway supports
            statement = insert(StoredBlob).values(row)
        session.execute(statement)


def get_blob(engine: Engine, sha256: str, *, restricted: bool = False) -> bytes | None:
    """The bytes stored under ``sha256``, or None."""
    with read_session(engine) as session:
        return session.execute(
            select(col(StoredBlob.data)).where(
                col(StoredBlob.sha256) == sha256, col(StoredBlob.restricted) == restricted
            )
        ).scalar_one_or_none()


def has_blob(engine: Engine, sha256: str, *, restricted: bool = False) -> bool:
    with read_session(engine) as session:
        found = session.execute(
            select(col(StoredBlob.size)).where(
                col(StoredBlob.sha256) == sha256, col(StoredBlob.restricted) == restricted
            )
        ).first()
    return found is not None
