"""Forged envelopes: a From copied from the directory must not make the gateway mail an
outsider (the envelope sender) beyond the daily cap, in process on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from registry.database import read_session
from registry.models import OutboxMessage
from tests.gateway.pipeline.test_pipeline import AGENCY
from tests.gateway.senderauth.test_sender_auth import STRANGER_IP, pipeline, smtp
from tests.support.fakedns import FakeResolver
from tests.support.messages import official_mail
from tests.support.pki import TestPki

VICTIM = "victim@outside.example.com"


def test_a_forged_agency_from_does_not_lift_the_cap_on_the_envelope_sender(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN [limits] auto_replies_per_day = 2 and an agency domain without DMARC
    WHEN a stranger sends 4 documents with the agency's From and an outside envelope sender
    (where the receipts go), each quoting its Subject
    THEN the outside address gets at most 2 automatic mails."""
    run = pipeline(engine, tmp_path, pki, FakeResolver(), auto_replies_per_day=2)
    pdf = [("cv.pdf", signed_pdf, "application/pdf")]
    for n in range(4):
        raw = official_mail(
            sender=AGENCY, subject=f"Mua hàng giá rẻ {n}", attachments=pdf, message_id=f"<f{n}@x>"
        )
        run.process(f"forged-{n}", raw, smtp(STRANGER_IP, mail_from=VICTIM))
    with read_session(engine) as session:
        recipients = list(session.scalars(select(col(OutboxMessage.recipient))))
    assert recipients.count(VICTIM) == 2  # the cap, not one per message
