"""Progress by reply (R-TRACK) through the whole pipeline, on SQLite and
PostgreSQL: a document is registered and routed by the real router (sample rules: the
lead is Văn phòng), then the assignee — or someone else — replies."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

import templates
from gateway.config.settings import load
from gateway.pipeline.flow import Pipeline
from gateway.routing.in_force import Router, sample_rules_text
from gateway.scan.clamd import ClamdAddress, ClamdScanner
from gateway.spool.envelope import Envelope
from gateway.storage.archive import Archive
from gateway.wiring import sample_directory_text
from mailparse.signatures.verify import verify_pdf
from registry.agencies.directory import parse_directory
from registry.database import read_session
from registry.models import (
    AssignmentRecord,
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    RegisterEntry,
)
from rules.decision import Policy
from tests.support.clamd import EICAR, ClamdProcess, clamd_fixture
from tests.support.fakedns import FakeResolver
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
CLERK = "quantri@example.gov.vn"
LEAD_MAILBOX = "vanphong@example.gov.vn"  # unit VP of the sample rules
ORIGINAL_ID = "<cv-54@vp.rachgia.example.gov.vn>"
RECEIVED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@dataclass
class Routed:
    """A registered, routed document and the pipeline that handles replies to it."""

    pipeline: Pipeline
    engine: Engine
    token: str
    routed_message_id: str
    counter: int = 0

    def reply(
        self,
        body: str,
        *,
        sender: str = LEAD_MAILBOX,
        to: str | None = None,
        in_reply_to: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Send a reply through the pipeline; the inbound note."""
        self.counter += 1
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to or f"vanthu+{self.token}@example.gov.vn"
        msg["Subject"] = "Re: Văn bản đến số 2026/1"
        msg["Message-ID"] = f"<reply-{self.counter}@example.gov.vn>"
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body)
        raw = msg.as_bytes(policy=policy.SMTP)
        rcpt = to or f"vanthu+{self.token}@example.gov.vn"
        spool_id = f"reply-{self.counter}"
        envelope = Envelope(
            received_at=RECEIVED + timedelta(hours=self.counter),
            protocol="smtp",
            mail_from=sender,
            rcpt_tos=(rcpt,),
        )
        result = self.pipeline.process(spool_id, raw, envelope)
        assert result.entries == ()
        with read_session(self.engine) as session:
            inbound = session.scalars(
                select(InboundMessage).where(col(InboundMessage.spool_id) == spool_id)
            ).one()
            return inbound.note


def routed_pipeline(engine: Engine, tmp_path: Path, pki: TestPki) -> Pipeline:
    (tmp_path / "rules.yaml").write_text(sample_rules_text(), encoding="utf-8")
    (tmp_path / "gateway.toml").write_text("", encoding="utf-8")
    deployment = load(tmp_path / "gateway.toml", environ={})
    return Pipeline(
        engine=engine,
        archive=Archive(tmp_path / "archive"),
        restricted=Archive(tmp_path / "restricted", mode=0o700),
        directory=parse_directory(sample_directory_text(), "sample"),
        trust=pki.trust_store(),
        policy=Policy(),
        verify=verify_pdf,
        templates=templates.environment(),
        from_address=GATEWAY,
        zone=ZoneInfo("Asia/Ho_Chi_Minh"),
        administrator=CLERK,
        router=Router(deployment),
    )


@pytest.fixture
def routed(engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes) -> Routed:
    """GIVEN a signed công văn from an agency, registered as 2026/1 and routed to VP."""
    pipeline = routed_pipeline(engine, tmp_path, pki)
    raw = official_mail(
        sender=AGENCY,
        attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        message_id=ORIGINAL_ID,
    )
    envelope = Envelope(RECEIVED, "smtp", AGENCY, (GATEWAY,))
    assert pipeline.process("doc-1", raw, envelope).entries == ("2026/1",)
    with read_session(engine) as session:
        lead = session.scalars(select(AssignmentRecord)).one()
    assert lead.mailbox == LEAD_MAILBOX and lead.routed_message_id
    return Routed(pipeline, engine, lead.token, lead.routed_message_id)


