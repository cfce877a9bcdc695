"""A leader's distribution in process (R-DISTRIB, DESIGN §4.8), on SQLite and PostgreSQL:
rules propose, the document is registered and receipted and waits; a leader decides (the
shell's function, a reply mail), then routing goes on as for a rule's assignment; a
decision is made once, whoever comes second."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.distribution.decide import Desk, DistributionError, Order, apply_decision, distribute
from gateway.distribution.digest import send_digests
from gateway.distribution.late import chase_late
from gateway.pipeline.flow import Pipeline
from gateway.spool.envelope import Envelope
from registry.database import make_engine, read_session, write_session
from registry.models import AssignmentRecord, AuditEvent, InboundMessage, OutboxMessage
from registry.queries import get_entry
from registry.recorder import Recorder
from registry.tracking.distribution import Distribution, distribution_of
from tests.gateway.distribution.conftest import (
    AGENCY,
    CHAIRMAN,
    GATEWAY,
    VICE,
    WEDNESDAY_9,
    proposing_pipeline,
    signed_mail,
    text_of,
)
from tests.gateway.pipeline.test_pipeline import envelope
from tests.support.pki import TestPki

BUDGET = "dự toán ngân sách năm 2027"


def mails(engine: Engine, kind: str) -> list[tuple[OutboxMessage, EmailMessage]]:
    with read_session(engine) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.kind) == kind)
                .order_by(col(OutboxMessage.id))
            )
        )
    parsed = [BytesParser(policy=policy.default).parsebytes(r.raw) for r in rows]
    return [(r, m) for r, m in zip(rows, parsed, strict=True) if isinstance(m, EmailMessage)]


def entry_state(engine: Engine, number: int = 1) -> tuple[str, list[tuple[str, str]]]:
    with read_session(engine) as session:
        entry = get_entry(session, 2026, number)
        rows = session.scalars(
            select(AssignmentRecord)
            .where(col(AssignmentRecord.entry_id) == entry.id)
            .order_by(col(AssignmentRecord.id))
        )
        return entry.status, [(a.unit_code, a.role) for a in rows]


def register(pipeline: Pipeline, pki: TestPki, number: str, summary: str, **kw: str) -> str:
    raw = signed_mail(pki, number, summary, kw.get("urgency"))
    result = pipeline.process(f"doc-{number}", raw, envelope(at=WEDNESDAY_9))
    [incoming] = result.entries
    return incoming


def test_r_distrib_a_proposing_rule_registers_receipts_and_waits(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN rules whose budget rule proposes (leader PCT: TCKH leads, KT cooperates)
    WHEN a signed budget document arrives
    THEN it is numbered, receipted (03) and ``awaiting_distribution`` with the proposal
    and its deadlines (5 working days from receipt) stored; no assignment, no routed copy,
    and — not urgent — no mail to the leader yet."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    assert register(pipeline, pki, "70", BUDGET) == "2026/1"
    assert entry_state(engine) == ("awaiting_distribution", [])
    [(_, receipt)] = mails(engine, "receipt")
    assert receipt["X-Document-Status"] == "03"
    assert mails(engine, "routed-copy") == []
    assert mails(engine, "distribution-notice") == []
    with read_session(engine) as session:
        row = session.scalars(select(Distribution)).one()
    assert (row.leader_code, row.leader_mailbox, row.rules) == ("PCT", VICE, ["ngan-sach"])
    assert [(p["unit_code"], p["role"]) for p in row.proposal] == [
        ("TCKH", "lead"),
        ("KT", "cooperate"),
        ("VP", "inform"),
    ]
    due = datetime.fromisoformat(row.proposal[0]["due_at"])
    assert due.astimezone(UTC) == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 5 days, 09:00


def test_r_urgent_an_urgent_proposal_is_mailed_to_its_leader_at_once(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN the default rule proposes VP to the default leader (CT)
    WHEN a "KHẨN" document arrives
    THEN the chairman gets a notice at once: "[KHẨN] Trình lãnh đạo phân công …", the
    proposal and the deadline to decide in it, the signed PDF attached, Reply-To his plus
    address."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "71", "phòng chống bão số 15", urgency="KHẨN")
    [(row, notice)] = mails(engine, "distribution-notice")
    assert row.recipient == CHAIRMAN
    assert str(notice["Subject"]).startswith(
        "[KHẨN] Trình lãnh đạo phân công văn bản đến số 2026/1"
    )
    assert notice["Auto-Submitted"] == "auto-generated"
    with read_session(engine) as session:
        stored = session.scalars(select(Distribution)).one()
    assert notice["Reply-To"] == f"vanthu+{stored.token}@example.gov.vn"
    assert stored.notice_message_id == notice["Message-ID"]
    assert "Chủ trì: Văn phòng" in text_of(notice)
    assert any(p.get_filename() == "71-UBND-VP.pdf" for p in notice.walk())


def test_r_distrib_the_leader_changes_the_lead_then_routing_goes_on_as_for_a_rule(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document awaiting distribution
    WHEN the leader (as ``gateway distribute --lead TP --cooperate KT --note …``) gives the
    lead to Phòng Tư pháp with an instruction
    THEN TP (lead), KT (cooperate) are assigned with the proposal's deadlines (from
    receipt), TP's routed copy carries the instruction and the document, the sender gets
    the 04 notice, and the distribution row records who, when and what."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "72", BUDGET)
    note = "Đề nghị Phòng Tư pháp thẩm định, báo cáo trước ngày 01/12."
    decided = distribute(
        Desk.of(pipeline),
        2026,
        1,
        Order(lead="TP", cooperate=("KT",), note=note),
        by="phochutich",
        channel="cli",
    )
    assert [(a.unit_code, a.role) for a in decided.assignments] == [
        ("TP", "lead"),
        ("KT", "cooperate"),
    ]
    assert entry_state(engine) == ("assigned", [("TP", "lead"), ("KT", "cooperate")])
    with read_session(engine) as session:
        rows = list(session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id))))
        row = session.scalars(select(Distribution)).one()
    five_days = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert [a.due_at for a in rows] == [five_days, five_days]  # counted from receipt
    copies = {r.recipient: m for r, m in mails(engine, "routed-copy")}
    assert set(copies) == {"tuphap@example.gov.vn", "kinhte@example.gov.vn"}
    text = text_of(copies["tuphap@example.gov.vn"])
    assert f"Ý kiến chỉ đạo của lãnh đạo (Phó Chủ tịch UBND): {note}" in " ".join(text.split())
    assert any(p.get_filename() == "72-UBND-VP.pdf" for p in copies["tuphap@example.gov.vn"].walk())
    [(status_row, notice)] = mails(engine, "status")
    assert status_row.recipient == AGENCY
    assert notice["X-Document-Status"] == "04"
    assert (row.decided_by, row.channel, row.note) == ("phochutich", "cli", note)
    assert row.decided_at is not None


def test_r_distrib_accepting_as_proposed_routes_the_proposal(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document awaiting distribution WHEN accepted as proposed (no order)
    THEN TCKH leads, KT cooperates, VP is informed, and three routed copies go out."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "73", BUDGET)
    distribute(Desk.of(pipeline), 2026, 1, None, by="phochutich", channel="console")
    assert entry_state(engine) == (
        "assigned",
        [("TCKH", "lead"), ("KT", "cooperate"), ("VP", "inform")],
    )
    assert len(mails(engine, "routed-copy")) == 3


def test_a_second_decision_routes_nothing(engine: Engine, tmp_path: Path, pki: TestPki) -> None:
    """GIVEN a document decided once WHEN a second decision comes (another leader, the
    shell) THEN it is refused in Vietnamese and nothing more is routed or noticed."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "74", BUDGET)
    desk = Desk.of(pipeline)
    distribute(desk, 2026, 1, None, by="phochutich", channel="console")
    with pytest.raises(DistributionError, match="đã được phân công"):
        distribute(desk, 2026, 1, Order(lead="NV"), by="lanhdao", channel="cli")
    assert len(mails(engine, "routed-copy")) == 3
    assert len(mails(engine, "status")) == 1


