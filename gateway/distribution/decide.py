"""The leader's decision (R-DISTRIB): then routing goes on exactly as for a rule's assignment.

One transaction: the conditional claim of the entry (``awaiting_distribution`` →
``assigned``, :func:`registry.tracking.distribution.claim_decision`: a decision by one leader is
final, a second one — another console, a mail reply, another gateway instance — routes
nothing), the assignment rows with their reply tokens
(:func:`registry.tracking.assignments.new_assignment`), one routed copy per assignment
with the instruction in it (:func:`gateway.routing.reassign.queue_routed_copy`), the 04
notice to the sender (:func:`gateway.tracking.status_notice.queue_status_notice`), the
decision on the ``distribution`` row and the audit trail.

Deadlines count from the time of receipt (R-DEADLINE): a unit keeps the deadline the rules
proposed for it (computed from ``received_at``), a unit the leader adds takes the deadline
proposed for its role, else the lead's; a date the leader gives is due at the close of
office that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gateway.errors import GatewayError
from gateway.pipeline.context import PipelineContext
from gateway.routing.reassign import queue_routed_copy
from gateway.storage.archive import ByteStore
from gateway.tracking.reply_actions import find_unit
from gateway.tracking.status_notice import queue_status_notice
from registry.database import write_session
from registry.models import EntryStatus, RegisterEntry
from registry.numbering import register_label
from registry.queries import get_entry
from registry.recorder import Recorder
from registry.tracking.assignments import AssignmentDraft, new_assignment
from registry.tracking.delegation import delegation_for
from registry.tracking.distribution import (
    AlreadyDecidedError,
    Distribution,
    ProposedAssignment,
    claim_decision,
    distribution_of,
    proposal_of,
    record_decision,
)
from rules.calendar import WorkingCalendar
from rules.deadlines import close_of
from rules.routing_types import Leader, Role, Unit
from rules.rulesfile import RuleSet

NOTE_CHARS = 2000


class DistributionError(GatewayError):
    """A decision that cannot be made; the message is Vietnamese, for the leader."""


class Channel:
    CONSOLE = "console"
    MAIL = "mail"
    CLI = "cli"


@dataclass(frozen=True)
class Order:
    """What the leader decided: the units by role, deadlines, the instruction."""

    lead: str  # a unit code (or name)
    cooperate: tuple[str, ...] = ()
    inform: tuple[str, ...] = ()
    due_on: date | None = None  # for the lead and cooperating units without their own
    dues: Mapping[str, date] = field(default_factory=dict)  # per unit code
    note: str = ""


@dataclass(frozen=True)
class Decided:
    incoming: str
    assignments: tuple[ProposedAssignment, ...]
    routed: tuple[str, ...]  # the routed copies' Message-IDs


@dataclass(frozen=True)
class Desk:
    """What deciding needs of the running gateway (built from its pipeline)."""

    engine: Engine
    archive: ByteStore
    templates: jinja2.Environment
    from_address: str
    zone: ZoneInfo
    units: Mapping[str, Unit]
    calendar: WorkingCalendar
    leaders: Mapping[str, Leader]
    clerk: str = ""  # [alerts] administrator, else the gateway's own address

    @classmethod
    def of(cls, pipeline: PipelineContext) -> Desk:
        router = pipeline.router
        calendar = getattr(router, "calendar", None)  # the running Router's, see in_force
        rules = getattr(router, "rules", None)
        return cls(
            engine=pipeline.engine,
            archive=pipeline.archive,
            templates=pipeline.templates,
            from_address=pipeline.from_address,
            zone=pipeline.zone,
            units=router.units if router is not None else {},
            calendar=calendar
            if isinstance(calendar, WorkingCalendar)
            else WorkingCalendar(zone=pipeline.zone),
            leaders=rules.leaders_by_code if isinstance(rules, RuleSet) else {},
            clerk=pipeline.administrator or pipeline.from_address,
        )


def as_proposed(row: Distribution, note: str = "") -> Order:
    """The order that accepts the rules' proposal as it stands."""
    proposal = proposal_of(row)
    lead = next((a.unit_code for a in proposal if a.role == Role.LEAD), None)
    if lead is None:
        raise DistributionError("Quy tắc chưa đề xuất đơn vị chủ trì; hãy chọn đơn vị chủ trì.")
    return Order(
        lead=lead,
        cooperate=tuple(a.unit_code for a in proposal if a.role == Role.COOPERATE),
        inform=tuple(a.unit_code for a in proposal if a.role == Role.INFORM),
        note=note,
    )


