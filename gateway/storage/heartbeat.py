"""This instance's heartbeat in the shared database (DESIGN §3).

Each ``gateway serve`` says every few seconds that it is alive and how deep its spool is;
any instance's ``gateway status`` and ``/system`` list them all. An instance silent for
:data:`SILENT_AFTER` is shown as such: its spool holds mail it answered ``250`` for, which
it processes when it comes back (or an administrator moves the spool folder to another
machine and starts an instance on it — docs/operations.md).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from gateway.spool.queue import Spool
from registry.storage.instances import beat

BEAT_SECONDS = 10.0
SILENT_AFTER = timedelta(seconds=3 * BEAT_SECONDS)


def default_instance_name(data_dir: Path) -> str:
    """``HOST:data_dir``: distinct for two instances of one machine, stable across restarts."""
    return f"{socket.gethostname()}:{data_dir.resolve()}"


@dataclass(frozen=True)
class Heartbeat:
    """Writes this instance's row; ``stop`` marks it stopped at a clean shutdown."""

    engine: Engine
    spool: Spool
    name: str
    started_at: datetime

    def beat(self, *, stopped: bool = False) -> None:
        beat(
            self.engine,
            name=self.name,
            host=socket.gethostname(),
            pid=os.getpid(),
            started_at=self.started_at,
            waiting=len(self.spool.waiting()),
            quarantined=len(self.spool.quarantined()),
            stopped=stopped,
        )


def heartbeat_for(engine: Engine, spool: Spool, instance_name: str, data_dir: Path) -> Heartbeat:
    return Heartbeat(
        engine=engine,
        spool=spool,
        name=instance_name or default_instance_name(data_dir),
        started_at=datetime.now(UTC),
    )
