"""Gateway instances alive, as each says in the shared database (DESIGN §3).

Every ``gateway serve`` writes its row at start and then every few seconds (a heartbeat
with its spool's depth); ``gateway status`` and the console's system page list the rows,
so an administrator sees from any instance which others are alive and what they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, col

from registry.database import read_session, write_session
from registry.types import utc_field


class GatewayInstance(SQLModel, table=True):
    """One running (or once running) ``gateway serve``."""

    __tablename__ = "gateway_instance"

    name: str = Field(primary_key=True, max_length=200)  # [gateway] instance_name
    host: str = Field(max_length=255)  # the machine's name
    pid: int
    started_at: datetime = utc_field()
    seen_at: datetime = utc_field()
    spool_waiting: int = 0  # items in new/ and work/ at the last heartbeat
    spool_quarantined: int = 0
    stopped: bool = False  # True after a clean stop


@dataclass(frozen=True)
class InstanceView:
    """An instance as the status board shows it."""

    name: str
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime
    spool_waiting: int
    spool_quarantined: int
    state: str  # "alive" | "silent" (no heartbeat for a while) | "stopped"


def beat(
    engine: Engine,
    *,
    name: str,
    host: str,
    pid: int,
    started_at: datetime,
    waiting: int,
    quarantined: int,
    stopped: bool = False,
) -> None:
    """Write this instance's row (insert at the first beat, update after)."""
    now = datetime.now(UTC)
    with write_session(engine) as session:
        row = session.get(GatewayInstance, name)
        if row is None:
            row = GatewayInstance(name=name, host=host, pid=pid, started_at=started_at, seen_at=now)
        row.host, row.pid, row.started_at, row.seen_at = host, pid, started_at, now
        row.spool_waiting, row.spool_quarantined, row.stopped = waiting, quarantined, stopped
        session.add(row)


def instances(engine: Engine, *, silent_after: timedelta, now: datetime) -> list[InstanceView]:
    """Every instance ever seen, newest heartbeat first, each said alive, silent or stopped."""
    with read_session(engine) as session:
        rows = session.execute(
            select(GatewayInstance).order_by(col(GatewayInstance.seen_at).desc())
        ).scalars()
        return [
            InstanceView(
                name=r.name,
                host=r.host,
                pid=r.pid,
                started_at=r.started_at,
                seen_at=r.seen_at,
                spool_waiting=r.spool_waiting,
                spool_quarantined=r.spool_quarantined,
                state="stopped"
                if r.stopped
                else "alive"
                if now - r.seen_at <= silent_after
                else "silent",
            )
            for r in rows
        ]
