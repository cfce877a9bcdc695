"""The working-hours clock (R-TRACK): what is due, and each event fired once —
also with two clock runners racing on one PostgreSQL database."""

from __future__ import annotations

import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

import templates
from gateway.config.settings import load
from gateway.routing.in_force import Router, sample_rules_text
from gateway.tracking.clock import Clock, ClockKind, due_now
from registry.database import make_engine, read_session, upgrade, write_session
from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    ClockEvent,
    InboundMessage,
    OutboxMessage,
    RegisterEntry,
)
from registry.recorder import Recorder
from registry.tracking.assignments import AssignmentDraft, RoutingDraft, record_routing
from registry.tracking.clock_events import OpenAssignment, UnassignedEntry
from rules.calendar import WorkingCalendar
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(zone=ZONE)
GATEWAY = "vanthu@example.gov.vn"
CLERK = "quantri@example.gov.vn"
# Wednesday 25 November 2026, 09:00 in Hà Nội: office hours.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)


def local(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def open_assignment(number: int, due_at: datetime, role: str = "lead") -> OpenAssignment:
    return OpenAssignment(
        id=number,
        entry_id=number,
        unit_code="VP",
        unit_name="Văn phòng",
        role=role,
        mailbox="vanphong@example.gov.vn",
        token="t",
        due_at=due_at,
        year=2026,
        incoming_number=number,
    )


@pytest.mark.parametrize(
    ("due_at", "role", "expected"),
    [
        (local(9, 30), "lead", ClockKind.REMINDER),  # half a working hour left
        (local(10, 0), "cooperate", ClockKind.REMINDER),  # exactly one working hour left
        (local(10, 1), "lead", None),  # more than an hour left
        (local(14, 0), "lead", None),  # after lunch: 3 working hours away
        (local(8, 59), "lead", ClockKind.OVERDUE),
        (local(8, 0), "inform", None),  # "để biết" owes nothing
    ],
)
def test_r_deadline_what_is_due(due_at: datetime, role: str, expected: ClockKind | None) -> None:
    """GIVEN an open assignment due at ``due_at`` WHEN the clock looks at 09:00 THEN a
    reminder within one working hour of the deadline, an escalation once it passed."""
    due = due_now(
        [open_assignment(1, due_at, role)], [], calendar=CALENDAR, now=NOW, remind_before_hours=1
    )
    assert [d.kind for d in due] == ([expected] if expected else [])


def test_reminder_horizon_counts_working_hours_across_lunch() -> None:
    """GIVEN a deadline at 13:45 WHEN the clock looks at 11:00 THEN it is one working hour
    away (30 min before lunch + 15 after) — a reminder, though 2h45 of wall time remain."""
    due = due_now(
        [open_assignment(1, local(13, 45))],
        [],
        calendar=CALENDAR,
        now=local(11, 0),
        remind_before_hours=1,
    )
    assert [d.key for d in due] == ["reminder:1"]


def test_r_assign_unassigned_entry_is_due_for_the_clerk() -> None:
    """GIVEN an entry nobody was assigned to, past its assign_by WHEN looked at THEN due."""
    due = due_now(
        [],
        [UnassignedEntry(7, 2026, 7, local(8, 0))],
        calendar=CALENDAR,
        now=NOW,
        remind_before_hours=1,
    )
    assert [(d.kind, d.key) for d in due] == [(ClockKind.UNASSIGNED, "unassigned:7")]


@dataclass
class Register:
    """Rows for the clock to look at, written as the registering transaction writes them."""

    engine: Engine
    number: int = 0

    def entry(
        self,
        *,
        due_at: datetime | None = None,
        role: str = "lead",
        status: AssignmentStatus = AssignmentStatus.ASSIGNED,
        assign_by: datetime | None = None,
    ) -> int:
        self.number += 1
        received = NOW - timedelta(hours=1)
        with write_session(self.engine) as session:
            inbound = InboundMessage(
                spool_id=f"s{self.number}",
                sha256="0" * 64,
                fingerprint=f"{self.number:064d}",
                received_at=received,
                protocol="smtp",
                envelope_from="vanthu@agency.example.gov.vn",
                outcome="accepted",
            )
            session.add(inbound)
            session.flush()
            assert inbound.id is not None
            entry = RegisterEntry(
                inbound_id=inbound.id,
                year=2026,
                incoming_number=self.number,
                received_at=received,
                sha256="0" * 64,
                document_sha256=f"{self.number:064d}",
            )
            session.add(entry)
            session.flush()
            assignments: tuple[AssignmentDraft, ...] = ()
            if due_at is not None:
                assignments = (
                    AssignmentDraft(
                        "VP", "Văn phòng", role, "vanphong@example.gov.vn", None, due_at
                    ),
                )
            routing = RoutingDraft("v1", (), {}, assignments, assign_by=assign_by)
            for record in record_routing(Recorder(session, now=received), entry, routing):
                record.status = status
            assert entry.id is not None
            return entry.id


def make_clock(engine: Engine, tmp_path: Path, instance: str = "one") -> Clock:
    (tmp_path / "rules.yaml").write_text(sample_rules_text(), encoding="utf-8")
    (tmp_path / "gateway.toml").write_text("", encoding="utf-8")
    router = Router(load(tmp_path / "gateway.toml", environ={}))
    return Clock(
        engine=engine,
        calendar=CALENDAR,
        templates=templates.environment(),
        from_address=GATEWAY,
        administrator=CLERK,
        units=lambda: router.units,
        instance=instance,
    )


def outbox(engine: Engine) -> list[tuple[OutboxMessage, EmailMessage]]:
    with read_session(engine) as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))
    parsed = [BytesParser(policy=policy.default).parsebytes(r.raw) for r in rows]
    return [(r, m) for r, m in zip(rows, parsed, strict=True) if isinstance(m, EmailMessage)]


