"""The monthly report (R-MONTHLY) reconciles with the register, on SQLite and PostgreSQL.

A register of two months (October and November 2026, Asia/Ho_Chi_Minh) is written through
the Recorder and assignment rows as the pipeline writes them: several agencies and units,
leads done early, late or never, reassigned leads, answers on the day or the day after,
valid and invalid signatures, rejected messages; urgent documents with the "at once"
deadlines the routing stores, paper documents registered by hand (no stored deadlines),
documents not yet due at the moment a month in course is reported. Every figure is then
recomputed here, from the ORM rows and the written definitions, and compared with the report.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.database import read_session, write_session
from registry.drafts import OutboxDraft, SignatureDraft
from registry.models import (
    AssignmentRecord,
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.recorder import Recorder
from registry.reports.limits import ElapsedLimits, Limits
from registry.reports.reporting import FIGURE_NAMES, Figures, month_bounds, monthly_report
from tests.registry.test_register import entry_draft, inbound_draft

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = (("VP", "Văn phòng HĐND và UBND"), ("STC", "Sở Tài chính"), (None, None))
UNITS = (("TCKH", "Phòng Tài chính - Kế hoạch"), ("VHTT", "Phòng Văn hóa và Thông tin"))
REASONS = ("unsigned", "signature-invalid", "unknown-sender")
URGENT = ("khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio")
DIRECTORY = (("VP", "Văn phòng HĐND và UBND thành phố"), ("NV", "Phòng Nội vụ thành phố"))


def _signature(verdict: str) -> SignatureDraft:
    return SignatureDraft("Signature1", "Bùi Trung Thực", "UBND", None, verdict)


def assign(
    session: Session,
    entry: RegisterEntry,
    unit: tuple[str, str],
    role: str,
    *,
    created_at: datetime,
    status: str = "assigned",
    due_at: datetime | None = None,
    done_at: datetime | None = None,
) -> None:
    assert entry.id is not None
    session.add(
        AssignmentRecord(
            entry_id=entry.id,
            unit_code=unit[0],
            unit_name=unit[1],
            role=role,
            mailbox=f"{unit[0].lower()}@example.gov.vn",
            token=secrets.token_hex(16),
            created_at=created_at,
            updated_at=created_at,
            status=status,
            due_at=due_at,
            done_at=done_at,
        )
    )


def build_register(engine: Engine, seed: int = 8, count: int = 70) -> None:
    """``count`` entries and a few rejections received from 20 Sep to 30 Nov 2026: about
    about one in three urgent (stored deadlines "at once", as the routing writes them), one in six
    on paper (no stored deadline, no answer), registered 200 ms to 200 min after receipt."""
    rng = random.Random(seed)
    origin = datetime(2026, 9, 20, 1, 0, tzinfo=UTC)
    for index in range(count):
        received = origin + timedelta(hours=rng.randrange(0, 71 * 24))
        if index == 0:  # 23:30 local on 31 October: October, not November
            received = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
        if index == 1:  # 00:30 local on 1 November
            received = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)
        paper = index > 1 and rng.random() < 0.17
        urgency = rng.choice(URGENT) if rng.random() < 0.3 else "thuong"
        delay = rng.choice((timedelta(milliseconds=200), timedelta(minutes=1)))
        if not paper and rng.random() < 0.5:
            delay = timedelta(minutes=rng.choice((50, 90, 200)))
        registered = received + delay
        agency = (None, None) if paper else rng.choice(AGENCIES)
        verdicts = () if paper else rng.choice(((), ("valid",), ("valid",), ("valid", "invalid")))
        with write_session(engine) as session:
            recorder = Recorder(session, now=registered)
            spool = f"s{seed}-{index}"
            inbound = recorder.add_inbound(
                inbound_draft(
                    spool,
                    received_at=received,
                    sender_agency_code=agency[0],
                    protocol="paper" if paper else "smtp",
                    answered=not paper,
                )
            )
            number = recorder.add_entry(
                inbound,
                entry_draft(
                    year=received.astimezone(ZONE).year,
                    received_at=received,
                    sender_agency_code=agency[0],
                    sender_agency_name=agency[1],
                    urgency=urgency,
                    signatures=tuple(_signature(v) for v in verdicts),
                ),
            )
            entry = session.scalars(
                select(RegisterEntry).where(
                    RegisterEntry.year == number.year,  # type: ignore[arg-type]
                    RegisterEntry.incoming_number == number.number,  # type: ignore[arg-type]
                )
            ).one()
            if urgency != "thuong" and not paper:  # R-URGENT: the routing's "at once"
                entry.process_by = entry.assign_by = received
            elif not paper:
                entry.process_by = received + timedelta(hours=2)
                entry.assign_by = received + timedelta(hours=rng.choice((3, 20)))
            if not paper:
                answered_after = timedelta(hours=rng.choice((0, 0, 30)))
                answering = Recorder(session, now=received + answered_after)  # its own moment
                answering.add_outbox(
                    inbound, OutboxDraft("receipt", f"<r-{spool}@gw>", "gw@x", "a@x", b"x")
                )
            if rng.random() < 0.15:
                continue  # never assigned
            first = registered + rng.choice(
                (timedelta(seconds=1), timedelta(minutes=30), timedelta(hours=1, minutes=30))
                if urgency != "thuong"
                else (timedelta(hours=1), timedelta(hours=30))
            )
            due = first + timedelta(days=rng.choice((3, 10, 20)))
            done_at = first + timedelta(days=rng.choice((1, 5, 15, 40)))
            done = rng.random() < 0.7
            unit = rng.choice(UNITS)
            if rng.random() < 0.2:  # first lead reassigned to the other unit
                assign(session, entry, unit, "lead", created_at=first, status="reassigned")
                unit = UNITS[1 - UNITS.index(unit)]
            assign(
                session,
                entry,
                unit,
                "lead",
                created_at=first,
                due_at=due if rng.random() < 0.9 else None,
                status="done" if done else rng.choice(("assigned", "in_progress")),
                done_at=done_at if done else None,
            )
            if rng.random() < 0.4:
                other = UNITS[1 - UNITS.index(unit)]
                assign(session, entry, other, "cooperate", created_at=first, due_at=due)
            entry.status = "done" if done else "assigned"
    with write_session(engine) as session:
        recorder = Recorder(session)
        for index in range(8):
            received = origin + timedelta(days=8 * index + 1)
            reasons = tuple(rng.sample(REASONS, rng.choice((1, 2))))
            recorder.add_inbound(
                inbound_draft(
                    f"rej{seed}-{index}",
                    received_at=received,
                    sender_agency_code=rng.choice(AGENCIES)[0],
                    outcome="rejected",
                    reasons=reasons,
                )
            )


@dataclass
class _Expected:
    by_unit: dict[str, Counter[str]]
    by_agency: dict[str, Counter[str]]
    reasons: Counter[str]


def recompute(
    session: Session,
    year: int,
    month: int,
    *,
    unit: str | None = None,
    as_of: datetime | None = None,
    limits: Limits | None = None,
) -> _Expected:
    """The figures straight from the ORM rows, following the module docstring's table;
    ``unit``: only entries with an assignment to it, no rejections; ``as_of``: done and in
    progress judged at that moment; ``limits``: the in-time limits given to the report
    (urgent entries and entries without stored deadlines take theirs from it)."""
    limits = limits or ElapsedLimits()
    start, end = month_bounds(year, month, ZONE)
    cutoff = min(end, as_of) if as_of is not None else end
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    by_agency: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in session.scalars(select(RegisterEntry)):
        rows = [a for a in session.scalars(select(AssignmentRecord)) if a.entry_id == entry.id]
        if unit is not None and unit not in {a.unit_code for a in rows}:
            continue
        leads = sorted(
            (a for a in rows if a.role == "lead" and a.status != "reassigned"),
            key=lambda a: a.id or 0,
        )
        lead = leads[0] if leads else None
        done_at = lead.done_at if lead and lead.status == "done" else None
        carried = entry.received_at < start and not (done_at and done_at < start)
        new = start <= entry.received_at < end
        counted: list[str] = []
        if carried:
            counted.append("carried_over")
        if new:
            counted.append("received")
            answers = [
                o.created_at
                for o in session.scalars(select(OutboxMessage))
                if o.inbound_id == entry.inbound_id and o.kind in ("receipt", "rejection")
            ]
            day = entry.received_at.astimezone(ZONE).date()
            if answers and min(answers).astimezone(ZONE).date() == day:
                counted.append("answered_same_day")
            registered = [
                e.at
                for e in session.scalars(select(AuditEvent))
                if e.entry_id == entry.id and e.action == "entry.registered"
            ]
            urgent = entry.urgency != "thuong"
            register_by = entry.process_by
            assign_by = entry.assign_by
            if urgent or register_by is None:
                register_by = limits.register_by(entry.received_at, urgent)
            if urgent or assign_by is None:
                assign_by = limits.assign_by(entry.received_at, urgent)
            if registered and min(registered) <= register_by:
                counted.append("registered_in_time")
            if rows and min(a.created_at for a in rows) <= assign_by:
                counted.append("assigned_in_time")
            verdicts = [
                s.verdict
                for s in session.scalars(select(SignatureResult))
                if s.entry_id == entry.id
            ]
            if verdicts and set(verdicts) == {"valid"}:
                counted.append("signed_valid")
        if carried or new:
            due = lead.due_at if lead else None
            if done_at and start <= done_at < cutoff:
                counted.append("done_late" if due and done_at > due else "done_on_time")
            elif done_at is None or done_at >= cutoff:
                overdue = due is not None and due < cutoff
                counted.append("in_progress_overdue" if overdue else "in_progress_within")
        by_unit[lead.unit_code if lead else ""].update(counted)
        by_agency[entry.sender_agency_code or ""].update(counted)
    reasons: Counter[str] = Counter()
    for inbound in session.scalars(select(InboundMessage)):
        if unit is None and inbound.outcome == "rejected" and start <= inbound.received_at < end:
            by_agency[inbound.sender_agency_code or ""]["rejected"] += 1
            reasons.update(set(inbound.reasons))
    return _Expected(by_unit, by_agency, reasons)


def _as_counter(figures: Figures) -> Counter[str]:
    return Counter(
        {name: getattr(figures, name) for name in FIGURE_NAMES if getattr(figures, name)}
    )


def _mix(session: Session, year: int, month: int, as_of: datetime) -> Counter[str]:
    """How many of the month's entries are urgent, on paper, open and not yet due at
    ``as_of``: the cases the report used to get wrong must be in the register."""
    start, end = month_bounds(year, month, ZONE)
    leads = {
        a.entry_id: a
        for a in session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id).desc()))
        if a.role == "lead" and a.status != "reassigned"
    }
    paper = {i.id for i in session.scalars(select(InboundMessage)) if i.protocol == "paper"}
    mix: Counter[str] = Counter()
    for entry in session.scalars(select(RegisterEntry)):
        if not start <= entry.received_at < end:
            continue
        lead = leads.get(entry.id or 0)  # the first by id: later ones were overwritten
        mix["urgent"] += entry.urgency != "thuong"
        mix["paper"] += entry.inbound_id in paper
        mix["not_yet_due"] += bool(
            lead and lead.status != "done" and lead.due_at and as_of < lead.due_at < end
        )
    return mix


def test_r_monthly_figures_reconcile_with_the_register(engine: Engine) -> None:
    """GIVEN a register across two months, two units, three agencies (one unknown), with
    reassigned leads, late and missing answers, invalid signatures and rejections
    WHEN the October and November reports are computed
    THEN every figure of every unit row, agency row, the total and the rejection reasons
    equals the count recomputed entry by entry from the register — urgent and paper entries
    among them — and every unit of the directory has its row, zeros included."""
    build_register(engine)
    for month in (10, 11):
        with read_session(engine) as session:
            report = monthly_report(session, 2026, month, ZONE, directory=DIRECTORY)
            expected = recompute(session, 2026, month)
            mix = _mix(session, 2026, month, month_bounds(2026, month, ZONE)[0])
        assert mix["urgent"] >= 2 and mix["paper"] >= 2, mix
        assert report.total.received > 5 and report.total.carried_over > 0, report.total
        listed = {code: Counter[str]() for code, _ in DIRECTORY}
        assert {r.code: _as_counter(r.figures) for r in report.by_unit} == listed | {
            code: counts for code, counts in expected.by_unit.items() if counts
        }
        assert {r.code: _as_counter(r.figures) for r in report.by_agency} == listed | {
            code: counts for code, counts in expected.by_agency.items() if counts
        }
        total: Counter[str] = Counter()
        for counts in expected.by_agency.values():
            total.update(counts)
        assert _as_counter(report.total) == total
        assert {r.reason: r.count for r in report.rejections} == dict(expected.reasons)
        with read_session(engine) as session:
            scoped = monthly_report(session, 2026, month, ZONE, unit="VHTT")
            start, end = month_bounds(2026, month, ZONE)
            vhtt = {
                a.entry_id
                for a in session.scalars(select(AssignmentRecord))
                if a.unit_code == "VHTT"
            }
            received = [
                e
                for e in session.scalars(select(RegisterEntry))
                if e.id in vhtt and start <= e.received_at < end
            ]
        assert scoped.total.received == len(received) and scoped.total.rejected == 0


def test_r_monthly_an_officers_dashboard_reconciles_with_their_units_entries(
    engine: Engine,
) -> None:
    """GIVEN the two-month register, one unit's entries among the others'
    WHEN November is reported as the dashboard does, for that unit and at a moment within
    the month (15 November, 10:00 local)
    THEN every figure of every row equals the count recomputed from the entries with an
    assignment to the unit, done and in progress judged at that moment, without rejections;
    and the whole register's report at the same moment reconciles too."""
    build_register(engine)
    moment = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    with read_session(engine) as session:
        mix = _mix(session, 2026, 11, moment)
    assert mix["urgent"] >= 2 and mix["paper"] >= 2 and mix["not_yet_due"] >= 2, mix
    for unit in ("VHTT", None):
        with read_session(engine) as session:
            report = monthly_report(session, 2026, 11, ZONE, as_of=moment, unit=unit)
            expected = recompute(session, 2026, 11, unit=unit, as_of=moment)
        assert report.total.received > 3 and report.total.in_progress > 0, report.total
        assert {r.code: _as_counter(r.figures) for r in report.by_unit} == {
            code: counts for code, counts in expected.by_unit.items() if counts
        }
        assert {r.code: _as_counter(r.figures) for r in report.by_agency} == {
            code: counts for code, counts in expected.by_agency.items() if counts
        }
        assert (report.total.rejected == 0) == (unit is not None), report.total