def outbox_of(engine: Engine, kind: str) -> list[tuple[OutboxMessage, EmailMessage]]:
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


def state(engine: Engine) -> tuple[str, list[tuple[str, str]]]:
    """The entry's status and each assignment's (unit, status)."""
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        rows = session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id)))
        return entry.status, [(a.unit_code, a.status) for a in rows]


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("keyword", ["Hoàn thành.", "hoan thanh", "DONE"])
def test_r_track_done_reply_marks_done_and_sender_gets_status_06(
    routed: Routed, keyword: str
) -> None:
    """GIVEN a routed document WHEN its lead assignee replies "hoàn thành" (any spelling)
    to the plus address THEN assignment and entry are done, the original sender gets a
    status notice 06 threaded to the original, and the reply is not registered."""
    note = routed.reply(f"{keyword}\n\nVào ngày 25/11/2026 Văn thư đã viết:\n> chuyển TP\n")
    assert note.startswith("reply to assignment") and "done by VP" in note
    assert state(routed.engine) == ("done", [("VP", "done")])
    assert count(routed.engine, RegisterEntry) == 1
    [(row, notice)] = outbox_of(routed.engine, "status")
    assert row.recipient == AGENCY
    assert notice["X-Document-Status"] == "06"
    assert notice["X-Incoming-Number"] == "2026/1"
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice["In-Reply-To"] == ORIGINAL_ID
    assert ORIGINAL_ID in notice["References"]
    assert notice["Subject"] == "Thông báo tình trạng xử lý văn bản số 2026/1: Đã hoàn thành"
    text = notice.get_body(("plain",))
    assert text is not None and "Đã hoàn thành (mã 06)" in text.get_content()
    with read_session(routed.engine) as session:
        done = session.scalars(select(AssignmentRecord)).one()
        assert done.done_at is not None
        actors = {
            e.actor
            for e in session.scalars(select(AuditEvent))
            if e.action in {"assignment.done", "entry.status"}
        }
    assert actors == {LEAD_MAILBOX}


def test_r_track_progress_by_in_reply_to_moves_through_05_then_06(routed: Routed) -> None:
    """GIVEN a reply to the routed copy's Message-ID (no plus address) WHEN it says
    "đang xử lý", later "hoàn thành" THEN statuses 05 then 06 reach the sender, once each."""
    routed.reply("Đang xử lý", to=GATEWAY, in_reply_to=routed.routed_message_id)
    assert state(routed.engine) == ("in_progress", [("VP", "in_progress")])
    routed.reply("dang xu ly", to=GATEWAY, in_reply_to=routed.routed_message_id)  # no change
    routed.reply("hoàn thành", to=GATEWAY, in_reply_to=routed.routed_message_id)
    codes = [m["X-Document-Status"] for _, m in outbox_of(routed.engine, "status")]
    assert codes == ["05", "06"]


def test_r_track_reply_from_anyone_else_changes_nothing(routed: Routed) -> None:
    """GIVEN a reply with the right token from an address that is not the assignee's
    WHEN processed THEN nothing changes, it is audited as refused, and nobody is mailed."""
    before = count(routed.engine, OutboxMessage)
    note = routed.reply("hoàn thành", sender="attacker@example.net")
    assert "refused: not from the assignee's mailbox" in note
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])
    assert count(routed.engine, OutboxMessage) == before
    assert count(routed.engine, RegisterEntry) == 1
    with read_session(routed.engine) as session:
        refused = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "reply.refused")
        ).one()
    assert refused.actor == "attacker@example.net"