def test_r_deadline_reminders_and_escalations_fire_once(engine: Engine, tmp_path: Path) -> None:
    """GIVEN a deadline 30 min away, one passed, one far, an informed unit's passed one, a
    done one and an entry nobody was assigned to WHEN the clock runs twice THEN one
    reminder to the assignee, the escalation to VP's leader and supervisor and one notice
    to the clerk — the second run fires nothing."""
    register = Register(engine)
    register.entry(due_at=local(9, 30))
    register.entry(due_at=local(8, 0))
    register.entry(due_at=local(15, 0))
    register.entry(due_at=local(8, 0), role="inform")
    register.entry(due_at=local(8, 0), status=AssignmentStatus.DONE)
    register.entry(assign_by=local(8, 30))
    clock = make_clock(engine, tmp_path)

    assert clock.run_once(NOW) == 3
    assert clock.run_once(NOW + timedelta(minutes=1)) == 0

    sent = sorted((row.kind, row.recipient) for row, _ in outbox(engine))
    assert sent == [
        ("escalation", "chanhvanphong@example.gov.vn"),
        ("escalation", "phochutich@example.gov.vn"),
        ("reminder", "vanphong@example.gov.vn"),
        ("unassigned", CLERK),
    ]
    mails = {row.kind: mail for row, mail in outbox(engine)}
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mails.values())
    reminder = mails["reminder"]
    with read_session(engine) as session:
        token = session.scalars(
            select(col(AssignmentRecord.token)).order_by(col(AssignmentRecord.id))
        ).first()
    assert reminder["Reply-To"] == f"vanthu+{token}@example.gov.vn"
    assert reminder["Subject"] == "Nhắc hạn xử lý văn bản đến số 2026/1 (hạn 25/11/2026 09:30)"
    assert mails["escalation"]["Subject"] == "Văn bản đến số 2026/2 đã quá hạn xử lý"


