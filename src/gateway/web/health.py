"""``GET /health``: ok or degraded, with the checks behind it, nothing sensitive.

Degraded while no trust root is configured, the scanner is off or down, or the outbox has
mail it failed to deliver (DESIGN §4.6). Counts come from the same places as
``gateway status``.
"""

from __future__ import annotations

import glob
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.errors import GatewayError
from gateway.settings import Deployment
from gateway.spool import Spool
from gateway.wiring import scanner_for
from registry.database import read_session
from registry.models import OutboxMessage, OutboxStatus


def _trust(deployment: Deployment) -> str:
    for pattern in deployment.settings.trust.roots:
        if glob.glob(str(deployment.path(pattern))):  # noqa: PTH207 - absolute patterns
            return "ok"
    return "no-roots"


def _scanner(deployment: Deployment) -> str:
    scanner = scanner_for(deployment)
    if scanner is None:
        return "off"
    try:
        scanner.ping()
    except (GatewayError, OSError):
        return "down"
    return "ok"


def _outbox(engine: Engine) -> dict[str, Any]:
    with read_session(engine) as session:
        counts = dict(
            session.execute(
                select(col(OutboxMessage.status), func.count()).group_by(col(OutboxMessage.status))
            ).all()
        )
    failed = int(counts.get(OutboxStatus.FAILED, 0))
    return {
        "status": "failing" if failed else "ok",
        "pending": int(counts.get(OutboxStatus.PENDING, 0)),
        "failed": failed,
    }


def health_report(deployment: Deployment, engine: Engine) -> dict[str, Any]:
    spool = Spool(deployment.data_dir / "spool")
    checks: dict[str, Any] = {
        "trust": _trust(deployment),
        "scanner": _scanner(deployment),
        "outbox": _outbox(engine),
        "spool": {"waiting": len(spool.waiting()), "quarantined": len(spool.quarantined())},
    }
    healthy = (
        checks["trust"] == "ok" and checks["scanner"] == "ok" and checks["outbox"]["status"] == "ok"
    )
    return {"status": "ok" if healthy else "degraded", "checks": checks}
