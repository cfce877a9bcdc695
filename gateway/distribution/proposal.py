"""A proposal written with its entry (R-DISTRIB): the rules proposed, a leader decides.

Called by the routing writer (:mod:`gateway.routing.step`) in the registering transaction
when the routing is a proposal: the entry is already ``awaiting_distribution`` (no
assignment rows, no routed copies); here the ``distribution`` row keeps the proposal and
the leader, and an urgent document's leader is told at once, the document attached
(R-URGENT) — and so are the leader's delegates in force (§4.8), each with their own copy.
Others wait for the session's digest (:mod:`gateway.distribution.digest`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from zoneinfo import ZoneInfo

import jinja2

from gateway.distribution import leader_mail
from gateway.distribution.leader_mail import NOTICE_KIND
from gateway.outbox.identity import message_id
from gateway.routing.routed_copy import CopiedFile
from registry.models import InboundMessage, RegisterEntry
from registry.recorder import Recorder
from registry.tracking.delegation import delegates_of
from registry.tracking.distribution import LeaderRef, ProposedAssignment, add_proposal
from rules.routing_types import Leader, Routing, Unit

log = logging.getLogger(__name__)

ORDINARY = "thuong"


def leader_ref(leader: Leader | None) -> LeaderRef:
    if leader is None:
        return LeaderRef()
    return LeaderRef(leader.code, leader.name, leader.mailbox, leader.account)


def proposed(routing: Routing, units: Mapping[str, Unit]) -> list[ProposedAssignment]:
    return [
        ProposedAssignment(
            unit_code=a.unit,
            unit_name=units[a.unit].name if a.unit in units else a.unit,
            role=str(a.role),
            mailbox=a.mailbox,
            person=a.person,
            due_at=a.due_at,
        )
        for a in routing.assignments
    ]


def record_proposal(
    recorder: Recorder,
    inbound: InboundMessage,
    entry: RegisterEntry,
    routing: Routing,
    *,
    units: Mapping[str, Unit],
    templates: jinja2.Environment,
    from_address: str,
    zone: ZoneInfo,
    files: tuple[CopiedFile, ...],
) -> None:
    """Keep the proposal of ``entry``; an urgent one is mailed to its leader now."""
    proposal = proposed(routing, units)
    row = add_proposal(
        recorder.session,
        entry,
        leader=leader_ref(routing.leader),
        proposal=proposal,
        rules=routing.matched_rules,
        now=recorder.now,
    )
    if entry.urgency == ORDINARY or not row.leader_mailbox:
        return
    mail = leader_mail.notice_mail(
        entry,
        proposal,
        to_address=row.leader_mailbox,
        token=row.token,
        from_address=from_address,
        files=files,
        tz=zone.key,
    )
    recorder.add_outbox(
        inbound,
        leader_mail.render(
            mail, env=templates, from_address=from_address, now=recorder.now, tz=zone.key
        ),
    )
    row.notice_message_id = mail.message_id
    day = recorder.now.astimezone(zone).date()
    for n, delegated in enumerate(delegates_of(recorder.session, row.leader_code or "", day)):
        if not delegated.delegate_mailbox:
            continue  # a console account only: the queue shows it
        copy = replace(  # the delegate's own copy (§4.8); the reply address is the same
            mail,
            message_id=message_id(NOTICE_KIND, f"{entry.id}-thay-{n}", from_address),
            to_address=delegated.delegate_mailbox,
            subject=f"{mail.subject} (thay {row.leader_name}, theo ủy quyền)",
            paragraphs=(
                f"Đồng chí được ủy quyền cho ý kiến phân công thay {row.leader_name} đến hết "
                f"ngày {delegated.ends_on.strftime('%d/%m/%Y')}.",
                *mail.paragraphs,
            ),
        )
        recorder.add_outbox(
            inbound,
            leader_mail.render(
                copy, env=templates, from_address=from_address, now=recorder.now, tz=zone.key
            ),
        )
    log.info(
        "entry %s/%s: urgent, awaiting distribution; leader %s told at once",
        entry.year,
        entry.incoming_number,
        row.leader_code,
    )
