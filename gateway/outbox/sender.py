"""Delivers outbox rows through the configured transport, with backoff (DESIGN §1.8).

4xx and connection failures are retried with exponential backoff up to a bound; a 5xx
gives up at once with the reason recorded on the row (``gateway outbox list``).

A round claims up to a batch of due rows (one transaction), hands them over in one
transport session (one relay connection), then records every outcome in one transaction:
two takes of the database's write lock per round, not one per mail, which the pipeline
processes' register transactions would otherwise queue behind. A crash between the
hand-over and that record sends the round's mails again (at-least-once, as a lost relay
reply does; the maildir is exactly-once). A round lasts at most ``ROUND_SECONDS`` (plus
one mail), far within the lease, so a slow relay never lets another instance take a mail
this one has sent but not yet recorded. The relay connection outlives the round for the
next one (:class:`~gateway.outbox.transports.RelayTransport`); :meth:`OutboxSender.close`
ends it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gateway.errors import PermanentDeliveryError, TransientDeliveryError
from gateway.outbox.transports import Delivery, Transport
from registry.database import write_session
from registry.mail.outbox import (
    ClaimedMail,
    claim_due,
    lease_owners,
    mark_failed,
    mark_retry,
    mark_sent,
    release_claims,
    release_leases,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# A round stops handing mails over after this long (each mail may take the relay's timeout,
# 30 s): its outcomes are recorded well before its lease runs out, so no other instance
# takes a mail that was sent; the mails it did not reach are due again at once.
ROUND_SECONDS = 60.0

Outcome = Literal["sent", "failed", "transient"]


def this_owner() -> str:
    """The lease owner name of this process: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class OutboxSender:
    engine: Engine
    transport: Transport
    max_attempts: int = 12
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0

    def release_orphans(self) -> int:
        """At start-up: rows leased by dead processes of this host are due again at once."""
        host = socket.gethostname() + ":"
        with write_session(self.engine) as session:
            dead = [
                owner
                for owner in lease_owners(session, host)
                if owner != this_owner() and not _alive(int(owner.rpartition(":")[2] or 0))
            ]
            released = release_leases(session, dead, datetime.now(UTC))
        if released:
            log.warning(
                "outbox: %d mail(s) left mid-delivery by a stopped gateway, due again", released
            )
        return released

    def run_once(self, batch: int = 20) -> int:
        """Deliver what is due now; returns how many rows were attempted."""
        now = datetime.now(UTC)
        with write_session(self.engine) as session:
            claimed = claim_due(session, now, lease=LEASE, owner=this_owner(), limit=batch)
        if not claimed:
            self.transport.tidy()  # an idle relay connection is closed after a while
            return 0
        outcomes: list[tuple[Outcome, str]] = []
        ends = time.monotonic() + ROUND_SECONDS
        with self.transport.session() as delivery:
            for mail in claimed:
                if outcomes and time.monotonic() > ends:
                    break  # a slow relay: record what was done well within the lease
                outcomes.append(self._deliver(delivery, mail))
        attempted = list(zip(claimed, outcomes, strict=False))
        sent = [mail.id for mail, (outcome, _) in attempted if outcome == "sent"]
        with write_session(self.engine) as session:
            mark_sent(session, sent, datetime.now(UTC))
            for mail, (outcome, error) in attempted:
                if outcome != "sent":
                    self._record_failure(session, mail, outcome, error)
            release_claims(session, [mail.id for mail in claimed[len(outcomes) :]], now)
        return len(outcomes)

    def close(self) -> None:
        """Close what the transport keeps between rounds (the relay connection)."""
        self.transport.close()

    def _deliver(self, delivery: Delivery, mail: ClaimedMail) -> tuple[Outcome, str]:
        try:
            delivery.deliver(
                mail.raw,
                sender=mail.sender,
                recipients=[mail.recipient],
                message_id=mail.message_id,
            )
        except TransientDeliveryError as exc:
            return "transient", str(exc)
        except PermanentDeliveryError as exc:
            log.error(  # noqa: TRY400 - the reason is the relay's answer, not a traceback
                "outbox %s to %s failed for good: %s", mail.message_id, mail.recipient, exc
            )
            return "failed", str(exc)
        log.info("outbox %s delivered to %s", mail.message_id, mail.recipient)
        return "sent", ""

    def _record_failure(
        self, session: Session, mail: ClaimedMail, outcome: Outcome, error: str
    ) -> None:
        if outcome == "failed":
            mark_failed(session, mail.id, error)
        elif mail.attempts >= self.max_attempts:
            log.error(
                "outbox %s: giving up after %d attempts: %s",
                mail.message_id,
                mail.attempts,
                error,
            )
            mark_failed(session, mail.id, f"gave up after {mail.attempts} attempts: {error}")
        else:
            delay = min(self.retry_base_seconds * 2 ** (mail.attempts - 1), self.retry_max_seconds)
            log.warning(
                "outbox %s: attempt %d failed, retry in %.0fs: %s",
                mail.message_id,
                mail.attempts,
                delay,
                error,
            )
            mark_retry(session, mail.id, datetime.now(UTC) + timedelta(seconds=delay), error)