def test_unrecognised_reply_gets_help_once(routed: Routed) -> None:
    """GIVEN an assignee's reply without a keyword WHEN it comes twice THEN one help mail
    (auto-replied, Reply-To the plus address), the second time none; nothing registered."""
    first = routed.reply("Cảm ơn, tôi sẽ xem.")
    second = routed.reply("Vâng ạ")
    assert first.endswith("help sent")
    assert second.endswith("help was sent before, not again")
    [(row, help_mail)] = outbox_of(routed.engine, "help")
    assert row.recipient == LEAD_MAILBOX
    assert help_mail["Auto-Submitted"] == "auto-replied"
    assert help_mail["Reply-To"] == f"vanthu+{routed.token}@example.gov.vn"
    text = help_mail.get_body(("plain",))
    assert text is not None and "Hoàn thành" in text.get_content()
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])
    assert count(routed.engine, RegisterEntry) == 1


def test_automatic_reply_is_never_answered_nor_acted_on(routed: Routed) -> None:
    """GIVEN an out-of-office answer from the assignee (Auto-Submitted: auto-replied)
    WHEN processed THEN no status change and no help (RFC 3834)."""
    before = count(routed.engine, OutboxMessage)
    note = routed.reply("Done", headers={"Auto-Submitted": "auto-replied"})
    assert "automatic mail (RFC 3834), ignored" in note
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])
    assert count(routed.engine, OutboxMessage) == before


def test_reassignment_creates_an_assignment_and_a_routed_copy_for_the_named_unit(
    routed: Routed, signed_pdf: bytes
) -> None:
    """GIVEN the lead replies "chuyển TCKH" WHEN processed THEN its assignment is
    reassigned, TCKH gets a new one (same role) and a routed copy with the document byte
    for byte and a new reply token; replies with the old token then change nothing."""
    note = routed.reply("Chuyển TCKH")
    assert "reassigned from VP to TCKH" in note
    assert state(routed.engine) == ("assigned", [("VP", "reassigned"), ("TCKH", "assigned")])
    with read_session(routed.engine) as session:
        new = session.scalars(
            select(AssignmentRecord).where(col(AssignmentRecord.unit_code) == "TCKH")
        ).one()
    assert new.role == "lead" and new.token != routed.token
    copies = [
        (r, m) for r, m in outbox_of(routed.engine, "routed-copy") if r.recipient != LEAD_MAILBOX
    ]
    [(row, copy)] = copies
    assert row.recipient == "tckh@example.gov.vn"
    assert row.message_id == new.routed_message_id
    assert copy["Reply-To"] == f"vanthu+{new.token}@example.gov.vn"
    [pdf] = [p for p in copy.iter_attachments() if p.get_filename() == "cv.pdf"]
    assert pdf.get_content() == signed_pdf
    assert "no change" in routed.reply("hoàn thành")  # the old assignment is closed


def test_return_marks_the_entry_returned_and_tells_the_clerk(routed: Routed) -> None:
    """GIVEN the lead replies "trả lại: không thuộc thẩm quyền" WHEN processed THEN the
    assignment and the entry are returned and the clerk gets the reason; no status
    notice goes to the sender (returned has no QCVN code)."""
    routed.reply("Trả lại: không thuộc thẩm quyền")
    assert state(routed.engine) == ("returned", [("VP", "returned")])
    [(row, alert)] = outbox_of(routed.engine, "returned")
    assert row.recipient == CLERK
    assert alert["Auto-Submitted"] == "auto-generated"
    text = alert.get_body(("plain",))
    assert text is not None and "không thuộc thẩm quyền" in text.get_content()
    assert outbox_of(routed.engine, "status") == []


def test_unknown_token_is_an_ordinary_message(routed: Routed) -> None:
    """GIVEN mail to a plus address whose token matches no assignment WHEN processed THEN
    it goes through the ordinary pipeline (here: no document, rejected), not as a reply."""
    msg = EmailMessage()
    msg["From"] = LEAD_MAILBOX
    msg["To"] = "vanthu+000000000000000000000000@example.gov.vn"
    msg["Subject"] = "hello"
    msg.set_content("hoàn thành")
    result = routed.pipeline.process(
        "stray", msg.as_bytes(policy=policy.SMTP), Envelope(RECEIVED, "smtp", LEAD_MAILBOX, ())
    )
    assert result.outcome == "rejected"
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])


