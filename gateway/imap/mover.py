"""Committed → moved: only what the register holds leaves the watched folder.

The ledger names the committed messages of one folder and epoch; each goes to the
account's processed folder (or failed folder, for quarantined items) with MOVE — or is
flagged in place in ``mode = "flag"`` — and only then is the ledger row marked ``moved``.
A crash between the two repeats the MOVE after restart: UIDs that are gone are ignored by
the server, so it is harmless.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from gateway.config.sections import ImapAccount
from gateway.imap.client import ImapSession
from registry.database import read_session, write_session
from registry.mail.imap_ledger import Mailbox, MoveRole, mark_moved, pending_moves

log = logging.getLogger(__name__)

KEYWORDS = {MoveRole.PROCESSED: "$GatewayProcessed", MoveRole.FAILED: "$GatewayFailed"}


def target_folder(account: ImapAccount, role: MoveRole) -> str:
    return account.failed_folder if role is MoveRole.FAILED else account.processed_folder


def move_committed(engine: Engine, imap: ImapSession, box: Mailbox) -> int:
    """Move (or flag) every committed message of ``box``; returns how many."""
    with read_session(engine) as session:
        pending = pending_moves(session, box)
    account = imap.account
    for role in MoveRole:
        uids = [p.uid for p in pending if p.role is role]
        if not uids:
            continue
        if account.mode == "flag":
            imap.flag(uids, KEYWORDS[role])
        else:
            imap.move(uids, target_folder(account, role))
        with write_session(engine) as session:
            mark_moved(session, box, uids, role)
        log.info(
            "IMAP %s/%s: %d message(s) %s (%s)",
            account.name,
            box.folder,
            len(uids),
            "flagged" if account.mode == "flag" else "moved",
            role,
        )
    return len(pending)
