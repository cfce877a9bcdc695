"""Migration 0006: the fields read from the document, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from registry.database import read_session, write_session
from registry.document_fields import correct_paper, document_details
from registry.drafts import ConflictDraft, EdxmlDraft
from registry.models import AuditEvent
from registry.queries import get_entry
from registry.recorder import Recorder
from tests.registry.test_register import entry_draft, inbound_draft

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def test_document_fields_are_stored_and_a_clerk_corrects_the_paper_flag(engine: Engine) -> None:
    """GIVEN an entry registered with number and symbol apart, a paper reason (R-PAPER), a
    conflict with the mail subject and an edXML summary
    WHEN read back, then corrected by a clerk
    THEN every field round-trips (JSON included) and the correction is audited with the
    earlier flag and the clerk's name."""
    draft = entry_draft(
        number="54",
        symbol="UBND-VP",
        place="Rạch Giá",
        issuer_parent="ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        signer_mark="KT.",
        signer_position="PHÓ CHỦ TỊCH",
        catalogue_code="20",
        paper_required=True,
        paper_reason="nhân sự: bổ nhiệm",
        text_source="ocr",
        conflicts=(ConflictDraft("number", "54", "subject", "55"),),
        edxml=EdxmlDraft("000.00.12.H33,2020/02/18,54/UBND-VP", "000.00.12.H33", "new"),
    )
    with write_session(engine) as session:
        recorder = Recorder(session)
        recorder.add_entry(recorder.add_inbound(inbound_draft("fields")), draft)
    with read_session(engine) as session:
        details = document_details(get_entry(session, 2026, 1))
    assert (details.number, details.symbol, details.place) == ("54", "UBND-VP", "Rạch Giá")
    assert (details.signer_mark, details.signer_position) == ("KT.", "PHÓ CHỦ TỊCH")
    assert (details.catalogue_code, details.text_source) == ("20", "ocr")
    assert details.paper_reason == "nhân sự: bổ nhiệm"
    assert details.conflicts == [
        {"field": "number", "document_value": "54", "other_source": "subject", "other_value": "55"}
    ]
    assert details.edxml["business"] == "new"
    assert details.edxml["references"] == []

    with write_session(engine) as session:
        correct_paper(
            session, 2026, 1, required=False, note="có bản gốc", actor="thu.nguyen", now=NOW
        )
    with read_session(engine) as session:
        entry = get_entry(session, 2026, 1)
        assert (entry.paper_required, entry.paper_reason) == (False, "văn thư: có bản gốc")
        [event] = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "entry.paper_corrected")
        )
    assert event.actor == "thu.nguyen"
    assert event.details["before"] == {"paper_required": True, "paper_reason": "nhân sự: bổ nhiệm"}
