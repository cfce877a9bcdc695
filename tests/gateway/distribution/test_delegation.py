"""Delegation for a period of absence (R-DISTRIB "or the person the head names", DESIGN
§4.8), in process on SQLite and PostgreSQL: while a delegation is in force the delegate's
decisions — the console's and the shell's function, a reply mail from their own mailbox —
are accepted and recorded "on behalf of" the leader, the digests and reminders reach the
delegate too; outside the period nothing changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.distribution import delegation, slip
from gateway.distribution.decide import Desk, DistributionError, Order, distribute
from gateway.distribution.digest import send_digests
from gateway.distribution.late import chase_late
from registry.database import read_session
from registry.models import AuditEvent
from registry.tracking.distribution import Distribution
from tests.gateway.distribution.conftest import (
    CHAIRMAN,
    VICE,
    WEDNESDAY_9,
    ZONE,
    proposing_pipeline,
    text_of,
)
from tests.gateway.distribution.test_distribution import (
    BUDGET,
    entry_state,
    leader_reply,
    mails,
    register,
)
from tests.support.pki import TestPki

VICE_NAME = "Phó Chủ tịch UBND"
NOTE = "Phòng Tài chính – Kế hoạch tham mưu ngay."


def _today() -> date:
    return datetime.now(UTC).astimezone(ZONE).date()


def _covering() -> tuple[date, date]:
    """A period covering both the tests' fixed Wednesday and the real today (a reply's
    decision is dated by the clock, the digest by the test's ``now``)."""
    return min(WEDNESDAY_9.astimezone(ZONE).date(), _today()) - timedelta(days=1), _today() + (
        timedelta(days=2)
    )


def _rows(engine: Engine) -> list[Distribution]:
    with read_session(engine) as session:
        return list(session.scalars(select(Distribution).order_by(col(Distribution.id))))


def test_r_distrib_a_delegate_decides_on_behalf_of_the_leader_within_the_period_only(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN two budget documents awaiting the vice-chairman (PCT), who delegates to the
    chairman's account (``lanhdao``) for a period covering today
    WHEN the chairman decides the first (as the console and ``gateway distribute`` do),
    then the delegation is cancelled and he decides the second
    (with an instruction)
    THEN the first is recorded "by lanhdao on behalf of Phó Chủ tịch UBND" (the row, the
    audit event, the routed copy's instruction line and the slip say so); the second,
    outside any delegation, carries no "on behalf"."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "90", BUDGET)
    register(pipeline, pki, "91", BUDGET)
    desk = Desk.of(pipeline)
    starts, ends = _covering()
    made = delegation.set_delegation(desk, "PCT", "CT", starts, ends, by="phochutich")
    assert (made.leader, made.delegate, made.in_force) == (VICE_NAME, "Chủ tịch UBND", True)
    assert made.starts == starts.strftime("%d/%m/%Y")

    distribute(desk, 2026, 1, Order(lead="TCKH", note=NOTE), by="lanhdao", channel="console")
    delegation.cancel(desk, made.id, by="phochutich")
    distribute(desk, 2026, 2, None, by="lanhdao", channel="cli")

    first, second = _rows(engine)
    assert (first.decided_by, first.on_behalf_of) == ("lanhdao", VICE_NAME)
    assert (second.decided_by, second.on_behalf_of) == ("lanhdao", None)
    with read_session(engine) as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(col(AuditEvent.action) == "entry.distributed")
                .order_by(col(AuditEvent.id))
            )
        )
        printed = slip.collect(session, 2026, 1, ZONE)
        other = slip.collect(session, 2026, 2, ZONE)
    assert [e.details["on_behalf_of"] for e in events] == [VICE_NAME, None]
    assert f"thay {VICE_NAME} theo ủy quyền" in printed.decided
    assert "thay" not in other.decided
    assert any("thay Phó Chủ tịch UBND" in what for _, _, what in printed.record)
    copies = [m for r, m in mails(engine, "routed-copy") if r.recipient == "tckh@example.gov.vn"]
    assert (
        f"Ý kiến chỉ đạo của lãnh đạo (Chủ tịch UBND, thay {VICE_NAME} theo ủy quyền): {NOTE}"
        in " ".join(text_of(copies[0]).split())
    )
    assert delegation.listing(desk) == []  # cancelled: no longer listed


