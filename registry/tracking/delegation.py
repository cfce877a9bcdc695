"""A leader's delegation for a period of absence (R-DISTRIB: "the head of the agency, or
the person the head names"; DESIGN §4.8).

A leader (``leaders`` of rules.yaml, by code) names another leader — a console account
and/or a mailbox — to decide in their place from one day to another, both included, in
the deployment's time zone. While a delegation is in force the delegate sees the
leader's queue, gets the digests and reminders too, and their decisions (console, shell,
reply mail from their own mailbox) are recorded "on behalf of" the leader. Outside the
period nothing changes. A delegation is cancelled, never deleted (the audit trail keeps
who set and cancelled it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Column, CursorResult, Text, select, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.types import utc_field


class Delegation(SQLModel, table=True):
    """One delegation of a leader's decisions for ``starts_on``..``ends_on`` (migration 0020)."""

    __tablename__ = "delegation"

    id: int | None = Field(default=None, primary_key=True)
    leader_code: str = Field(max_length=64, index=True)
    leader_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    delegate_code: str | None = Field(default=None, max_length=64)
    delegate_account: str | None = Field(default=None, max_length=100)
    delegate_mailbox: str | None = Field(default=None, max_length=320)
    delegate_name: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    starts_on: date
    ends_on: date = Field(index=True)
    created_by: str = Field(max_length=320)
    created_at: datetime = utc_field()
    cancelled_by: str | None = Field(default=None, max_length=320)
    cancelled_at: datetime | None = utc_field(nullable=True)

    def in_force(self, day: date) -> bool:
        return self.cancelled_at is None and self.starts_on <= day <= self.ends_on

    def names(self, who: str) -> bool:
        """Is ``who`` (an account name or a mailbox, any case) this delegate?"""
        wanted = who.strip().lower()
        return bool(wanted) and wanted in {
            (self.delegate_account or "").lower(),
            (self.delegate_mailbox or "").lower(),
        }


@dataclass(frozen=True)
class DelegationDraft:
    leader_code: str
    leader_name: str
    delegate_code: str | None
    delegate_account: str | None
    delegate_mailbox: str | None
    delegate_name: str
    starts_on: date
    ends_on: date


def add_delegation(
    session: Session, draft: DelegationDraft, *, by: str, now: datetime
) -> Delegation:
    row = Delegation(
        leader_code=draft.leader_code,
        leader_name=draft.leader_name,
        delegate_code=draft.delegate_code,
        delegate_account=draft.delegate_account,
        delegate_mailbox=(draft.delegate_mailbox or "").lower() or None,
        delegate_name=draft.delegate_name,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        created_by=by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def cancel_delegation(session: Session, delegation_id: int, *, by: str, now: datetime) -> bool:
    """Cancel one delegation (once: a conditional update); False when already cancelled
    or unknown."""
    result = session.execute(
        update(Delegation)
        .where(col(Delegation.id) == delegation_id)
        .where(col(Delegation.cancelled_at).is_(None))
        .values(cancelled_by=by, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount if isinstance(result, CursorResult) else 0) == 1


def current_and_future(session: Session, day: date) -> list[Delegation]:
    """Delegations not cancelled and not yet over on ``day``, soonest first."""
    return list(
        session.scalars(
            select(Delegation)
            .where(col(Delegation.cancelled_at).is_(None))
            .where(col(Delegation.ends_on) >= day)
            .order_by(col(Delegation.starts_on), col(Delegation.id))
        )
    )


def in_force(session: Session, day: date) -> list[Delegation]:
    return [d for d in current_and_future(session, day) if d.in_force(day)]


def delegated_codes(session: Session, who: str, day: date) -> set[str]:
    """The leaders whose decisions ``who`` (account or mailbox) may make on ``day``."""
    return {d.leader_code for d in in_force(session, day) if d.names(who)}


def delegation_for(
    session: Session, leader_code: str | None, who: str, day: date
) -> Delegation | None:
    """The delegation in force on ``day`` letting ``who`` decide for ``leader_code``."""
    if not leader_code:
        return None
    return next(
        (d for d in in_force(session, day) if d.leader_code == leader_code and d.names(who)),
        None,
    )


def delegates_of(session: Session, leader_code: str, day: date) -> list[Delegation]:
    return [d for d in in_force(session, day) if d.leader_code == leader_code]
