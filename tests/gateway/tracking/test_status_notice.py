"""Status notices to the original sender (DESIGN §4.4, R-TRACK): 04 / 05 / 06, each once,
threaded to the original, only when the status really changed and the sender was answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from gateway.spool.envelope import Envelope
from gateway.tracking.status_notice import queue_status_notice
from registry.database import read_session, write_session
from registry.models import AssignmentRecord, EntryStatus, RegisterEntry
from registry.recorder import Recorder
from registry.tracking.assignments import AssignmentDraft, RoutingDraft, record_routing
from tests.gateway.tracking.test_replies import (
    AGENCY,
    GATEWAY,
    ORIGINAL_ID,
    RECEIVED,
    Routed,
    outbox_of,
    routed,
    routed_pipeline,
    state,
)
from tests.support.messages import official_mail
from tests.support.pki import TestPki

__all__ = ["routed"]  # the fixture, shared with test_replies


def test_acknowledging_an_assigned_document_sends_nothing_then_05_is_threaded(
    routed: Routed,
) -> None:
    """GIVEN an entry already ``assigned`` at registration (the receipt said so)
    WHEN the lead replies "đã nhận" THEN no notice (no change); "đang xử lý" THEN a 05
    notice with a stable Message-ID, text and HTML in Vietnamese, threaded to the original."""
    routed.reply("Đã nhận")
    assert outbox_of(routed.engine, "status") == []
    with read_session(routed.engine) as session:
        lead = session.scalars(select(AssignmentRecord)).one()
        assert lead.acknowledged_at is not None and lead.status == "assigned"
        entry_id = lead.entry_id
    routed.reply("đang xử lý")
    [(row, notice)] = outbox_of(routed.engine, "status")
    assert row.message_id == f"<status.{entry_id}-05@example.gov.vn>"
    assert notice["From"] == GATEWAY and notice["To"] == AGENCY
    assert notice["X-Document-Status"] == "05"
    assert notice["In-Reply-To"] == ORIGINAL_ID
    assert notice["Content-Language"] == "vi"
    assert "Đang xử lý" in notice["Subject"]
    html = notice.get_body(("html",))
    assert html is not None and "Đang xử lý</strong> (mã 05)" in html.get_content()


def test_r_track_acknowledgement_of_an_unassigned_entry_sends_04(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN an entry still ``registered`` with only a cooperating unit (no lead)
    WHEN that unit replies "tiếp nhận" THEN the entry is ``assigned`` and the sender gets 04."""
    pipeline = replace(routed_pipeline(engine, tmp_path, pki), router=None)  # nothing routed
    raw = official_mail(
        sender=AGENCY,
        attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        message_id=ORIGINAL_ID,
    )
    assert pipeline.process("doc", raw, Envelope(RECEIVED, "smtp", AGENCY, (GATEWAY,))).entries
    with write_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        draft = AssignmentDraft("TP", "Phòng Tư pháp", "cooperate", "tuphap@example.gov.vn")
        [record] = record_routing(
            Recorder(session), entry, RoutingDraft("v1", (), {}, assignments=(draft,))
        )
        token = record.token
    assert state(engine) == ("registered", [("TP", "assigned")])
    Routed(pipeline, engine, token, "").reply("Tiếp nhận", sender="tuphap@example.gov.vn")
    assert state(engine)[0] == "assigned"
    [(_, notice)] = outbox_of(engine, "status")
    assert notice["X-Document-Status"] == "04"
    assert notice["Subject"].endswith("Đã phân công xử lý")


def test_no_notice_when_the_original_got_no_receipt(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a document that came as automatic mail (no receipt, RFC 3834)
    WHEN the assignee reports "hoàn thành" THEN the status moves but no notice is sent."""
    pipeline = routed_pipeline(engine, tmp_path, pki)
    raw = official_mail(
        sender=AGENCY,
        attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    envelope = Envelope(RECEIVED, "smtp", AGENCY, (GATEWAY,))
    assert pipeline.process("auto", raw, envelope).answered is False
    with read_session(engine) as session:
        token = session.scalars(select(AssignmentRecord)).one().token
    Routed(pipeline, engine, token, "").reply("Hoàn thành")
    assert state(engine)[0] == "done"
    assert outbox_of(engine, "status") == []


def test_each_status_is_noticed_at_most_once(routed: Routed) -> None:
    """GIVEN a 06 notice queued WHEN the same status is noticed again THEN nothing new:
    the Message-ID is stable per (entry, status)."""
    routed.reply("hoàn thành")
    with write_session(routed.engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        again = queue_status_notice(
            Recorder(session, now=RECEIVED + timedelta(days=1)),
            env=routed.pipeline.templates,
            entry=entry,
            status=EntryStatus.DONE,
            unit_name="VP",
            from_address=GATEWAY,
            timezone="Asia/Ho_Chi_Minh",
        )
    assert again is None
    assert len(outbox_of(routed.engine, "status")) == 1