def test_reminded_assignment_is_escalated_once_its_deadline_passes(
    engine: Engine, tmp_path: Path
) -> None:
    """GIVEN a reminder already sent WHEN the deadline passes THEN the escalation fires
    (a different event), once."""
    Register(engine).entry(due_at=local(9, 30))
    clock = make_clock(engine, tmp_path)
    assert clock.run_once(NOW) == 1
    assert clock.run_once(local(9, 31)) == 1
    assert clock.run_once(local(9, 45)) == 0
    with read_session(engine) as session:
        keys = sorted(session.scalars(select(col(ClockEvent.key))))
    assert keys == ["overdue:1", "reminder:1"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # a shared server
def test_two_instances_on_one_postgresql_fire_each_event_once(
    database_url: str, tmp_path: Path
) -> None:
    """GIVEN 15 overdue and 15 nearly due assignments on PostgreSQL WHEN two clocks (two
    engines, two instance names) run at the same moment, three rounds each THEN exactly one
    reminder per assignment and one escalation per leader/supervisor per assignment."""
    setup = make_engine(database_url)
    upgrade(setup)
    register = Register(setup)
    for _ in range(15):
        register.entry(due_at=local(8, 0))
        register.entry(due_at=local(9, 20))
    engines = [make_engine(database_url) for _ in range(2)]
    for name in "ab":
        (tmp_path / name).mkdir()
    clocks = [make_clock(e, tmp_path / name, name) for e, name in zip(engines, "ab", strict=True)]
    barrier = threading.Barrier(2, timeout=120)  # a broken claim must fail, not hang
    fired = [0, 0]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            for _ in range(3):
                barrier.wait()
                fired[index] += clocks[index].run_once(NOW)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(fired) == 30
    kinds = [row.kind for row, _ in outbox(setup)]
    assert kinds.count("reminder") == 15
    assert kinds.count("escalation") == 30  # leader and supervisor of VP
    with read_session(setup) as session:
        assert len(set(session.scalars(select(col(ClockEvent.key))))) == 30
    for e in (*engines, setup):
        e.dispose()


OVERDUE_RULES = """
units:
  - code: VP
    name: "Văn phòng"
    mailbox: "vanphong@example.gov.vn"
    leader: "chanhvanphong@example.gov.vn"
    supervisor: "phochutich@example.gov.vn"
rules:
  - name: "Mặc định: hạn đã qua (để thử đồng hồ)"
    default: true
    then: {lead: VP, deadline: "2026-01-02"}
"""


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # a shared server
def test_two_gateway_serve_processes_on_one_postgresql_escalate_once(
    database_url: str, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN two ``gateway serve`` processes sharing one PostgreSQL database, their clocks
    ticking every 0.2 s, and a rule whose deadline has long passed WHEN a document is
    registered THEN its escalation reaches VP's leader and supervisor exactly once in all
    (counted over both instances' outboxes and the outbox table), with no reminder."""
    env = {
        "GATEWAY_GATEWAY__DATABASE_URL": database_url,
        "GATEWAY_GATEWAY__CLOCK_INTERVAL_SECONDS": "0.2",
    }
    gateways = [GatewayProcess(tmp_path / name, pki.root_pem(), env) for name in ("a", "b")]
    try:
        for gateway in gateways:
            (gateway.root / "rules.yaml").write_text(OVERDUE_RULES, encoding="utf-8")
            gateway.start()
        send(gateways[0].port, signed_pdf)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(escalations(gateways)) < 2:
            time.sleep(0.1)
        time.sleep(2.0)  # ten more clock rounds in each instance: nothing more may fire
        found = escalations(gateways)
    finally:
        for gateway in gateways:
            gateway.stop()
    assert sorted(str(m["To"]) for m in found) == [
        "chanhvanphong@example.gov.vn",
        "phochutich@example.gov.vn",
    ]
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            kinds = sorted(session.scalars(select(col(OutboxMessage.kind))))
            keys = list(session.scalars(select(col(ClockEvent.key))))
    finally:
        engine.dispose()
    assert kinds.count("escalation") == 2
    assert "reminder" not in kinds
    assert len(keys) == 1 and keys[0].startswith("overdue:")


def escalations(gateways: list[GatewayProcess]) -> list[EmailMessage]:
    return [
        mail
        for gateway in gateways
        for mail in gateway.outbox()
        if str(mail["Message-ID"]).startswith("<alert.escalation.")
    ]


def send(port: int, pdf: bytes) -> None:
    raw = official_mail(
        sender="vanthu@vp.rachgia.example.gov.vn",
        attachments=[("cv.pdf", pdf, "application/pdf")],
    )
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("vanthu@vp.rachgia.example.gov.vn", [GATEWAY], raw)
