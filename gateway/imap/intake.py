"""One fetched mailbox message into the spool, with its ledger row (DESIGN §1.1).

Order matters for "never lose, never repeat":

1. exactly these bytes already registered from this account (a UIDVALIDITY change, or a
   message copied back)? → a ledger row that only asks for the move; nothing is spooled;
2. else spool (fsync) and then record the row ``spooled``. A crash between the two
   spools the message again after restart; the pipeline then sees the same Message-ID and
   content and records a ``duplicate`` without a second entry or answer.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from sqlalchemy.engine import Engine

from gateway.spool.envelope import Envelope
from gateway.spool.queue import Spool
from registry.database import read_session, write_session
from registry.mail.imap_ledger import (
    Mailbox,
    MoveRole,
    find_registered_copy,
    record_copy,
    record_spooled,
)

log = logging.getLogger(__name__)

MAX_MESSAGE_ID = 998


def header_facts(raw: bytes) -> tuple[str | None, str]:
    """(Message-ID, Return-Path address) from the header block; never raises."""
    try:
        headers = BytesHeaderParser().parsebytes(raw)
        message_id = str(headers.get("Message-ID", "") or "").strip() or None
        return_path = parseaddr(str(headers.get("Return-Path", "") or ""))[1]
    except (ValueError, TypeError, LookupError):
        return None, ""
    if message_id is not None:
        message_id = message_id[:MAX_MESSAGE_ID]
    return message_id, return_path if "@" in return_path else ""


def imap_envelope(box: Mailbox, uid: int, mail_from: str) -> Envelope:
    return Envelope(
        received_at=datetime.now(UTC),
        protocol="imap",
        mail_from=mail_from,
        rcpt_tos=(),
        source={
            "imap": {
                "account": box.account,
                "folder": box.folder,
                "uidvalidity": box.uidvalidity,
                "uid": uid,
            }
        },
    )


def take_in(engine: Engine, spool: Spool, box: Mailbox, uid: int, raw: bytes) -> str | None:
    """Spool one message and record it; returns the spool id, or None for a known copy."""
    sha256 = hashlib.sha256(raw).hexdigest()
    with read_session(engine) as session:
        earlier = find_registered_copy(session, box.account, sha256)
    if earlier is not None:
        role = MoveRole.FAILED if earlier.target_folder == MoveRole.FAILED else MoveRole.PROCESSED
        with write_session(engine) as session:
            record_copy(session, box, uid, earlier, role)
        log.info(
            "IMAP %s/%s: UID %d is %s, registered before; only moving it",
            box.account,
            box.folder,
            uid,
            earlier.spool_id,
        )
        return None
    message_id, return_path = header_facts(raw)
    spool_id = spool.put(raw, imap_envelope(box, uid, return_path))
    with write_session(engine) as session:
        record_spooled(session, box, uid, spool_id, message_id)
    log.info("IMAP %s/%s: UID %d spooled as %s", box.account, box.folder, uid, spool_id)
    return spool_id
