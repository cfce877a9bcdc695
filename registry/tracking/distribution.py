"""A leader's distribution (R-DISTRIB, DESIGN §4.8): the rules' proposal, the decision.

A document whose routing is a proposal is registered with status ``awaiting_distribution``
and one ``distribution`` row keeping what the rules proposed, the leader who decides and a
reply token (``vanthu+TOKEN@…``). The decision is claimed by ONE conditional update,
``UPDATE register_entry SET status = 'assigned' WHERE id = … AND status =
'awaiting_distribution'`` (:func:`claim_decision`): whichever console, mail reply, shell
or gateway instance comes second finds no row to update and routes nothing. Digests sent
to a leader are kept (:class:`DistributionDigest`) so that a reply to one can name the
documents it listed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import JSON, Column, CursorResult, Text, select, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.models import EntryStatus, RegisterEntry
from registry.types import utc_field

TOKEN_BYTES = 12


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Distribution(SQLModel, table=True):
    """The proposal for one entry and, once made, the leader's decision (migration 0013)."""

    __tablename__ = "distribution"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", unique=True)
    leader_code: str | None = Field(default=None, max_length=64, index=True)
    leader_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    leader_mailbox: str | None = Field(default=None, max_length=320)
    leader_account: str | None = Field(default=None, max_length=100)
    proposal: list[dict[str, Any]] = _json()  # ProposedAssignment.as_json() each
    rules: list[str] = _json()  # the rules that made the proposal
    token: str = Field(unique=True, max_length=64)
    notice_message_id: str | None = Field(default=None, max_length=998, index=True)
    proposed_at: datetime = utc_field()
    decided_by: str | None = Field(default=None, max_length=320)
    on_behalf_of: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # 0020
    decided_at: datetime | None = utc_field(nullable=True, index=True)
    channel: str | None = Field(default=None, max_length=16)  # console | mail | cli
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decision: list[dict[str, Any]] = _json()  # the assignments decided, as the proposal


class DistributionDigest(SQLModel, table=True):
    """One digest mailed to a leader: which documents it listed, and its reply token."""

    __tablename__ = "distribution_digest"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)  # digest:<leader>:<date>:<session>
    leader_code: str | None = Field(default=None, max_length=64)
    leader_mailbox: str = Field(max_length=320)
    token: str = Field(unique=True, max_length=64)
    message_id: str = Field(max_length=998, index=True)
    entry_ids: list[int] = _json()
    sent_at: datetime = utc_field()


@dataclass(frozen=True)
class ProposedAssignment:
    """One assignee of a proposal or a decision (the register keeps plain values)."""

    unit_code: str
    unit_name: str
    role: str  # lead | cooperate | inform
    mailbox: str
    person: str | None = None
    due_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "role": self.role,
            "mailbox": self.mailbox,
            "person": self.person,
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProposedAssignment:
        due = data.get("due_at")
        return cls(
            unit_code=str(data["unit_code"]),
            unit_name=str(data.get("unit_name") or data["unit_code"]),
            role=str(data["role"]),
            mailbox=str(data["mailbox"]),
            person=data.get("person"),
            due_at=datetime.fromisoformat(due) if due else None,
        )


@dataclass(frozen=True)
class LeaderRef:
    """Who decides a proposal (the ``leaders`` of rules.yaml); all None: any leader."""

    code: str | None = None
    name: str = ""
    mailbox: str | None = None
    account: str | None = None


class AlreadyDecidedError(Exception):
    """The entry is no longer awaiting distribution: someone decided first."""


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def add_proposal(
    session: Session,
    entry: RegisterEntry,
    *,
    leader: LeaderRef,
    proposal: Sequence[ProposedAssignment],
    rules: Sequence[str],
    now: datetime,
) -> Distribution:
    """The proposal row of ``entry`` (flushed), in the registering transaction."""
    if entry.id is None:
        raise ValueError("entry has not been flushed")
    row = Distribution(
        entry_id=entry.id,
        leader_code=leader.code,
        leader_name=leader.name,
        leader_mailbox=leader.mailbox,
        leader_account=leader.account,
        proposal=[p.as_json() for p in proposal],
        rules=list(rules),
        token=new_token(),
        proposed_at=now,
        decision=[],
    )
    session.add(row)
    session.flush()
    return row


def distribution_of(session: Session, entry_id: int) -> Distribution | None:
    return session.scalars(
        select(Distribution).where(col(Distribution.entry_id) == entry_id)
    ).first()


def distributions_of(session: Session, entries: Sequence[RegisterEntry]) -> dict[int, Distribution]:
    ids = [e.id for e in entries if e.id is not None]
    if not ids:
        return {}
    rows = session.scalars(select(Distribution).where(col(Distribution.entry_id).in_(ids)))
    return {row.entry_id: row for row in rows}