def distribute(
    desk: Desk, year: int, number: int, order: Order | None, *, by: str, channel: str
) -> Decided:
    """Decide entry ``year/number`` (``order`` None: as proposed) in its own transaction."""
    with write_session(desk.engine) as session:
        recorder = Recorder(session)
        entry = get_entry(session, year, number)  # NotFoundError
        row = _awaiting(session, entry)
        return apply_decision(
            desk, recorder, entry, row, order or as_proposed(row), by=by, channel=channel
        )


def apply_decision(
    desk: Desk,
    recorder: Recorder,
    entry: RegisterEntry,
    row: Distribution,
    order: Order,
    *,
    by: str,
    channel: str,
) -> Decided:
    """Apply ``order`` inside the open transaction; DistributionError (nothing written by
    this call when raised before the claim; the caller rolls back otherwise)."""
    incoming = register_label(entry.year, entry.incoming_number)
    assignments = _assignments(desk, row, order)
    note = " ".join(order.note.split())[:NOTE_CHARS]
    try:
        claim_decision(recorder.session, entry)  # the conditional UPDATE: once, for all
    except AlreadyDecidedError as exc:
        raise DistributionError(_decided_text(recorder, entry)) from exc
    on_behalf_of = on_behalf(desk, recorder.session, row, by, recorder.now)
    instructed_by = _leader_name(desk, row, by)
    if on_behalf_of is not None:
        instructed_by = f"{instructed_by}, thay {on_behalf_of} theo ủy quyền"
    routed: list[str] = []
    for proposed in assignments:
        record = new_assignment(
            entry,
            AssignmentDraft(
                proposed.unit_code,
                proposed.unit_name,
                proposed.role,
                proposed.mailbox,
                proposed.person,
                proposed.due_at,
            ),
            recorder.now,
        )
        recorder.session.add(record)
        recorder.session.flush()
        message_id = queue_routed_copy(
            recorder,
            record,
            entry,
            archive=desk.archive,
            env=desk.templates,
            from_address=desk.from_address,
            timezone=desk.zone.key,
            instruction=note or None,
            instructed_by=instructed_by,
        )
        if message_id is None:
            raise DistributionError("Không còn bản gốc trong kho lưu trữ để gửi cho đơn vị.")
        routed.append(message_id)
    record_decision(
        row,
        by=by,
        at=recorder.now,
        channel=channel,
        note=note,
        decision=assignments,
        on_behalf_of=on_behalf_of,
    )
    recorder.audit(
        "entry.distributed",
        entry=entry,
        actor=by,
        channel=channel,
        note=note,
        on_behalf_of=on_behalf_of,
        as_proposed=[a.as_json() for a in assignments] == row.proposal,
        assignments=[a.as_json() for a in assignments],
    )
    recorder.audit(
        "entry.status",
        entry=entry,
        actor=by,
        before=str(EntryStatus.AWAITING_DISTRIBUTION),
        after=str(EntryStatus.ASSIGNED),
    )
    lead = assignments[0]
    queue_status_notice(  # 04 to the sender, as after a clerk's assignment (DESIGN §4.4)
        recorder,
        env=desk.templates,
        entry=entry,
        status=EntryStatus.ASSIGNED,
        unit_name=lead.unit_name,
        from_address=desk.from_address,
        timezone=desk.zone.key,
    )
    return Decided(incoming, tuple(assignments), tuple(routed))


def _awaiting(session: Session, entry: RegisterEntry) -> Distribution:
    row = distribution_of(session, entry.id or 0)
    if row is None:
        raise DistributionError("Văn bản này không trình lãnh đạo phân công.")
    if entry.status != EntryStatus.AWAITING_DISTRIBUTION:
        raise DistributionError(_decided_text_of(row))
    return row


def _decided_text(recorder: Recorder, entry: RegisterEntry) -> str:
    row = distribution_of(recorder.session, entry.id or 0)
    if row is None:
        return "Văn bản đã được phân công."
    recorder.session.refresh(row)  # read who won, not the row as this session first saw it
    return _decided_text_of(row) if row.decided_by else "Văn bản đã được phân công."


