"""Quarantined items in the inbound log, so an administrator sees them (DESIGN §1.2)."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from gateway.errors import SpoolError
from gateway.spool.envelope import Envelope
from gateway.spool.queue import REASON_FILE, Spool
from registry.database import write_session
from registry.drafts import InboundDraft
from registry.mail.imap_ledger import MoveRole, mark_committed
from registry.models import Outcome
from registry.recorder import Recorder

log = logging.getLogger(__name__)


def record_quarantined(engine: Engine, spool_id: str, envelope: Envelope, reason: str) -> None:
    """Best effort: list a quarantined item in ``inbound list`` (the DB may be the fault).

    The item is answered later, when an administrator releases or rejects it.
    """
    try:
        with write_session(engine) as session:
            recorder = Recorder(session)
            if recorder.find_inbound(spool_id) is not None:
                return
            recorder.add_inbound(
                InboundDraft(
                    spool_id=spool_id,
                    message_id=None,
                    sha256="",
                    fingerprint="",
                    received_at=envelope.received_at,
                    protocol=envelope.protocol,
                    envelope_from=envelope.mail_from,
                    sender_address=None,
                    sender_agency_code=None,
                    subject="",
                    outcome=Outcome.QUARANTINED,
                    reasons=(),
                    trace=(),
                    answered=False,
                    note=f"quarantined: {reason}"[:2000],
                )
            )
            if envelope.protocol == "imap":  # to the account's failed folder
                mark_committed(session, spool_id, MoveRole.FAILED)
    except Exception:  # the spool keeps the item; list_quarantined_on_start records it later
        log.exception("%s: could not record the quarantine in the register", spool_id)


def list_quarantined_on_start(engine: Engine, spool: Spool) -> None:
    """At start-up: every parked item gets its inbound row, also those quarantined while
    the database was down, so none waits unseen (recording is idempotent on the spool id)."""
    for item_id in spool.quarantined():
        try:
            item = spool.quarantined_item(item_id)
            reason = (item.path / REASON_FILE).read_text(encoding="utf-8").strip()
            envelope = item.envelope()
        except (SpoolError, OSError, ValueError):
            log.exception("%s: quarantined item unreadable", item_id)
            continue
        record_quarantined(engine, item_id, envelope, reason)
