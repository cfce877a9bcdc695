"""R-SECRET on a mixed message: one Mật-stamped document beside an ordinary signed one.

In process on SQLite and PostgreSQL, with real signed PDFs from the test PKI.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from registry.console.alerts import AdminAlert
from registry.database import read_session
from registry.models import InboundMessage, RegisterEntry
from tests.gateway.pipeline.test_pipeline import AGENCY, count, envelope, make_pipeline, outbox
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency


def _files(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_r_secret_a_mixed_message_is_refused_whole_and_the_alert_waits_for_an_administrator(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN one message carrying a MẬT-stamped signed document and an ordinary signed one,
    and no `[alerts] administrator` address (the default)
    WHEN processed
    THEN the whole message is refused `secret-document` (answer 02, no receipt), nothing
    is registered, the raw bytes are only in the restricted store, and an alert row waits
    for an administrator (no alert mail: nobody to send it to)."""
    secret = sign_as_person_then_agency(
        official_document_pdf(number="31", symbol="PA-UBND", secrecy_stamp="MẬT"), pki
    )
    raw = official_mail(
        sender=AGENCY,
        subject="Hai văn bản",
        attachments=[
            ("cv.pdf", signed_pdf, "application/pdf"),
            ("pa.pdf", secret, "application/pdf"),
        ],
    )

    result = make_pipeline(engine, tmp_path, pki).process("mixed-secret", raw, envelope())

    assert result.outcome == "rejected"
    assert result.reasons == ("secret-document",)
    assert result.entries == ()
    assert result.restricted is True
    assert count(engine, RegisterEntry) == 0
    [answer] = outbox(engine)
    assert answer["X-Document-Status"] == "02"
    assert answer["X-Reject-Reasons"] == "secret-document"
    assert raw in _files(tmp_path / "restricted")
    assert raw not in _files(tmp_path / "archive")
    with read_session(engine) as session:
        [alert] = session.scalars(select(AdminAlert)).all()
        inbound = session.scalars(select(InboundMessage)).one()
    assert (alert.kind, alert.spool_id, alert.mailed_to) == ("secret-document", "mixed-secret", "")
    assert alert.acknowledged_at is None
    assert "Mật" in alert.summary and "Hai văn bản" not in alert.summary
    assert inbound.subject == ""
