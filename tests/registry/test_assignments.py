"""Routing results in the register, on SQLite and PostgreSQL: assignments, tokens, queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from registry.database import read_session, write_session
from registry.models import AssignmentRecord, AssignmentStatus, AuditEvent, RegisterEntry
from registry.queries import entry_contract, get_entry
from registry.recorder import Recorder
from registry.tracking.assignments import (
    AssignmentDraft,
    RoutingDraft,
    assignments_of,
    entries_by_status,
    overdue_entries,
    record_routing,
    unit_counts,
)
from tests.registry.test_register import entry_draft, inbound_draft

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=2)


def routing(*assignments: AssignmentDraft, hold_reason: str = "") -> RoutingDraft:
    return RoutingDraft(
        rules_version="sha256:abc123",
        trace=({"rule": "van-phong", "matched": True, "why": "sender VP"},),
        facts={"sender_agency_code": "VP", "urgency": "khan"},
        assignments=assignments,
        priority=10,
        tags=("cong-nghe",),
        process_by=DUE,
        assign_by=NOW + timedelta(hours=1),
        hold_reason=hold_reason,
    )


LEAD = AssignmentDraft(
    "VHTT", "Phòng Văn hóa và Thông tin", "lead", "vhtt@example.gov.vn", None, DUE
)
HELPER = AssignmentDraft("TCKH", "Phòng Tài chính - Kế hoạch", "cooperate", "tckh@example.gov.vn")
READER = AssignmentDraft("VP", "Văn phòng", "inform", "vp@example.gov.vn", "lan@example.gov.vn")


def register_routed(engine: Engine, spool_id: str, draft: RoutingDraft) -> int:
    """One entry registered and routed in one transaction; its entry id."""
    with write_session(engine) as session:
        recorder = Recorder(session, now=NOW)
        inbound = recorder.add_inbound(inbound_draft(spool_id))
        number = recorder.add_entry(inbound, entry_draft())
        entry = get_entry(session, number.year, number.number)
        record_routing(recorder, entry, draft)
        assert entry.id is not None
        return entry.id


def test_r_assign_routing_is_written_with_the_entry(engine: Engine) -> None:
    """GIVEN a routing with a lead, a cooperating unit and a unit for information
    WHEN it is recorded with the entry
    THEN three assignments carry distinct unguessable lower-case tokens, the entry keeps the
    rules version, trace, facts, priority, tags and deadlines, its status is assigned, an
    ``entry.assigned`` audit event names the units, and §4.3 JSON lists {unit, role, due_at}."""
    entry_id = register_routed(engine, "q1", routing(LEAD, HELPER, READER))
    with read_session(engine) as session:
        entry = session.get_one(RegisterEntry, entry_id)
        rows = assignments_of(session, [entry])[entry_id]
        events = list(
            session.scalars(select(AuditEvent).where(col(AuditEvent.action) == "entry.assigned"))
        )
        contract = entry_contract(entry, [], ZONE, rows)
    assert [(a.unit_code, a.role, a.mailbox) for a in rows] == [
        ("VHTT", "lead", "vhtt@example.gov.vn"),
        ("TCKH", "cooperate", "tckh@example.gov.vn"),
        ("VP", "inform", "vp@example.gov.vn"),
    ]
    assert rows[2].person == "lan@example.gov.vn"
    tokens = {a.token for a in rows}
    assert len(tokens) == 3
    assert all(re.fullmatch(r"[0-9a-f]{24}", t) for t in tokens)
    assert all(a.status == AssignmentStatus.ASSIGNED for a in rows)
    assert rows[0].due_at == DUE
    assert entry.status == "assigned"
    assert entry.rules_version == "sha256:abc123"
    assert entry.routing_trace == [{"rule": "van-phong", "matched": True, "why": "sender VP"}]
    assert entry.routing_facts == {"sender_agency_code": "VP", "urgency": "khan"}
    assert (entry.priority, entry.tags, entry.process_by) == (10, ["cong-nghe"], DUE)
    [event] = events
    assert event.entry_id == entry_id
    assert [a["unit"] for a in event.details["assignments"]] == ["VHTT", "TCKH", "VP"]
    assert contract["assignments"] == [
        {"unit": "VHTT", "role": "lead", "due_at": DUE.astimezone(ZONE).isoformat()},
        {"unit": "TCKH", "role": "cooperate", "due_at": None},
        {"unit": "VP", "role": "inform", "due_at": None},
    ]
    assert contract["assignments"][0]["due_at"].endswith("+07:00")


def test_a_held_routing_registers_without_assigning(engine: Engine) -> None:
    """GIVEN a routing a rule holds for a clerk WHEN recorded
    THEN no assignment is written, the entry stays registered with its trace, and the hold
    is in the audit trail."""
    entry_id = register_routed(engine, "q2", routing(LEAD, hold_reason="review-by-clerk"))
    with read_session(engine) as session:
        entry = session.get_one(RegisterEntry, entry_id)
        assert assignments_of(session, [entry]) == {}
        held = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "entry.held")
        ).one()
    assert entry.status == "registered"
    assert entry.rules_version == "sha256:abc123"
    assert held.details == {"reason": "review-by-clerk"}


def test_without_a_lead_the_entry_stays_registered(engine: Engine) -> None:
    """GIVEN a routing that only informs a unit WHEN recorded THEN the entry is not assigned."""
    entry_id = register_routed(engine, "q3", routing(READER))
    with read_session(engine) as session:
        assert session.get_one(RegisterEntry, entry_id).status == "registered"


def test_overdue_status_filters_and_unit_counts(engine: Engine) -> None:
    """GIVEN three routed entries — one late and open, one late but done, one not yet due
    WHEN the register is asked for overdue entries, entries by status and per-unit counts
    THEN only the open late one is overdue and the counts add up per unit."""
    late = register_routed(engine, "late", routing(LEAD, HELPER))
    finished = register_routed(engine, "done", routing(LEAD))
    register_routed(engine, "fresh", routing(replace_due(LEAD, NOW + timedelta(days=3))))
    with write_session(engine) as session:
        for row in session.scalars(
            select(AssignmentRecord).where(col(AssignmentRecord.entry_id) == finished)
        ):
            row.status = AssignmentStatus.DONE
        session.get_one(RegisterEntry, finished).status = "done"
    later = NOW + timedelta(days=1)
    with read_session(engine) as session:
        overdue = [e.id for e in overdue_entries(session, later)]
        assigned = [e.id for e in entries_by_status(session, "assigned")]
        done = [e.id for e in entries_by_status(session, "done", year=2026)]
        none_next_year = entries_by_status(session, "assigned", year=2027)
        counts = {c.unit_code: c for c in unit_counts(session, later, year=2026)}
    assert overdue == [late]
    assert len(assigned) == 2 and late in assigned
    assert done == [finished]
    assert none_next_year == []
    vhtt, tckh = counts["VHTT"], counts["TCKH"]
    assert (vhtt.assigned, vhtt.in_progress, vhtt.done, vhtt.overdue, vhtt.total) == (
        2,
        0,
        1,
        1,
        3,
    )
    assert vhtt.unit_name == "Phòng Văn hóa và Thông tin"
    assert (tckh.assigned, tckh.overdue, tckh.total) == (1, 0, 1)  # no deadline: never late


def replace_due(draft: AssignmentDraft, due_at: datetime) -> AssignmentDraft:
    return AssignmentDraft(
        draft.unit_code, draft.unit_name, draft.role, draft.mailbox, draft.person, due_at
    )