def test_r_monthly_every_open_or_new_document_ends_done_or_in_progress(engine: Engine) -> None:
    """GIVEN the two-month register WHEN November is reported
    THEN carried over + received = done (on time + late) + in progress (within + past),
    per unit and in total, and the month boundary follows local time (23:30 on 31 October
    is October's, 00:30 on 1 November is November's)."""
    build_register(engine, seed=3, count=4)
    with read_session(engine) as session:
        october = monthly_report(session, 2026, 10, ZONE)
        november = monthly_report(session, 2026, 11, ZONE)
    for row in (*november.by_unit, *november.by_agency):
        assert row.figures.total == row.figures.done + row.figures.in_progress, row
    assert november.total.total == november.total.done + november.total.in_progress
    with read_session(engine) as session:
        local_days = sorted(
            e.received_at.astimezone(ZONE).strftime("%m-%d %H:%M")
            for e in session.scalars(select(RegisterEntry))
        )
    assert "10-31 23:30" in local_days and "11-01 00:30" in local_days
    assert october.total.received + november.total.received == sum(
        1 for day in local_days if day[:2] in ("10", "11")
    )


def _document(
    engine: Engine,
    spool: str,
    received: datetime,
    *,
    urgency: str = "thuong",
    paper: bool = False,
    registered_after: timedelta = timedelta(milliseconds=200),
    assigned_after: timedelta | None = timedelta(seconds=1),
    due_at: datetime | None = None,
) -> None:
    """One entry written as the pipeline (or the paper form) writes it: an electronic one
    with the routing's stored deadlines ("at once" when urgent), a paper one without."""
    registered = received + registered_after
    with write_session(engine) as session:
        recorder = Recorder(session, now=registered)
        inbound = recorder.add_inbound(
            inbound_draft(spool, received_at=received, protocol="paper" if paper else "smtp")
        )
        number = recorder.add_entry(
            inbound,
            entry_draft(
                received_at=received,
                urgency=urgency,
                document_number=f"{spool}/UBND-VP",
                sender_agency_code=None if paper else "VP",
            ),
        )
        entry = session.scalars(
            select(RegisterEntry).where(
                RegisterEntry.incoming_number == number.number  # type: ignore[arg-type]
            )
        ).one()
        if not paper:
            ordinary = urgency == "thuong"
            entry.process_by = received + timedelta(hours=2) if ordinary else received
            entry.assign_by = received + timedelta(hours=8) if ordinary else received
        if assigned_after is not None:
            assign(
                session,
                entry,
                UNITS[0],
                "lead",
                created_at=received + assigned_after,
                due_at=due_at,
            )


