"""The routing engine: (facts, rules, calendar, now) → Routing, with a trace. Pure.

Rules are looked at in order. A matching rule with ``stop: true`` (the default) ends the
walk; ``stop: false`` lets later rules add to the decision. The default rule (the last)
applies when no stopping rule matched. Merging: the first lead named stays the lead; later
cooperating and informed units are added, and a unit named again in a stronger role (lead >
cooperate > inform) takes that role; the highest priority
wins; the first hold reason and the first rejection stand; tags accumulate.

Deadlines count from the time of receipt (R-DEADLINE): an assignee's own deadline, else
the rule's, else the file's ``deadline``. Processing is due within 2 working hours of
receipt (R-2H) and assignment the same working day, or by the end of the next working
morning for documents received in the last session or outside office hours (R-ASSIGN);
urgent documents (Khẩn, Thượng khẩn, Hỏa tốc) are due at once and raised in priority
(R-URGENT).

The trace says, in Vietnamese (:mod:`rules.trace_words`), why each rule looked at matched
or not: the deciding condition, "bị tắt" for a disabled rule, "quy tắc mặc định: …".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mailparse.documents.document import Urgency
from rules import trace_words as say
from rules.calendar import WorkingCalendar
from rules.conditions import evaluate
from rules.deadlines import Deadline, DeadlineKind, close_of
from rules.routing_types import Assignment, Role, Routing, RoutingFacts, RuleTrace
from rules.rulesfile import Rule, RuleSet, Target, Then

PROCESS_HOURS = 2  # R-2H
_RANK = {Role.LEAD: 0, Role.COOPERATE: 1, Role.INFORM: 2}
URGENCY_PRIORITY: dict[str, int] = {
    Urgency.THUONG: 0,
    Urgency.KHAN: 10,
    Urgency.THUONG_KHAN: 20,
    Urgency.HOA_TOC: 30,
    Urgency.HOA_TOC_HEN_GIO: 30,
}


@dataclass
class _Draft:
    """The decision while rules are applied (mutable inside :func:`route` only)."""

    assignments: list[Assignment] = field(default_factory=list)
    priority: int = 0
    hold_reason: str = ""
    reject_reason: str = ""
    reject_code: str = ""
    tags: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    propose: bool = False
    leader: str | None = None


def route(
    facts: RoutingFacts,
    rules: RuleSet,
    calendar: WorkingCalendar,
    now: datetime,
    *,
    propose_all: bool = False,
) -> Routing:
    """Decide who handles one document, and by when; ``now`` only judges a past DueDate.

    ``propose_all`` (``[routing] mode = "propose"``) makes every routing a proposal that
    a leader decides on (R-DISTRIB), as ``then: {propose: true}`` does for one rule; the
    leader is the one the rules name, else the file's default leader.
    """
    draft = _Draft(priority=URGENCY_PRIORITY.get(facts.urgency, 0))
    trace: list[RuleTrace] = []
    for rule in rules.rules:
        if not rule.enabled:
            trace.append(RuleTrace(rule.name, False, say.DISABLED))
            continue
        verdict = evaluate(rule.when, facts, calendar)
        why = say.DEFAULT_RULE if rule.default else verdict.why
        trace.append(RuleTrace(rule.name, verdict.matched, why))
        if verdict.matched:
            _apply(rule, draft, facts=facts, rules=rules, calendar=calendar, now=now)
            if rule.stop or rule.default:
                break
    urgent = facts.urgency in URGENCY_PRIORITY and facts.urgency != Urgency.THUONG
    received = facts.received_at.astimezone(calendar.zone)
    propose = (draft.propose or propose_all) and not draft.reject_reason and not draft.hold_reason
    leaders = rules.leaders_by_code
    leader = leaders.get(draft.leader or "") or rules.default_leader
    return Routing(
        assignments=() if draft.reject_reason else tuple(draft.assignments),
        trace=tuple(trace),
        rules_version=rules.version,
        matched_rules=tuple(draft.matched),
        priority=draft.priority,
        hold=bool(draft.hold_reason),
        hold_reason=draft.hold_reason,
        reject_reason=draft.reject_reason,
        reject_code=draft.reject_code,
        tags=tuple(draft.tags),
        process_by=received if urgent else calendar.add_working_hours(received, PROCESS_HOURS),
        assign_by=received if urgent else assignment_due(calendar, received),
        propose=propose,
        leader=leader if propose else None,
    )


def assignment_due(calendar: WorkingCalendar, received_at: datetime) -> datetime:
    """R-ASSIGN: the same working day; received in the last session or outside office
    hours, by the end of the next working morning."""
    local = received_at.astimezone(calendar.zone)
    if calendar.is_working_day(local.date()) and local < calendar.last_session_start(local.date()):
        return calendar.end_of_working_day(local)
    return calendar.end_of_morning(local)


def _apply(
    rule: Rule,
    draft: _Draft,
    *,
    facts: RoutingFacts,
    rules: RuleSet,
    calendar: WorkingCalendar,
    now: datetime,
) -> None:
    then = rule.then
    draft.matched.append(rule.name)
    units = rules.units_by_code
    roles: list[tuple[Role, tuple[Target, ...]]] = [
        (Role.LEAD, (then.lead,) if then.lead and not _has_lead(draft) else ()),
        (Role.COOPERATE, then.cooperate),
        (Role.INFORM, then.inform),
    ]
    for role, targets in roles:
        for target in targets:
            earlier = next((a for a in draft.assignments if a.unit == target.unit), None)
            if earlier is not None and _RANK[earlier.role] <= _RANK[role]:
                continue  # already assigned in this role or a stronger one
            unit = units[target.unit]
            spec = target.deadline or then.deadline or rules.deadline
            assignment = Assignment(
                unit=unit.code,
                role=role,
                mailbox=target.person or unit.mailbox,
                due_at=_due(spec, then, rules=rules, facts=facts, calendar=calendar, now=now),
                person=target.person,
            )
            if earlier is None:
                draft.assignments.append(assignment)
            else:  # a stronger role replaces a weaker one given by an earlier rule
                draft.assignments[draft.assignments.index(earlier)] = assignment
    draft.priority = max(draft.priority, then.priority)
    if then.hold and not draft.hold_reason:
        draft.hold_reason = then.hold
    if then.reject and not draft.reject_reason:
        draft.reject_reason = then.reject.text
        draft.reject_code = str(then.reject.reason)
    draft.tags += [t for t in then.tags if t not in draft.tags]
    draft.propose = draft.propose or then.propose
    draft.leader = draft.leader or then.leader


def _has_lead(draft: _Draft) -> bool:
    return any(a.role is Role.LEAD for a in draft.assignments)


def _due(
    spec: Deadline | None,
    then: Then,
    *,
    rules: RuleSet,
    facts: RoutingFacts,
    calendar: WorkingCalendar,
    now: datetime,
) -> datetime | None:
    if spec is None:
        return None
    if spec.kind is not DeadlineKind.DUE_DATE:
        return spec.due(calendar, facts.received_at)
    if facts.due_date is not None:
        due = close_of(calendar, facts.due_date)
        if due > now:
            return due
    fallback = then.deadline_fallback or rules.deadline
    if fallback is None or fallback.kind is DeadlineKind.DUE_DATE:
        return None
    return fallback.due(calendar, facts.received_at)