def test_concurrent_decisions_route_once(
    engine: Engine, database_url: str, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN one document awaiting distribution and two deciders at the same moment, each
    with its own Desk and its own engine (connection pool) on the same database — as two
    gateway instances on one PostgreSQL
    WHEN the first has claimed the entry but not yet committed and the second decides
    THEN the second waits for the first, then finds the entry decided (the conditional
    ``UPDATE … WHERE status = 'awaiting_distribution'`` updates nothing), routes nothing
    and is told "Văn bản đã được phân công (người cho ý kiến: phochutich)": one set of
    routed copies, one 04 notice, the first decision stands."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "75", BUDGET)
    desk = Desk.of(pipeline)
    other_engine = make_engine(database_url)
    other_desk = replace(desk, engine=other_engine)  # the second instance
    outcome: list[str] = []

    def second() -> None:
        try:
            distribute(other_desk, 2026, 1, Order(lead="NV"), by="lanhdao", channel="console")
            outcome.append("routed")
        except DistributionError as exc:
            outcome.append(str(exc))

    with write_session(engine) as session:
        recorder = Recorder(session)
        entry = get_entry(session, 2026, 1)
        row = distribution_of(session, entry.id or 0)
        assert row is not None
        apply_decision(
            desk, recorder, entry, row, Order(lead="TP"), by="phochutich", channel="mail"
        )
        other = threading.Thread(target=second)
        other.start()
        time.sleep(1.0)  # the second decider is now blocked on the first one's claim
        assert outcome == []
    other.join(timeout=60)
    other_engine.dispose()
    assert outcome == ["Văn bản đã được phân công (người cho ý kiến: phochutich)."]
    assert entry_state(engine) == ("assigned", [("TP", "lead")])
    assert [r.recipient for r, _ in mails(engine, "routed-copy")] == ["tuphap@example.gov.vn"]
    assert len(mails(engine, "status")) == 1


# --- by mail ------------------------------------------------------------------------------


def leader_reply(
    pipeline: Pipeline,
    body: str,
    *,
    sender: str,
    to: str,
    in_reply_to: str | None = None,
    n: int = 1,
) -> str:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = "Re: Văn bản chờ đồng chí phân công"
    msg["Message-ID"] = f"<leader-reply-{n}@example.gov.vn>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body)
    result = pipeline.process(
        f"leader-reply-{n}",
        msg.as_bytes(policy=policy.SMTP),
        Envelope(
            received_at=WEDNESDAY_9 + timedelta(hours=2, minutes=n),
            protocol="smtp",
            mail_from=sender,
            rcpt_tos=(to,),
        ),
    )
    assert result.entries == ()  # a reply is never registered
    with read_session(pipeline.engine) as session:
        inbound = session.scalars(
            select(InboundMessage).where(col(InboundMessage.spool_id) == f"leader-reply-{n}")
        ).one()
        return inbound.note


def digest_of(engine: Engine) -> tuple[OutboxMessage, EmailMessage]:
    [found] = mails(engine, "distribution-digest")
    return found


def test_r_distrib_digest_then_dong_y_from_the_leader_accepts_from_a_stranger_nothing(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN two documents awaiting the default leader (CT) and the morning digest
    WHEN a stranger replies "Đồng ý" to the digest, then the chairman replies
    "2026/1 đồng ý" and "2026/2 giao TCKH: Khẩn trương tham mưu" from his own mailbox
    THEN the stranger's reply changes nothing (both still await); the chairman's accepts
    document 1 as proposed (VP) and gives document 2 to TCKH with the instruction in its
    routed copy; each sender gets 04."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "76", "tổ chức hội nghị tổng kết")
    register(pipeline, pki, "77", "kiểm tra công tác văn thư")
    desk = Desk.of(pipeline)
    assert send_digests(desk, WEDNESDAY_9 + timedelta(minutes=30)) == 1
    assert send_digests(desk, WEDNESDAY_9 + timedelta(minutes=45)) == 0  # once a session
    row, digest = digest_of(engine)
    assert row.recipient == CHAIRMAN
    text = text_of(digest)
    assert "Số đến 2026/1" in text and "Số đến 2026/2" in text
    reply_to = str(digest["Reply-To"])

    leader_reply(pipeline, "Đồng ý", sender="ke.gia.mao@example.gov.vn", to=reply_to, n=1)
    assert entry_state(engine, 1) == ("awaiting_distribution", [])
    assert entry_state(engine, 2) == ("awaiting_distribution", [])

    leader_reply(
        pipeline,
        "2026/1 đồng ý\n2026/2 giao TCKH: Khẩn trương tham mưu\n\n-- \nChủ tịch",
        sender="ChuTich@example.gov.vn",
        to=GATEWAY,
        in_reply_to=str(digest["Message-ID"]),
        n=2,
    )
    assert entry_state(engine, 1) == ("assigned", [("VP", "lead")])
    assert entry_state(engine, 2) == ("assigned", [("TCKH", "lead")])
    copies = {r.recipient: m for r, m in mails(engine, "routed-copy")}
    assert "Khẩn trương tham mưu" in text_of(copies["tckh@example.gov.vn"])
    assert "Ý kiến chỉ đạo" not in text_of(copies["vanphong@example.gov.vn"])
    assert len(mails(engine, "status")) == 2
    with read_session(engine) as session:
        refused = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "distribution.reply_refused")
        ).one()
        decided = list(session.scalars(select(Distribution).order_by(col(Distribution.id))))
    assert refused.actor == "ke.gia.mao@example.gov.vn"
    assert [(d.decided_by, d.channel) for d in decided] == [
        ("chutich@example.gov.vn", "mail"),
        ("chutich@example.gov.vn", "mail"),
    ]


