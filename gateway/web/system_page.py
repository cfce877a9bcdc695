"""``/system`` (administrators): is the gateway well, and if not, where it hurts.

The same checks as ``/health`` (trust roots, clamd, outbox, spool, IMAP accounts), but with
the detail that ``/health`` must not show to the world: each failing outgoing mail with its
last error, each IMAP account's state and error, IMAP messages the mover could not file,
and the newest warnings and errors this process logged (:mod:`gateway.reports.recent_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.reports.recent_problems import LoggedProblem, install
from gateway.reports.status import status_of
from gateway.web.auth import signed_in
from gateway.web.health import health_of
from gateway.web.rendering import render
from registry.accounts import Role
from registry.database import read_session
from registry.mail.imap_ledger import LedgerStatus
from registry.models import ImapLedgerEntry, OutboxMessage, OutboxStatus

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
class SystemView:
    health: dict[str, Any]
    imap: list[dict[str, Any]]
    undelivered: list[UndeliveredMail]
    stuck_imap: list[StuckImapMessage]
    problems: list[LoggedProblem]


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
            for m in session.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.status) != OutboxStatus.SENT)
                .where(col(OutboxMessage.last_error) != "")
                .order_by(col(OutboxMessage.id).desc())
                .limit(LISTED)
            )
        ]
        stuck = [
            StuckImapMessage(
                row.account, row.folder, row.uid, row.status, row.updated_at, row.last_error
            )
            for row in session.scalars(
                select(ImapLedgerEntry)
                .where(col(ImapLedgerEntry.status) != LedgerStatus.MOVED)
                .where(col(ImapLedgerEntry.last_error) != "")
                .order_by(col(ImapLedgerEntry.updated_at).desc())
                .limit(LISTED)
            )
        ]
    status = status_of(deployment, engine)
    return SystemView(
        health=health_of(deployment, status),
        imap=status["imap"],
        undelivered=undelivered,
        stuck_imap=stuck,
        problems=install().newest()[:LISTED],
    )


@signed_in(roles={Role.ADMIN})
async def system_page(request: Request, person: Person) -> Response:
    view = await run_in_threadpool(
        system_view, request.app.state.deployment, request.app.state.engine
    )
    return render(request, "system.html", view=view)


def routes() -> list[BaseRoute]:
    return [Route("/system", system_page)]