def test_r_forge_reply_whose_domain_fails_dmarc_changes_nothing(routed: Routed) -> None:
    """GIVEN sender authentication on and example.gov.vn publishing DMARC p=reject
    WHEN a reply with the assignee's From but no aligned DKIM/SPF says "hoàn thành"
    THEN it is refused like any impostor's: nothing changes, nobody is mailed."""
    dns = FakeResolver(txt={"_dmarc.example.gov.vn": ["v=DMARC1; p=reject"]})
    routed.pipeline = replace(routed.pipeline, resolver=dns)
    before = count(routed.engine, OutboxMessage)
    note = routed.reply("hoàn thành")
    assert "refused: the sender's domain fails DMARC" in note
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])
    assert count(routed.engine, OutboxMessage) == before


@pytest.fixture(scope="module")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdProcess]:
    yield from clamd_fixture(tmp_path_factory.mktemp("clamd"))


def test_r_virus_infected_reply_is_rejected_as_malware_not_taken(
    routed: Routed, clamd: ClamdProcess
) -> None:
    """GIVEN a scanner WHEN the assignee's "hoàn thành" reply carries EICAR THEN it is not
    taken as a reply: the ordinary pipeline rejects it as malware; the status stays."""
    scanner = ClamdScanner(ClamdAddress.parse(clamd.address), timeout=10)
    pipeline = replace(routed.pipeline, scanner=scanner)
    msg = EmailMessage()
    msg["From"] = LEAD_MAILBOX
    msg["To"] = f"vanthu+{routed.token}@example.gov.vn"
    msg["Subject"] = "Re: Văn bản đến số 2026/1"
    msg.set_content("Hoàn thành")
    msg.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="x.com")
    envelope = Envelope(RECEIVED, "smtp", LEAD_MAILBOX, (msg["To"],))
    result = pipeline.process("infected", msg.as_bytes(policy=policy.SMTP), envelope)
    assert (result.outcome, result.reasons) == ("rejected", ("malware",))
    assert state(routed.engine) == ("assigned", [("VP", "assigned")])


def test_r_track_end_to_end_reply_to_the_routed_copy_over_smtp(
    tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a real ``gateway serve`` (embedded sample rules: lead Văn phòng) and a document
    mailed to it WHEN the lead answers the routed copy over SMTP, to its Reply-To, with
    "hoàn thành" THEN the sender's status notice 06 is delivered, threaded to the original,
    and the register shows the entry done."""
    gateway = GatewayProcess(tmp_path / "deploy", pki.root_pem()).start()
    try:
        raw = official_mail(
            sender=AGENCY,
            attachments=[("cv.pdf", signed_pdf, "application/pdf")],
            message_id=ORIGINAL_ID,
        )
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            client.sendmail(AGENCY, [GATEWAY], raw)
        copies = [
            m
            for m in gateway.wait_for_outbox(2, timeout=60, routed=True)
            if str(m["Message-ID"]).startswith("<routed-copy.")
        ]
        assert copies, gateway.log_text()
        copy = copies[0]
        reply = EmailMessage()
        reply["From"] = str(copy["To"])
        reply["To"] = str(copy["Reply-To"])
        reply["Subject"] = f"Re: {copy['Subject']}"
        reply["In-Reply-To"] = str(copy["Message-ID"])
        reply.set_content("Hoàn thành.\n\n> Văn bản đến số 2026/1\n")
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            client.send_message(reply)
        deadline = time.monotonic() + 60
        notices: list[EmailMessage] = []
        while time.monotonic() < deadline and not notices:
            notices = [m for m in gateway.outbox() if m["X-Document-Status"] == "06"]
            time.sleep(0.1)
        [entry] = gateway.cli_json("register", "list")
    finally:
        gateway.stop()
    [notice] = notices
    assert notice["To"] == AGENCY
    assert notice["In-Reply-To"] == ORIGINAL_ID
    assert entry["status"] == "done"