def test_r_monthly_urgent_and_paper_documents_handled_promptly_count_in_time(
    engine: Engine,
) -> None:
    """R-MONTHLY, R-URGENT, R-2H, R-ASSIGN: GIVEN an urgent (Hỏa tốc) document whose stored
    deadlines are "at once", registered 200 ms and assigned 1 s after receipt; an urgent one
    assigned 3 hours after receipt; and a paper document registered by hand (no stored
    deadline) and assigned an hour later
    WHEN November is reported
    THEN the prompt urgent one and the paper one count as registered and assigned in time
    (they used to count as late); the urgent one left 3 hours does not count as assigned
    in time (its limit is 1 hour)."""
    monday = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 local
    _document(engine, "u1", monday, urgency="hoa_toc")
    _document(engine, "u2", monday, urgency="khan", assigned_after=timedelta(hours=3))
    _document(
        engine,
        "p1",
        monday,
        paper=True,
        registered_after=timedelta(0),
        assigned_after=timedelta(hours=1),
    )
    with read_session(engine) as session:
        report = monthly_report(session, 2026, 11, ZONE)
        expected = recompute(session, 2026, 11)
    assert report.total.received == 3
    assert report.total.registered_in_time == 3
    assert report.total.assigned_in_time == 2
    total: Counter[str] = Counter()
    for counts in expected.by_agency.values():
        total.update(counts)
    assert _as_counter(report.total) == total


