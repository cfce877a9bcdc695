"""A throwaway PostgreSQL database on a running server, for one test or one benchmark run."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from registry.database import make_engine


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """The URL of a new database named ``<prefix>_<random>`` on ``server``, dropped (even
    with connections left open) when the block ends."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