def test_r_distrib_giao_in_reply_to_the_urgent_notice(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN an urgent document and its notice to the chairman
    WHEN he replies "Giao Phòng Nội vụ" with an instruction on the next line
    THEN Nội vụ leads, and its routed copy carries the instruction."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "78", "tuyển dụng viên chức", urgency="KHẨN")
    [(_, notice)] = mails(engine, "distribution-notice")
    leader_reply(
        pipeline,
        "Giao Phòng Nội vụ\nGiao phòng Nội vụ chủ trì, báo cáo kết quả.\n\n> trích thư cũ",
        sender=CHAIRMAN,
        to=str(notice["Reply-To"]),
        n=3,
    )
    assert entry_state(engine) == ("assigned", [("NV", "lead")])
    [(row, copy)] = mails(engine, "routed-copy")
    assert row.recipient == "noivu@example.gov.vn"
    assert "báo cáo kết quả" in text_of(copy)


def test_register_show_json_gains_distribution(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a decided proposal WHEN the entry is shown as contract JSON
    THEN ``distribution`` has the rules' proposal, who decided, when and the note; a
    document routed at once would show null."""
    from gateway.cli.output.views import register_entry
    from tests.gateway.distribution.conftest import ZONE

    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "79", BUDGET)
    before = register_entry(engine, ZONE, 2026, 1)["distribution"]
    assert before["by"] is None and before["at"] is None
    assert before["proposed"]["leader"] == {"code": "PCT", "name": "Phó Chủ tịch UBND"}
    distribute(
        Desk.of(pipeline), 2026, 1, Order(lead="TCKH", note="Làm ngay"), by="pct", channel="cli"
    )
    shown = register_entry(engine, ZONE, 2026, 1)
    assert shown["status"] == "assigned"
    distribution = shown["distribution"]
    assert distribution["by"] == "pct" and distribution["note"] == "Làm ngay"
    assert distribution["at"].endswith("+07:00")
    assert [a["unit"] for a in distribution["proposed"]["assignments"]] == ["TCKH", "KT", "VP"]
    assert date.fromisoformat(distribution["proposed"]["assignments"][0]["due_at"][:10]) == date(
        2026, 12, 2
    )


def test_r_follow_a_late_decision_reminds_the_leader_once_then_tells_the_clerk(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document received Wednesday 09:00, to be decided by 17:00 (R-ASSIGN)
    WHEN the clock runs before, after the limit (twice), and two working hours later
    THEN nothing before; one reminder to the vice-chairman after; then one notice to the
    clerk; nothing more, and nothing once decided."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "83", BUDGET)
    desk = Desk.of(pipeline)
    assert chase_late(desk, WEDNESDAY_9 + timedelta(hours=7)) == 0  # 16:00
    assert chase_late(desk, WEDNESDAY_9 + timedelta(hours=8, minutes=30)) == 1  # 17:30
    assert chase_late(desk, WEDNESDAY_9 + timedelta(hours=9)) == 0
    [(reminder_row, reminder)] = mails(engine, "reminder")
    assert reminder_row.recipient == VICE
    assert str(reminder["Subject"]).startswith("Nhắc cho ý kiến phân công văn bản đến số 2026/1")
    assert chase_late(desk, WEDNESDAY_9 + timedelta(days=1, hours=1)) == 1  # Thursday 10:00
    [(clerk_row, clerk)] = mails(engine, "unassigned")
    assert clerk_row.recipient == GATEWAY  # no [alerts] administrator: the clerk's mailbox
    assert "chưa được lãnh đạo phân công" in str(clerk["Subject"])
    distribute(desk, 2026, 1, None, by="phochutich", channel="console")
    assert chase_late(desk, WEDNESDAY_9 + timedelta(days=2)) == 0