def _decided_text_of(row: Distribution) -> str:
    if row.decided_by:
        behalf = f", thay {row.on_behalf_of}" if row.on_behalf_of else ""
        return f"Văn bản đã được phân công (người cho ý kiến: {row.decided_by}{behalf})."
    return "Văn bản không còn chờ phân công."


def _leader_name(desk: Desk, row: Distribution, by: str) -> str:
    leader = desk.leaders.get(row.leader_code or "")
    if leader is not None and by.lower() in {leader.mailbox, (leader.account or "").lower()}:
        return leader.name
    if by == row.leader_account:
        return row.leader_name
    other = next(
        (
            o
            for o in desk.leaders.values()
            if by.lower() in {o.mailbox.lower(), (o.account or "").lower()}
        ),
        None,
    )
    return other.name if other is not None else by


def leader_code_of(desk: Desk, row: Distribution) -> str | None:
    """The leader deciding ``row``: its own, else the default leader (as the digest)."""
    if row.leader_code:
        return row.leader_code
    default = next(iter(desk.leaders.values()), None)
    return default.code if default is not None else None


def on_behalf(
    desk: Desk, session: Session, row: Distribution, by: str, now: datetime
) -> str | None:
    """The leader's name when ``by`` decides as their delegate in force at ``now``
    (R-DISTRIB: "the person the head names"); None when ``by`` is the leader themself
    or no delegation lets them."""
    code = leader_code_of(desk, row)
    leader = desk.leaders.get(code or "")
    if code is None or leader is None:
        return None
    if by.lower() in {leader.mailbox.lower(), (leader.account or "").lower()}:
        return None
    day = now.astimezone(desk.zone).date()
    found = delegation_for(session, code, by, day)
    return (found.leader_name or leader.name) if found is not None else None


def resolve_unit(units: Mapping[str, Unit], text: str) -> Unit | None:
    """A unit by code or name; else by the first word ("TP phối hợp VP" → TP)."""
    text = text.strip()
    found = find_unit(units, text)
    if found is None and text.split():
        found = find_unit(units, text.split()[0].strip(",.;:"))
    return found


def _assignments(desk: Desk, row: Distribution, order: Order) -> list[ProposedAssignment]:
    proposal = proposal_of(row)
    by_unit = {a.unit_code: a for a in proposal}
    by_role: dict[str, ProposedAssignment] = {}
    for a in proposal:
        by_role.setdefault(a.role, a)
    lead_due = by_role[Role.LEAD].due_at if Role.LEAD in by_role else None
    seen: set[str] = set()
    chosen: list[ProposedAssignment] = []
    wanted = [
        (Role.LEAD, (order.lead,)),
        (Role.COOPERATE, order.cooperate),
        (Role.INFORM, order.inform),
    ]
    for role, names in wanted:
        for name in names:
            if not name.strip():
                continue
            unit = resolve_unit(desk.units, name)
            if unit is None:
                raise DistributionError(f"Không có đơn vị “{name.strip()}” trong danh sách đơn vị.")
            if unit.code in seen:
                continue  # a unit takes its strongest role once
            seen.add(unit.code)
            before = by_unit.get(unit.code)
            due = _due(
                desk,
                order,
                code=unit.code,
                role=role,
                before=before,
                by_role=by_role,
                lead_due=lead_due,
            )
            chosen.append(
                ProposedAssignment(
                    unit_code=unit.code,
                    unit_name=unit.name,
                    role=str(role),
                    mailbox=before.mailbox if before else unit.mailbox,
                    person=before.person if before else None,
                    due_at=due,
                )
            )
    if not chosen or chosen[0].role != Role.LEAD:
        raise DistributionError("Hãy chọn đơn vị chủ trì.")
    return chosen


def _due(
    desk: Desk,
    order: Order,
    *,
    code: str,
    role: Role,
    before: ProposedAssignment | None,
    by_role: Mapping[str, ProposedAssignment],
    lead_due: datetime | None,
) -> datetime | None:
    day = order.dues.get(code) or (order.due_on if role is not Role.INFORM else None)
    if day is not None:
        return close_of(desk.calendar, day)
    if before is not None and before.role == role:
        return before.due_at
    if role in by_role:
        return by_role[role].due_at
    return None if role is Role.INFORM else lead_due
