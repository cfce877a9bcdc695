""" "Đề nghị chuyển" by reply mail (R-TRACK, R-DISTRIB): the same transition as the
progress page's button — a transfer request on the assignment, back to the leader who
distributed the document — and the words the reply parser reads."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.distribution import transfer
from gateway.distribution.decide import Desk, DistributionError, Order, distribute
from gateway.pipeline.flow import Pipeline
from gateway.spool.envelope import Envelope
from registry.database import read_session
from registry.models import AssignmentRecord, InboundMessage
from registry.tracking.transfer import TransferRequest
from rules.progress import Intent, read_intent
from tests.gateway.distribution.conftest import VICE, WEDNESDAY_9, proposing_pipeline, text_of
from tests.gateway.distribution.test_distribution import BUDGET, entry_state, mails, register
from tests.support.pki import TestPki

TP_MAILBOX = "tuphap@example.gov.vn"


@pytest.mark.parametrize(
    ("body", "argument"),
    [
        (
            "Đề nghị chuyển Phòng Kinh tế: thuộc lĩnh vực kinh tế",
            "Phòng Kinh tế: thuộc lĩnh vực kinh tế",
        ),
        ("de nghi chuyen: gui nham don vi\n\n> Van ban den so 2026/1", "gui nham don vi"),
        ("  - ĐỀ NGHỊ CHUYỂN vì không đúng chức năng.", "vì không đúng chức năng"),
    ],
)
def test_the_reply_parser_reads_de_nghi_chuyen_with_its_reason(body: str, argument: str) -> None:
    """GIVEN a reply opening with "đề nghị chuyển" (with or without diacritics, any case)
    WHEN it is read THEN it is a transfer request (not a direct "chuyển") with its text."""
    found = read_intent(body)
    assert found is not None
    assert (found.intent, found.argument) == (Intent.TRANSFER_REQUEST, argument)


def test_de_nghi_chuyen_without_a_reason_is_no_keyword_and_chuyen_stays_a_reassignment() -> None:
    """GIVEN "đề nghị chuyển" alone, and "chuyển KT" WHEN read THEN the first is no
    keyword (a reason is required; the assignee gets the help mail), the second stays the
    unit's own hand-over."""
    assert read_intent("Đề nghị chuyển") is None
    found = read_intent("Chuyển KT")
    assert found is not None and found.intent is Intent.REASSIGN


def _reply(pipeline: Pipeline, token: str, body: str, *, sender: str = TP_MAILBOX) -> str:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = f"vanthu+{token}@example.gov.vn"
    msg["Subject"] = "Re: Văn bản đến số 2026/1"
    msg["Message-ID"] = "<tp-reply-1@example.gov.vn>"
    msg.set_content(body)
    result = pipeline.process(
        "tp-reply-1",
        msg.as_bytes(policy=policy.SMTP),
        Envelope(
            received_at=WEDNESDAY_9 + timedelta(hours=3),
            protocol="smtp",
            mail_from=sender,
            rcpt_tos=(f"vanthu+{token}@example.gov.vn",),
        ),
    )
    assert result.entries == ()
    with read_session(pipeline.engine) as session:
        return (
            session.scalars(
                select(InboundMessage).where(col(InboundMessage.spool_id) == "tp-reply-1")
            )
            .one()
            .note
        )


def test_r_track_a_reply_de_nghi_chuyen_goes_back_to_the_leader_who_transfers_once(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a budget document PCT gave to Phòng Tư pháp
    WHEN TP replies "Đề nghị chuyển Phòng Kinh tế: …" from its mailbox, then PCT transfers
    it to the suggested unit, and the chairman tries the same a moment later
    THEN the request is recorded (reason, KT suggested, by mail, PCT's) with TP still
    holding the document and in PCT's pending list only, and PCT is mailed about it; the
    transfer reassigns it to KT; the second answer is refused in Vietnamese."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    register(pipeline, pki, "96", BUDGET)
    desk = Desk.of(pipeline)
    distribute(desk, 2026, 1, Order(lead="TP"), by="phochutich", channel="cli")
    with read_session(engine) as session:
        token = session.scalars(select(AssignmentRecord)).one().token
    note = _reply(
        pipeline, token, "Đề nghị chuyển Phòng Kinh tế: thuộc lĩnh vực kinh tế\n\n-- \nTP"
    )
    assert "transfer requested by TP" in note
    assert entry_state(engine) == ("assigned", [("TP", "lead")])
    with read_session(engine) as session:
        request = session.scalars(select(TransferRequest)).one()
    assert (request.reason, request.suggested_unit, request.channel, request.leader_code) == (
        "thuộc lĩnh vực kinh tế",
        "KT",
        "mail",
        "PCT",
    )
    assert [p.request.id for p in transfer.pending(desk, leader_codes={"PCT"}, clerk=False)] == [
        request.id
    ]
    assert transfer.pending(desk, leader_codes={"CT"}, clerk=True) == []
    [(row, notice)] = mails(engine, "returned")
    assert row.recipient == VICE
    assert str(notice["Subject"]) == "Đơn vị đề nghị chuyển văn bản đến số 2026/1"
    assert "thuộc lĩnh vực kinh tế" in text_of(notice) and "Phòng Kinh tế" in text_of(notice)
    transfer.resolve(desk, request.id or 0, by="phochutich", by_name="Phó Chủ tịch UBND", unit="KT")
    assert entry_state(engine) == ("assigned", [("TP", "lead"), ("KT", "lead")])
    with read_session(engine) as session:
        statuses = [
            a.status
            for a in session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id)))
        ]
    assert statuses == ["reassigned", "assigned"]
    with pytest.raises(DistributionError, match="đã được giải quyết"):
        transfer.resolve(desk, request.id or 0, by="lanhdao", by_name="Chủ tịch UBND", unit="NV")
    assert transfer.pending(desk, leader_codes=None, clerk=True) == []
