"""Replies are believed only with the token, or the unguessable mark we put in the thread.

A stranger who knows how routed-copy Message-IDs used to be made
(``routed-copy.YEAR-NUMBER.ASSIGNMENT@domain``) and copies the assignee's address from the
rules file must change nothing; an agency's document threaded to a routed copy is still
registered as a document.
"""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.engine import Engine

from gateway.outbox.answers import answer_message_id
from gateway.spool.envelope import Envelope
from registry.database import read_session
from registry.models import AssignmentRecord, RegisterEntry
from tests.gateway.tracking.test_replies import (
    AGENCY,
    GATEWAY,
    LEAD_MAILBOX,
    RECEIVED,
    Routed,
    routed,
)

__all__ = ["routed"]  # the fixture: a registered document routed to VP


def _predictable_id() -> str:
    """The Message-ID a stranger computes for the first routed copy of 2026/1."""
    return "<" + answer_message_id("routed-copy", "2026-1.1", GATEWAY) + ">"


def _status(engine: Engine) -> tuple[str, str]:
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        assignment = session.scalars(select(AssignmentRecord)).one()
        return entry.status, assignment.status


def test_the_routed_copy_message_id_cannot_be_computed(routed: Routed) -> None:
    """GIVEN a document routed to VP WHEN its routed copy's Message-ID is compared with the
    one computed from the register number and assignment id THEN they differ."""
    assert routed.routed_message_id.strip("<>") != _predictable_id().strip("<>")


def test_a_reply_threaded_to_a_computed_message_id_changes_nothing(routed: Routed) -> None:
    """GIVEN a routed document WHEN a stranger, with the assignee's From copied from the rules
    file, replies "hoàn thành" to the gateway address (no token) with In-Reply-To and
    References set to the computable routed-copy Message-ID
    THEN the document and the assignment keep their status."""
    before = _status(routed.engine)
    routed.reply(
        "hoàn thành",
        to=GATEWAY,
        in_reply_to=_predictable_id(),
        headers={"References": _predictable_id()},
    )
    assert _status(routed.engine) == before
    assert before[0] != "done"


def test_a_reply_with_the_token_from_someone_else_changes_nothing(routed: Routed) -> None:
    """GIVEN a routed document WHEN someone who learnt the token but is not the assignee
    replies "hoàn thành" to vanthu+TOKEN THEN nothing changes (the From must match)."""
    before = _status(routed.engine)
    note = routed.reply("hoàn thành", sender="attacker@evil.example.com")
    assert "refused" in note
    assert _status(routed.engine) == before


def test_a_real_reply_by_thread_still_works(routed: Routed) -> None:
    """GIVEN a routed document WHEN the assignee replies "hoàn thành" to the plain gateway
    address, threaded to the routed copy it received THEN the assignment is done."""
    routed.reply("hoàn thành", to=GATEWAY, in_reply_to=routed.routed_message_id)
    assert _status(routed.engine)[1] == "done"


def test_an_agency_document_threaded_to_a_routed_copy_is_registered(
    routed: Routed, signed_pdf: bytes
) -> None:
    """GIVEN a routed document WHEN an agency sends a new signed document whose In-Reply-To
    names the routed copy (its clerk answered in the same thread)
    THEN the document is registered (a new incoming number), not dropped as a reply."""
    msg = EmailMessage()
    msg["From"] = AGENCY
    msg["To"] = GATEWAY
    msg["Subject"] = "Re: Văn bản đến số 2026/1"
    msg["Message-ID"] = "<answer-doc@vp.rachgia.example.gov.vn>"
    msg["In-Reply-To"] = routed.routed_message_id
    msg.set_content("Kính gửi văn bản trả lời.")
    msg.add_attachment(signed_pdf, maintype="application", subtype="pdf", filename="tl.pdf")
    envelope = Envelope(RECEIVED + timedelta(days=1), "smtp", AGENCY, (GATEWAY,))
    result = routed.pipeline.process("doc-2", msg.as_bytes(policy=policy.SMTP), envelope)
    assert result.entries  # registered (a duplicate by law points at 2026/1, still answered)
    assert result.answered
    assert LEAD_MAILBOX != AGENCY
