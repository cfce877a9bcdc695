"""``/system`` (administrators): is the gateway well, and if not, where it hurts.

The same checks as ``/health`` (trust roots, clamd, outbox, spool, IMAP accounts), but with
the detail that ``/health`` must not show to the world: each failing outgoing mail with its
last error, each IMAP account's state and error, IMAP messages the mover could not file,
and the newest warnings and errors this process logged (:mod:`gateway.reports.recent_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.reports.recent_problems import LoggedProblem, install
from gateway.reports.status import status_of
from gateway.web.admin.health import health_of
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from registry.console.accounts import Role
from registry.console.alerts import acknowledge, open_alerts
from registry.database import read_session, write_session
from registry.mail.imap_ledger import stuck_messages
from registry.mail.outbox_views import failing_mail
from registry.recorder import Recorder

LISTED = 20  # rows per list: the newest; the CLI (`gateway status`, the journal) has the rest


@dataclass(frozen=True)
class UndeliveredMail:
    """An outgoing mail that failed for good, or is being retried after an error."""

    kind: str
    recipient: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str


@dataclass(frozen=True)
class StuckImapMessage:
    """A message read from an IMAP folder whose last step reported an error."""

    account: str
    folder: str
    uid: int
    status: str
    updated_at: datetime
    last_error: str


@dataclass(frozen=True)
class AlertLine:
    """An alert waiting for an administrator's acknowledgement (registry.alerts)."""

    id: int
    kind: str
    created_at: datetime
    summary: str
    mailed_to: str


def alert_lines(engine: Engine) -> list[AlertLine]:
    """Alerts not yet acknowledged, the newest first (also for the dashboard)."""
    with read_session(engine) as session:
        return [
            AlertLine(a.id or 0, a.kind, a.created_at, a.summary, a.mailed_to)
            for a in open_alerts(session, LISTED)
        ]


@dataclass(frozen=True)
class SystemView:
    health: dict[str, Any]
    imap: list[dict[str, Any]]
    instances: list[dict[str, Any]]  # every instance sharing the database (DESIGN §3)
    undelivered: list[UndeliveredMail]
    stuck_imap: list[StuckImapMessage]
    problems: list[LoggedProblem]
    alerts: list[AlertLine]


def system_view(deployment: Deployment, engine: Engine) -> SystemView:
    with read_session(engine) as session:
        undelivered = [
            UndeliveredMail(
                m.kind,
                m.recipient,
                m.status,
                m.attempts,
                m.created_at,
                m.next_attempt_at,
                m.last_error,
            )
            for m in failing_mail(session, LISTED)
        ]
        stuck = [
            StuckImapMessage(
                row.account, row.folder, row.uid, row.status, row.updated_at, row.last_error
            )
            for row in stuck_messages(session, LISTED)
        ]
    status = status_of(deployment, engine)
    return SystemView(
        health=health_of(deployment, status),
        imap=status["imap"],
        instances=[
            {**i, "seen_at": datetime.fromisoformat(i["seen_at"])} for i in status["instances"]
        ],
        undelivered=undelivered,
        stuck_imap=stuck,
        problems=install().newest()[:LISTED],
        alerts=alert_lines(engine),
    )


@signed_in(roles={Role.ADMIN})
async def system_page(request: Request, person: Person) -> Response:
    view = await run_in_threadpool(
        system_view, request.app.state.deployment, request.app.state.engine
    )
    return render(request, "system.html", view=view)


@signed_in(roles={Role.ADMIN})
async def acknowledge_alert(request: Request, person: Person) -> Response:
    """An administrator has seen the alert: it leaves /system, the status and the dashboard."""
    alert_id = int(request.path_params["alert_id"])

    def write() -> bool:
        with write_session(request.app.state.engine) as session:
            done = acknowledge(session, alert_id, by=person.username, at=datetime.now(UTC))
            if done:
                Recorder(session, now=datetime.now(UTC)).audit(
                    "alert.acknowledged", actor=person.username, alert=alert_id
                )
            return done

    await run_in_threadpool(write)
    return RedirectResponse("/system#canh-bao", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/system", system_page),
        Route("/system/alerts/{alert_id:int}/acknowledge", acknowledge_alert, methods=["POST"]),
    ]