def test_r_monthly_the_month_in_course_is_judged_now_not_at_its_end(engine: Engine) -> None:
    """R-MONTHLY: GIVEN a document received on 3 November, due on the 10th, not done
    WHEN November is reported on the 7th (as_of) THEN it is in progress within its deadline
    (it used to be "overdue" already, judged at the month's end); reported after the month
    it is overdue."""
    received = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    _document(engine, "d1", received, due_at=datetime(2026, 11, 10, 10, 0, tzinfo=UTC))
    seventh = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)
    with read_session(engine) as session:
        now = monthly_report(session, 2026, 11, ZONE, as_of=seventh)
        later = monthly_report(session, 2026, 11, ZONE, as_of=datetime(2026, 12, 5, tzinfo=UTC))
        expected = recompute(session, 2026, 11, as_of=seventh)
    assert (now.total.in_progress_within, now.total.in_progress_overdue) == (1, 0)
    assert (later.total.in_progress_within, later.total.in_progress_overdue) == (0, 1)
    assert _as_counter(now.total) == sum(expected.by_agency.values(), Counter())


def test_r_monthly_every_unit_of_the_directory_has_its_row(engine: Engine) -> None:
    """R-MONTHLY, CV54 §3: GIVEN a directory of two units (VP, NV) and a register where only
    VP sent a document and only TCKH was assigned one
    WHEN November is reported with the directory
    THEN both tables list VP then NV first, in the directory's order and with its names, NV
    with all its figures zero; the other codes follow; nothing is counted twice."""
    _document(engine, "x1", datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    with read_session(engine) as session:
        report = monthly_report(session, 2026, 11, ZONE, directory=DIRECTORY)
    for rows in (report.by_unit, report.by_agency):
        assert [(r.code, r.name) for r in rows[:2]] == list(DIRECTORY)
        assert rows[1].figures == Figures()
    assert [r.code for r in report.by_unit] == ["VP", "NV", "TCKH"]
    assert [r.code for r in report.by_agency] == ["VP", "NV"]
    assert report.by_agency[0].figures.received == 1 == report.total.received


def test_r_monthly_answered_the_same_local_day_across_a_clock_change(engine: Engine) -> None:
    """GIVEN, in Europe/Paris, where 25 October 2026 lasts 25 hours, three documents
    answered 23 h 50 min after their receipt: at 00:15 on the 25th (the answer at 23:05 the
    same day), at 00:15 on the 24th (the answer at 00:05 the next day), and one received at
    23:00 on the 20th and answered at 00:10 on the 21st
    WHEN the October report is computed in that zone
    THEN only the first was answered the same day (a day is a local day, whatever its
    length, not 24 hours from an offset taken once)."""
    paris = ZoneInfo("Europe/Paris")
    receipts = tuple(  # in UTC: Python adds to an aware local time on the wall clock
        moment.astimezone(UTC)
        for moment in (
            datetime(2026, 10, 25, 0, 15, tzinfo=paris),
            datetime(2026, 10, 24, 0, 15, tzinfo=paris),
            datetime(2026, 10, 20, 23, 0, tzinfo=paris),
        )
    )
    later = (timedelta(hours=23, minutes=50),) * 2 + (timedelta(minutes=70),)
    for index, (received, after) in enumerate(zip(receipts, later, strict=True)):
        with write_session(engine) as session:
            recorder = Recorder(session, now=received)
            inbound = recorder.add_inbound(inbound_draft(f"paris-{index}", received_at=received))
            recorder.add_entry(
                inbound, entry_draft(received_at=received, document_number=f"{index}/UBND")
            )
            Recorder(session, now=received + after).add_outbox(
                inbound, OutboxDraft("receipt", f"<p{index}@gw>", "gw@x", "a@x", b"x")
            )
    with read_session(engine) as session:
        report = monthly_report(session, 2026, 10, paris)
    assert (report.total.received, report.total.answered_same_day) == (3, 1)


def test_r_monthly_an_agency_renamed_in_the_month_shows_its_new_name(engine: Engine) -> None:
    """GIVEN two documents of October from the agency STC, the first under the name of the
    department it absorbed (a name that sorts first) and the second, registered after it,
    under its own
    WHEN the October report is computed
    THEN the agency's row counts both, under the name on its newest entry."""
    names = ("Sở Kế hoạch và Đầu tư tỉnh An Giang", "Sở Tài chính tỉnh An Giang")
    for index, name in enumerate(names):
        received = datetime(2026, 10, 5 + index, 2, 0, tzinfo=UTC)
        with write_session(engine) as session:
            recorder = Recorder(session, now=received)
            inbound = recorder.add_inbound(inbound_draft(f"stc-{index}", received_at=received))
            recorder.add_entry(
                inbound,
                entry_draft(
                    received_at=received,
                    document_number=f"{index}/STC",
                    sender_agency_code="STC",
                    sender_agency_name=name,
                ),
            )
    with read_session(engine) as session:
        report = monthly_report(session, 2026, 10, ZONE)
    [row] = [row for row in report.by_agency if row.code == "STC"]
    assert (row.name, row.figures.received) == ("Sở Tài chính tỉnh An Giang", 2)
