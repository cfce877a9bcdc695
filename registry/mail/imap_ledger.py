"""The IMAP ledger: which mailbox message became which spool item, and how far it got.

A row is keyed as the server names the message — (account, folder, UIDVALIDITY, UID) —
and moves through ``spooled`` (in our spool, still in the mailbox) → ``committed`` (the
register transaction holds it) → ``moved`` (in the processed or failed folder, or flagged).
``target_folder`` holds the role the message is to be moved for: ``processed`` or
``failed``; the account's settings name the real folder.

``committed`` is written inside the pipeline's ONE register transaction
(:func:`mark_committed`), so "the register holds it" and "the ledger says so" cannot
disagree. A spooled row whose spool item is already in the register (the worker won the
race against the ledger insert) counts as committed too (:func:`pending_moves`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import ImapLedgerEntry, InboundMessage, Outcome


class LedgerStatus(StrEnum):
    SPOOLED = "spooled"
    COMMITTED = "committed"
    MOVED = "moved"


class MoveRole(StrEnum):
    PROCESSED = "processed"
    FAILED = "failed"


@dataclass(frozen=True)
class Mailbox:
    """One watched folder of one account in one UIDVALIDITY epoch."""

    account: str
    folder: str
    uidvalidity: int


@dataclass(frozen=True)
class PendingMove:
    uid: int
    role: MoveRole


def _now() -> datetime:
    return datetime.now(UTC)


def _in(box: Mailbox) -> list[ColumnElement[bool]]:
    return [
        col(ImapLedgerEntry.account) == box.account,
        col(ImapLedgerEntry.folder) == box.folder,
        col(ImapLedgerEntry.uidvalidity) == box.uidvalidity,
    ]


def highest_uid(session: Session, box: Mailbox) -> int:
    """The highest UID handled in this folder and epoch (0 when none)."""
    value = session.scalar(select(func.max(col(ImapLedgerEntry.uid))).where(*_in(box)))
    return int(value or 0)


def known_uids(session: Session, box: Mailbox, uids: Iterable[int]) -> set[int]:
    wanted = list(uids)
    if not wanted:
        return set()
    found = session.scalars(
        select(col(ImapLedgerEntry.uid)).where(*_in(box), col(ImapLedgerEntry.uid).in_(wanted))
    )
    return {int(uid) for uid in found}


def find_registered_copy(session: Session, account: str, sha256: str) -> ImapLedgerEntry | None:
    """An earlier message of this account with exactly these bytes, already in the register.

    A UIDVALIDITY change (or a message copied back) shows old messages under new UIDs;
    their bytes give them away, so they are moved again instead of registered again.
    """
    return session.scalars(
        select(ImapLedgerEntry)
        .join(InboundMessage, col(InboundMessage.spool_id) == col(ImapLedgerEntry.spool_id))
        .where(col(ImapLedgerEntry.account) == account)
        .where(col(InboundMessage.sha256) == sha256)
        .order_by(col(ImapLedgerEntry.id))
    ).first()


def record_spooled(
    session: Session, box: Mailbox, uid: int, spool_id: str, message_id: str | None
) -> None:
    session.add(_row(box, uid, message_id, spool_id, status=LedgerStatus.SPOOLED))


def record_copy(
    session: Session, box: Mailbox, uid: int, earlier: ImapLedgerEntry, role: MoveRole
) -> None:
    """A message already registered under another key: to be moved, not spooled."""
    session.add(
        _row(
            box,
            uid,
            earlier.message_id,
            earlier.spool_id,
            status=LedgerStatus.COMMITTED,
            target_folder=role,
            last_error="already registered under an earlier UID",
        )
    )


def _row(
    box: Mailbox, uid: int, message_id: str | None, spool_id: str | None, **values: Any
) -> ImapLedgerEntry:
    now = _now()
    return ImapLedgerEntry(
        account=box.account,
        folder=box.folder,
        uidvalidity=box.uidvalidity,
        uid=uid,
        message_id=message_id,
        spool_id=spool_id,
        created_at=now,
        updated_at=now,
        **values,
    )


def mark_committed(session: Session, spool_id: str, role: MoveRole) -> int:
    """Inside the register transaction: the spool item's mailbox message may now move."""
    result = session.execute(
        update(ImapLedgerEntry)
        .where(col(ImapLedgerEntry.spool_id) == spool_id)
        .where(col(ImapLedgerEntry.status) == LedgerStatus.SPOOLED)
        .values(status=LedgerStatus.COMMITTED, target_folder=role, updated_at=_now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_moves(session: Session, box: Mailbox) -> list[PendingMove]:
    """Messages the register holds that are still in the watched folder, by UID."""
    registered = select(col(InboundMessage.spool_id))
    rows = session.execute(
        select(ImapLedgerEntry, col(InboundMessage.outcome))
        .outerjoin(InboundMessage, col(InboundMessage.spool_id) == col(ImapLedgerEntry.spool_id))
        .where(*_in(box))
        .where(
            or_(
                col(ImapLedgerEntry.status) == LedgerStatus.COMMITTED,
                (col(ImapLedgerEntry.status) == LedgerStatus.SPOOLED)
                & col(ImapLedgerEntry.spool_id).in_(registered),
            )
        )
        .order_by(col(ImapLedgerEntry.uid))
    ).all()
    moves = []
    for entry, outcome in rows:
        if entry.status == LedgerStatus.COMMITTED and entry.target_folder:
            role = MoveRole(entry.target_folder)
        else:
            role = MoveRole.FAILED if outcome == Outcome.QUARANTINED else MoveRole.PROCESSED
        moves.append(PendingMove(int(entry.uid), role))
    return moves


def mark_moved(session: Session, box: Mailbox, uids: Iterable[int], role: MoveRole) -> None:
    session.execute(
        update(ImapLedgerEntry)
        .where(*_in(box), col(ImapLedgerEntry.uid).in_(list(uids)))
        .values(status=LedgerStatus.MOVED, target_folder=role, updated_at=_now())
    )


def outstanding(session: Session, box: Mailbox) -> int:
    """How many of this folder's messages are not moved yet."""
    value = session.scalar(
        select(func.count())
        .select_from(ImapLedgerEntry)
        .where(*_in(box), col(ImapLedgerEntry.status) != LedgerStatus.MOVED)
    )
    return int(value or 0)


def stuck_messages(session: Session, limit: int) -> list[ImapLedgerEntry]:
    """Mailbox messages not yet moved that met an error, most recently touched first."""
    return list(
        session.scalars(
            select(ImapLedgerEntry)
            .where(col(ImapLedgerEntry.status) != LedgerStatus.MOVED)
            .where(col(ImapLedgerEntry.last_error) != "")
            .order_by(col(ImapLedgerEntry.updated_at).desc())
            .limit(limit)
        )
    )
