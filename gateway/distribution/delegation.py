"""Delegation for a period of absence (R-DISTRIB, DESIGN §4.8): a leader — or an
administrator for them — names another leader to decide in their place from one day to
another (both included, in the deployment's time zone).

* :func:`set_delegation` / :func:`cancel` / :func:`listing` — the console form on
  ``/distribute`` and ``gateway distribute delegate|delegations``; audited
  ``distribution.delegated`` / ``distribution.delegation_cancelled``.
* :func:`on_behalf` — at decision time (console, shell, reply mail): when the decider is
  not the document's leader but a delegate in force for them, the leader's name, recorded
  as "decided by X on behalf of Y" (``distribution.on_behalf_of``, the audit event, the slip).
* :func:`queue_codes` — the leaders whose queue a console user sees: their own, plus
  those who delegated to them today.

Who is who: LEADER is a code of ``leaders`` in rules.yaml (or its console account); the
delegate is another leader's code (its account and mailbox), a console account of role
leader, or a mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from gateway.distribution.decide import Desk, DistributionError
from registry.console.accounts import Role, find_user
from registry.database import read_session, write_session
from registry.recorder import Recorder
from registry.tracking import delegation as store
from registry.tracking.delegation import Delegation, DelegationDraft
from rules.routing_types import Leader

LONGEST_DAYS = 366


@dataclass(frozen=True)
class DelegationView:
    """One delegation as the console and the shell show it (dates dd/mm/yyyy)."""

    id: int
    leader_code: str
    leader: str
    delegate: str
    starts: str
    ends: str
    in_force: bool
    created_by: str


def today(desk: Desk, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(desk.zone).date()


def find_leader(desk: Desk, text: str) -> Leader | None:
    """A leader of the rules by code or by console account (any case)."""
    wanted = text.strip().lower()
    for leader in desk.leaders.values():
        if wanted in {leader.code.lower(), (leader.account or "").lower()}:
            return leader
    return None


def _delegate(
    desk: Desk, text: str, leader: Leader
) -> tuple[str | None, str | None, str | None, str]:
    """(code, account, mailbox, name) of the delegate named by ``text``."""
    other = find_leader(desk, text)
    if other is not None:
        if other.code == leader.code:
            raise DistributionError("Không thể ủy quyền cho chính mình.")
        return other.code, other.account, other.mailbox, other.name
    text = text.strip()
    if "@" in text:
        return None, None, text.lower(), text.lower()
    with read_session(desk.engine) as session:
        user = find_user(session, text)
    if user is None or user.disabled or user.role not in {Role.LEADER, Role.ADMIN}:
        raise DistributionError(
            f"Không có lãnh đạo “{text}”: hãy ghi mã lãnh đạo trong quy tắc, tên tài khoản "
            "lãnh đạo hoặc địa chỉ thư."
        )
    if user.username == leader.account:
        raise DistributionError("Không thể ủy quyền cho chính mình.")
    return None, user.username, None, user.display_name or user.username


def set_delegation(
    desk: Desk,
    leader_text: str,
    delegate_text: str,
    starts_on: date,
    ends_on: date,
    *,
    by: str,
    now: datetime | None = None,
) -> DelegationView:
    leader = find_leader(desk, leader_text)
    if leader is None:
        raise DistributionError(f"Không có lãnh đạo “{leader_text.strip()}” trong quy tắc.")
    if ends_on < starts_on:
        raise DistributionError("Ngày kết thúc ủy quyền phải sau hoặc cùng ngày bắt đầu.")
    if (ends_on - starts_on).days >= LONGEST_DAYS:
        raise DistributionError("Mỗi lần ủy quyền không quá một năm.")
    if ends_on < today(desk, now):
        raise DistributionError("Thời gian ủy quyền đã qua.")
    code, account, mailbox, name = _delegate(desk, delegate_text, leader)
    at = now or datetime.now(UTC)
    with write_session(desk.engine) as session:
        row = store.add_delegation(
            session,
            DelegationDraft(
                leader.code, leader.name, code, account, mailbox, name, starts_on, ends_on
            ),
            by=by,
            now=at,
        )
        Recorder(session, now=at).audit(
            "distribution.delegated",
            actor=by,
            delegation=row.id,
            leader=leader.code,
            delegate=account or mailbox or code,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
        return view(row, today(desk, now))


def cancel(
    desk: Desk, delegation_id: int, *, by: str, leader_codes: set[str] | None = None
) -> None:
    """Cancel one delegation; ``leader_codes`` set: only one of those leaders'."""
    now = datetime.now(UTC)
    with write_session(desk.engine) as session:
        row = session.get(Delegation, delegation_id)
        if row is None:
            raise DistributionError("Không tìm thấy ủy quyền này.")
        if leader_codes is not None and row.leader_code not in leader_codes:
            raise DistributionError("Bạn chỉ được hủy ủy quyền của chính mình.")
        if not store.cancel_delegation(session, delegation_id, by=by, now=now):
            raise DistributionError("Ủy quyền này đã được hủy trước đó.")
        Recorder(session, now=now).audit(
            "distribution.delegation_cancelled",
            actor=by,
            delegation=delegation_id,
            leader=row.leader_code,
        )


def listing(desk: Desk, now: datetime | None = None) -> list[DelegationView]:
    day = today(desk, now)
    with read_session(desk.engine) as session:
        return [view(d, day) for d in store.current_and_future(session, day)]


def view(row: Delegation, day: date) -> DelegationView:
    who = row.delegate_name or row.delegate_account or row.delegate_mailbox or ""
    return DelegationView(
        id=row.id or 0,
        leader_code=row.leader_code,
        leader=row.leader_name or row.leader_code,
        delegate=who,
        starts=row.starts_on.strftime("%d/%m/%Y"),
        ends=row.ends_on.strftime("%d/%m/%Y"),
        in_force=row.in_force(day),
        created_by=row.created_by,
    )


def delegate_mailboxes(
    desk: Desk, session: Session, leader_code: str | None, day: date
) -> list[tuple[str, date]]:
    """The mailboxes of ``leader_code``'s delegates in force on ``day`` (each with the last
    day of its delegation): where digests, reminders and notices go too."""
    found: dict[str, date] = {}
    for row in store.delegates_of(session, leader_code, day) if leader_code else []:
        other = desk.leaders.get(row.delegate_code or "")
        mailbox = row.delegate_mailbox or (other.mailbox if other is not None else "")
        if mailbox:
            found.setdefault(mailbox.lower(), row.ends_on)
    return list(found.items())


def queue_codes(desk: Desk, username: str, now: datetime | None = None) -> set[str] | None:
    """The leader codes whose documents ``username`` decides today: their own (rules
    ``account``) and those delegated to them; None (every document) for a leader account
    no ``leaders`` entry names (a small office with one leader, §4.8)."""
    own = {c for c, leader in desk.leaders.items() if leader.account == username}
    if not own:
        return None
    with read_session(desk.engine) as session:
        return own | store.delegated_codes(session, username, today(desk, now))