def proposal_of(row: Distribution) -> list[ProposedAssignment]:
    return [ProposedAssignment.from_json(p) for p in row.proposal]


def claim_decision(session: Session, entry: RegisterEntry) -> None:
    """Move ``entry`` from ``awaiting_distribution`` to ``assigned`` — only if it still
    awaits: the conditional UPDATE is the claim, so a second decision (another console,
    a mail reply, another gateway instance) routes nothing. AlreadyDecidedError when lost.

    On PostgreSQL a concurrent claimer blocks on the first one's row lock and, once that
    commits, re-reads the row and finds its WHERE no longer true; on SQLite the write lock
    serialises them.
    """
    result = session.execute(
        update(RegisterEntry)
        .where(col(RegisterEntry.id) == entry.id)
        .where(col(RegisterEntry.status) == EntryStatus.AWAITING_DISTRIBUTION)
        .values(status=EntryStatus.ASSIGNED)
        .execution_options(synchronize_session=False)
    )
    claimed = result.rowcount if isinstance(result, CursorResult) else 0
    if claimed != 1:
        raise AlreadyDecidedError(f"entry {entry.year}/{entry.incoming_number} already decided")
    session.refresh(entry)


def record_decision(
    row: Distribution,
    *,
    by: str,
    at: datetime,
    channel: str,
    note: str,
    decision: Sequence[ProposedAssignment],
    on_behalf_of: str | None = None,
) -> None:
    row.decided_by = by
    row.on_behalf_of = on_behalf_of
    row.decided_at = at
    row.channel = channel
    row.note = note
    row.decision = [d.as_json() for d in decision]


def awaiting(
    session: Session, *, leader_codes: set[str] | None = None
) -> list[tuple[RegisterEntry, Distribution]]:
    """Entries awaiting distribution, most urgent first, then oldest first; only those of
    ``leader_codes`` (and those no leader was named for) when given."""
    query = (
        select(RegisterEntry, Distribution)
        .join(Distribution, col(Distribution.entry_id) == col(RegisterEntry.id))
        .where(col(RegisterEntry.status) == EntryStatus.AWAITING_DISTRIBUTION)
        .order_by(
            col(RegisterEntry.priority).desc(),
            col(RegisterEntry.received_at),
            col(RegisterEntry.id),
        )
    )
    if leader_codes is not None:
        query = query.where(
            col(Distribution.leader_code).in_(leader_codes)
            | col(Distribution.leader_code).is_(None)
        )
    return [(entry, row) for entry, row in session.execute(query)]


def by_token(session: Session, token: str) -> Distribution | None:
    return session.scalars(select(Distribution).where(col(Distribution.token) == token)).first()


def by_notice(session: Session, message_ids: Sequence[str]) -> Distribution | None:
    if not message_ids:
        return None
    return session.scalars(
        select(Distribution).where(col(Distribution.notice_message_id).in_(message_ids))
    ).first()


def digest_by_token(session: Session, token: str) -> DistributionDigest | None:
    return session.scalars(
        select(DistributionDigest).where(col(DistributionDigest.token) == token)
    ).first()


def digest_by_message(session: Session, message_ids: Sequence[str]) -> DistributionDigest | None:
    if not message_ids:
        return None
    return session.scalars(
        select(DistributionDigest).where(col(DistributionDigest.message_id).in_(message_ids))
    ).first()


def add_digest(
    session: Session,
    *,
    key: str,
    leader: LeaderRef,
    message_id: str,
    token: str,
    entry_ids: Sequence[int],
    now: datetime,
) -> DistributionDigest:
    row = DistributionDigest(
        key=key,
        leader_code=leader.code,
        leader_mailbox=leader.mailbox or "",
        token=token,
        message_id=message_id,
        entry_ids=list(entry_ids),
        sent_at=now,
    )
    session.add(row)
    session.flush()
    return row


def distribution_contract(row: Distribution | None, zone: tzinfo) -> dict[str, Any] | None:
    """``distribution`` of ``register show --json`` (DESIGN §4.8): what the rules proposed,
    who decided, when, and the instruction (ý kiến chỉ đạo); null for routed-at-once entries."""
    if row is None:
        return None

    def assignments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = [ProposedAssignment.from_json(i) for i in items]
        return [
            {
                "unit": a.unit_code,
                "role": a.role,
                "due_at": a.due_at.astimezone(zone).isoformat() if a.due_at else None,
            }
            for a in found
        ]

    return {
        "proposed": {
            "assignments": assignments(row.proposal),
            "leader": {"code": row.leader_code, "name": row.leader_name}
            if row.leader_code
            else None,
            "rules": list(row.rules),
        },
        "by": row.decided_by,
        "on_behalf_of": row.on_behalf_of,
        "at": row.decided_at.astimezone(zone).isoformat() if row.decided_at else None,
        "note": row.note if row.decided_at else None,
        "decided": assignments(row.decision) if row.decided_at else None,
    }
