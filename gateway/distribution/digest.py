"""One digest per working session to each leader with documents awaiting them (R-DISTRIB).

Run by the clock of ``gateway serve`` (:meth:`gateway.service.Service`): during an office
session of a working day, each leader (``leaders`` of rules.yaml) with at least one
document awaiting distribution gets one mail listing them, most urgent first, then oldest.
The key ``digest:<leader>:<date>:<session>`` is claimed in ``clock_event`` in the
transaction that queues the mail, so several instances send it once. Documents whose rule
named no leader go to the default leader. The digest row keeps which documents it listed,
for the leader's reply (:mod:`gateway.distribution.replies`). While a leader's delegation
is in force (:mod:`gateway.distribution.delegation`) their delegate gets the same digest
too (its own key, "thay <lãnh đạo>, theo ủy quyền" in the subject).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from gateway.distribution import leader_mail
from gateway.distribution.decide import Desk
from gateway.distribution.delegation import delegate_mailboxes
from gateway.distribution.proposal import leader_ref
from gateway.tracking.clock import this_instance
from registry.database import read_session, write_session
from registry.recorder import Recorder
from registry.tracking import distribution as store
from registry.tracking.clock_events import claim
from rules.routing_types import Leader

log = logging.getLogger(__name__)

Signer = Callable[[bytes], bytes]
SESSION_NAMES = ("phiên sáng", "phiên chiều", "phiên tối")


def current_session(desk: Desk, now: datetime) -> int | None:
    """The index of the office session ``now`` falls in; None outside office hours."""
    calendar = desk.calendar
    local = now.astimezone(calendar.zone)
    if not calendar.is_working_day(local.date()):
        return None
    for index, (start, end) in enumerate(calendar.sessions):
        if start <= local.time() < end:
            return index
    return None


def send_digests(desk: Desk, now: datetime, *, signer: Signer | None = None) -> int:
    """Queue the digests due at ``now``; how many this instance queued."""
    session_index = current_session(desk, now)
    if session_index is None:
        return 0
    default = next(iter(desk.leaders.values()), None)
    with read_session(desk.engine) as session:
        waiting = store.awaiting(session)
        by_leader: dict[str, list[int]] = defaultdict(list)
        for entry, row in waiting:
            code = row.leader_code or (default.code if default else None)
            if code is not None and entry.id is not None:
                by_leader[code].append(entry.id)
        day = now.astimezone(desk.calendar.zone).date()
        delegates = _delegate_mailboxes(desk, session, list(by_leader), day)
    sent = 0
    for code, entry_ids in by_leader.items():
        leader = desk.leaders.get(code)
        if leader is None:
            continue  # the leader left the rules file: the console still shows the documents
        key = f"digest:{code}:{day.isoformat()}:{session_index}"
        label = f"{SESSION_NAMES[min(session_index, 2)]} {day.strftime('%d/%m/%Y')}"
        if _send(desk, leader, key=key, label=label, entry_ids=entry_ids, now=now, signer=signer):
            sent += 1
        for mailbox, until in delegates.get(code, ()):  # the leader's delegates in force
            if _send(
                desk,
                leader,
                key=f"{key}:thay:{mailbox}",
                label=label,
                entry_ids=entry_ids,
                now=now,
                signer=signer,
                delegate=(mailbox, until),
            ):
                sent += 1
    return sent


def _delegate_mailboxes(
    desk: Desk, session: Session, codes: list[str], day: date
) -> dict[str, list[tuple[str, date]]]:
    """Per leader code, the mailboxes of the delegates in force on ``day`` (and until when)."""
    return {code: delegate_mailboxes(desk, session, code, day) for code in codes}


def _send(
    desk: Desk,
    leader: Leader,
    *,
    key: str,
    label: str,
    entry_ids: list[int],
    now: datetime,
    signer: Signer | None,
    delegate: tuple[str, date] | None = None,
) -> bool:
    with write_session(desk.engine) as session:
        recorder = Recorder(session, now=now, sign=signer)
        if not claim(session, key, "digest", now=now, instance=this_instance()):
            return False
        items = [
            (entry, store.proposal_of(row))
            for entry, row in store.awaiting(session)
            if entry.id in entry_ids
        ]
        if not items:
            return False
        token = store.new_token()
        mail = leader_mail.digest_mail(
            items,
            key=key,
            to_address=delegate[0] if delegate else leader.mailbox,
            token=token,
            from_address=desk.from_address,
            session_label=label,
            tz=desk.zone.key,
        )
        if delegate is not None:
            mail = replace(
                mail,
                subject=f"{mail.subject} (thay {leader.name}, theo ủy quyền)",
                paragraphs=(
                    f"Đồng chí được ủy quyền cho ý kiến phân công thay {leader.name} đến hết "
                    f"ngày {delegate[1].strftime('%d/%m/%Y')}.",
                    *mail.paragraphs,
                ),
            )
        store.add_digest(
            session,
            key=key,
            leader=leader_ref(leader),
            message_id=mail.message_id,
            token=token,
            entry_ids=[e.id for e, _ in items if e.id is not None],
            now=now,
        )
        recorder.add_outbox(
            None,
            leader_mail.render(
                mail, env=desk.templates, from_address=desk.from_address, now=now, tz=desk.zone.key
            ),
        )
        recorder.audit(
            "distribution.digest",
            key=key,
            leader=leader.code,
            count=len(items),
            delegate=delegate[0] if delegate else None,
        )
    log.info("distribution: digest %s to %s (%d document(s))", key, leader.code, len(items))
    return True
