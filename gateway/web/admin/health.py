"""``GET /health``: ok or degraded, with the checks behind it, nothing sensitive.

Degraded while no trust root is configured, the scanner is off or down, the outbox has
mail it failed to deliver, or an IMAP account is failing (DESIGN §4.6). Counts come from
:func:`gateway.reports.status.status_of`, as ``gateway status`` shows them.
"""

from __future__ import annotations

import glob
from typing import Any

from sqlalchemy.engine import Engine

from gateway.config.settings import Deployment
from gateway.errors import GatewayError
from gateway.reports.status import status_of
from gateway.wiring import scanner_for


def trust_check(deployment: Deployment) -> str:
    for pattern in deployment.settings.trust.roots:
        if glob.glob(str(deployment.path(pattern))):  # noqa: PTH207 - absolute patterns
            return "ok"
    return "no-roots"


def scanner_check(deployment: Deployment) -> str:
    scanner = scanner_for(deployment)
    if scanner is None:
        return "off"
    try:
        scanner.ping()
    except (GatewayError, OSError):
        return "down"
    return "ok"


def health_report(deployment: Deployment, engine: Engine) -> dict[str, Any]:
    return health_of(deployment, status_of(deployment, engine))


def health_of(deployment: Deployment, status: dict[str, Any]) -> dict[str, Any]:
    """The report from a :func:`gateway.reports.status.status_of` already read (``/system`` shows
    both, and reads the spool, outbox and IMAP board once)."""
    outbox = status["outbox"]
    failing_accounts = sum(1 for account in status["imap"] if account["state"] == "failing")
    checks: dict[str, Any] = {
        "trust": trust_check(deployment),
        "scanner": scanner_check(deployment),
        "outbox": {"status": "failing" if outbox["failed"] else "ok", **outbox},
        "spool": status["spool"],
        "imap": {"accounts": len(status["imap"]), "failing": failing_accounts},
    }
    healthy = (
        checks["trust"] == "ok"
        and checks["scanner"] == "ok"
        and not outbox["failed"]
        and not failing_accounts
    )
    return {"status": "ok" if healthy else "degraded", "checks": checks}