def test_r_distrib_a_delegation_refuses_nonsense_in_vietnamese(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN the rules' two leaders WHEN a delegation is set to oneself, backwards in time,
    already over, or for a leader the rules do not name THEN each is refused with a
    Vietnamese reason and nothing is stored."""
    desk = Desk.of(proposing_pipeline(engine, tmp_path, pki))
    today = _today()
    cases = [
        (("PCT", "phochutich", today, today), "chính mình"),
        (("PCT", "CT", today, today - timedelta(days=1)), "sau hoặc cùng ngày bắt đầu"),
        (("PCT", "CT", today - timedelta(days=9), today - timedelta(days=2)), "đã qua"),
        (("GD", "CT", today, today), "Không có lãnh đạo “GD”"),
        (("PCT", "nguoi.la", today, today), "Không có lãnh đạo “nguoi.la”"),
    ]
    for (leader, other, starts, ends), said in cases:
        with pytest.raises(DistributionError, match=said):
            delegation.set_delegation(desk, leader, other, starts, ends, by="quantri")
    assert delegation.listing(desk) == []


def test_r_distrib_the_delegate_gets_the_digest_and_decides_by_reply_only_while_in_force(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document awaiting PCT and a delegation to the chairman that starts
    only tomorrow
    WHEN the session's digest goes out and the chairman replies "Đồng ý" to its address;
    then the delegation is replaced by one in force, the next session's digest goes out
    and he replies "Đồng ý" to the digest he got
    THEN the first time only PCT gets a digest and the chairman's reply is refused
    (``distribution.reply_refused``, nothing decided); the second time the chairman gets
    his own copy ("thay Phó Chủ tịch UBND, theo ủy quyền") and his reply decides the
    document as proposed, recorded on behalf of PCT."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "92", BUDGET)
    desk = Desk.of(pipeline)
    tomorrow = _today() + timedelta(days=1)
    later = delegation.set_delegation(desk, "PCT", "CT", tomorrow, tomorrow, by="phochutich")
    assert later.in_force is False
    assert send_digests(desk, WEDNESDAY_9 + timedelta(minutes=30)) == 1
    [(row, digest)] = mails(engine, "distribution-digest")
    assert row.recipient == VICE
    leader_reply(pipeline, "Đồng ý", sender=CHAIRMAN, to=str(digest["Reply-To"]), n=11)
    assert entry_state(engine) == ("awaiting_distribution", [])
    with read_session(engine) as session:
        refused = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "distribution.reply_refused")
        ).one()
    assert refused.actor == CHAIRMAN

    delegation.cancel(desk, later.id, by="phochutich")
    starts, ends = _covering()
    delegation.set_delegation(desk, "PCT", CHAIRMAN, starts, ends, by="quantri")
    afternoon = WEDNESDAY_9 + timedelta(hours=5)  # 14:00, the afternoon session
    assert send_digests(desk, afternoon) == 2
    digests = {r.recipient: m for r, m in mails(engine, "distribution-digest")[1:]}
    assert set(digests) == {VICE, CHAIRMAN}
    mine = digests[CHAIRMAN]
    assert str(mine["Subject"]).endswith(f"(thay {VICE_NAME}, theo ủy quyền)")
    assert f"ủy quyền cho ý kiến phân công thay {VICE_NAME}" in text_of(mine)
    assert "Số đến 2026/1" in text_of(mine)
    leader_reply(pipeline, "Đồng ý", sender=CHAIRMAN, to=str(mine["Reply-To"]), n=12)
    assert entry_state(engine) == (
        "assigned",
        [("TCKH", "lead"), ("KT", "cooperate"), ("VP", "inform")],
    )
    [decided] = _rows(engine)
    assert (decided.decided_by, decided.channel, decided.on_behalf_of) == (
        CHAIRMAN,
        "mail",
        VICE_NAME,
    )


def test_r_follow_a_late_decision_reminds_the_delegate_too(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document awaiting PCT, who delegated to the chairman
    WHEN the decision is late (Wednesday 17:30) and the clock runs twice
    THEN one reminder goes to PCT and one to the chairman (saying he has it by
    delegation), each once."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "93", BUDGET)
    desk = Desk.of(pipeline)
    starts, ends = _covering()
    delegation.set_delegation(desk, "PCT", "CT", starts, ends, by="phochutich")
    assert chase_late(desk, WEDNESDAY_9 + timedelta(hours=8, minutes=30)) == 2
    assert chase_late(desk, WEDNESDAY_9 + timedelta(hours=8, minutes=45)) == 0
    reminders = {r.recipient: m for r, m in mails(engine, "reminder")}
    assert set(reminders) == {VICE, CHAIRMAN}
    assert f"ủy quyền thay {VICE_NAME}" in text_of(reminders[CHAIRMAN])
    assert "ủy quyền" not in text_of(reminders[VICE])


def test_r_urgent_the_delegate_gets_the_urgent_notice_too_and_decides_by_replying(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN the chairman (CT, the default rule's leader) delegated to the vice-chairman
    WHEN a "KHẨN" document arrives and the vice-chairman answers his copy of the notice
    "Giao Phòng Nội vụ"
    THEN both are told at once — the vice-chairman's copy "(thay Chủ tịch UBND, theo ủy
    quyền)" with the same reply address — and his answer decides: Nội vụ leads, recorded
    on behalf of the chairman."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    starts, ends = _covering()
    delegation.set_delegation(Desk.of(pipeline), "CT", "PCT", starts, ends, by="lanhdao")
    register(pipeline, pki, "94", "phòng chống bão số 15", urgency="KHẨN")
    notices = {r.recipient: m for r, m in mails(engine, "distribution-notice")}
    assert set(notices) == {CHAIRMAN, VICE}
    copy = notices[VICE]
    assert str(copy["Subject"]).endswith("(thay Chủ tịch UBND, theo ủy quyền)")
    assert copy["Reply-To"] == notices[CHAIRMAN]["Reply-To"]
    assert copy["Message-ID"] != notices[CHAIRMAN]["Message-ID"]
    leader_reply(pipeline, "Giao Phòng Nội vụ", sender=VICE, to=str(copy["Reply-To"]), n=13)
    assert entry_state(engine) == ("assigned", [("NV", "lead")])
    [decided] = _rows(engine)
    assert (decided.decided_by, decided.on_behalf_of) == (VICE, "Chủ tịch UBND")
