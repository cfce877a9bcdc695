"""The one transaction that records an assignee's reply and everything it causes.

Inbound record (outcome ``accepted``, no entries, a ``reply to assignment …`` note), the
audit events, the status change, the status notice to the original sender, the clerk's
notice of a return and the help mail: committed together, or not at all (the spool item
is then tried again). See :mod:`gateway.tracking.replies` for the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gateway.distribution.decide import Desk
from gateway.distribution.transfer import queue_request_notice
from gateway.outbox.answers import SMTP_PROTOCOLS
from gateway.outbox.identity import reply_address
from gateway.pipeline.context import StageOutcome
from gateway.routing.reassign import queue_routed_copy
from gateway.senderauth.authenticate import authenticate
from gateway.spool.envelope import Envelope
from gateway.tracking.followups import (
    FollowUpMail,
    build_follow_up,
    help_mail,
    returned_mail,
)
from gateway.tracking.reply_actions import Applied, apply_intent
from gateway.tracking.status_notice import queue_status_notice
from mailparse.message import ParsedMessage
from registry.database import write_session
from registry.drafts import InboundDraft
from registry.mail.imap_ledger import MoveRole, mark_committed
from registry.models import AssignmentRecord, InboundMessage, Outcome, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from registry.tracking.clock_events import claim
from rules.progress import read_intent
from rules.routing_types import Unit

if TYPE_CHECKING:
    from gateway.pipeline.context import PipelineContext

HELP_KEY = "help:{}"


@dataclass(frozen=True)
class ReceivedReply:
    """A message matched to an assignment, as received and archived."""

    spool_id: str
    sha256: str
    raw: bytes
    envelope: Envelope
    parsed: ParsedMessage

    @property
    def replier(self) -> str:
        return self.parsed.sender.address.lower() if self.parsed.sender else ""

    @property
    def answerable(self) -> bool:
        """Not a null sender (RFC 3834); files and mailboxes have no envelope sender."""
        envelope = self.envelope
        return envelope.protocol not in SMTP_PROTOCOLS or bool(envelope.mail_from.strip())

    def inbound_draft(self) -> InboundDraft:
        return InboundDraft(
            spool_id=self.spool_id,
            message_id=self.parsed.message_id,
            sha256=self.sha256,
            fingerprint=self.sha256,
            received_at=self.envelope.received_at,
            protocol=self.envelope.protocol,
            envelope_from=self.envelope.mail_from,
            sender_address=self.replier or None,
            sender_agency_code=None,
            subject=self.parsed.subject,
            outcome=Outcome.ACCEPTED,
            reasons=(),
            trace=(),
            answered=False,
            note="",
        )


def record_reply(
    pipeline: PipelineContext, reply: ReceivedReply, assignment_id: int
) -> StageOutcome:
    """Record ``reply`` to ``assignment_id`` and act on it; idempotent on the spool id."""
    refusal = _refusal(pipeline, reply)
    with write_session(pipeline.engine) as session:
        recorder = Recorder(session, now=datetime.now(UTC), sign=pipeline.signer)
        earlier = recorder.find_inbound(reply.spool_id)
        if earlier is not None:  # another worker won the race
            return StageOutcome(earlier.outcome, earlier.note, earlier.answered)
        assignment = session.get_one(AssignmentRecord, assignment_id, with_for_update=True)
        entry = session.get_one(RegisterEntry, assignment.entry_id)
        assignees = {assignment.mailbox.lower(), (assignment.person or "").lower()}
        if not refusal and reply.replier not in assignees:
            refusal = "not from the assignee's mailbox"
        inbound = recorder.add_inbound(reply.inbound_draft())
        if reply.envelope.protocol == "imap":  # the mailbox copy may move once this commits
            mark_committed(session, reply.spool_id, MoveRole.PROCESSED)
        handling = _Handling(pipeline, recorder, inbound, assignment, entry, reply)
        prefix = (
            f"reply to assignment {assignment.id} "
            f"({assignment.unit_code}, {entry.year}/{entry.incoming_number})"
        )
        if refusal:
            handling.audit("reply.refused", reason=refusal)
            note, answered = f"{prefix} refused: {refusal}; nothing changed", False
        elif reply.parsed.is_automatic:
            handling.audit("reply.ignored")
            note, answered = f"{prefix}: automatic mail (RFC 3834), ignored", False
        else:
            note, answered = handling.act()
            note = f"{prefix}: {note}"
        inbound.note = note
        inbound.answered = answered
        return StageOutcome(Outcome.ACCEPTED, note, answered)


def _refusal(pipeline: PipelineContext, reply: ReceivedReply) -> str:
    """Why the From address cannot be believed ("" when it can): DMARC fails for it."""
    if pipeline.resolver is None:
        return ""
    auth = authenticate(reply.raw, reply.parsed, reply.envelope, pipeline.resolver)
    return "the sender's domain fails DMARC" if auth.dmarc.forged else ""


@dataclass(frozen=True)
class _Handling:
    """One accepted reply inside its transaction."""

    pipeline: PipelineContext
    recorder: Recorder
    inbound: InboundMessage
    assignment: AssignmentRecord
    entry: RegisterEntry
    reply: ReceivedReply

    @property
    def incoming(self) -> str:
        return register_label(self.entry.year, self.entry.incoming_number)

    def audit(self, action: str, **details: object) -> None:
        self.recorder.audit(
            action,
            inbound=self.inbound,
            entry=self.entry,
            actor=self.reply.replier or "unknown",
            assignment=self.assignment.id,
            **details,
        )

    def act(self) -> tuple[str, bool]:
        """Apply the reply's keyword; (note, whether help was mailed back)."""
        found = read_intent(self.reply.parsed.body_text)
        applied: Applied | None = None
        if found is not None:
            applied = apply_intent(
                self.recorder,
                self.assignment,
                self.entry,
                found,
                actor=self.reply.replier,
                units=_units(self.pipeline),
            )
        if found is None or applied is None or applied.unknown_unit:
            why = applied.note if applied else "no keyword recognised"
            if not self.reply.answerable:
                return f"{why}; null sender, not answered (RFC 3834)", False
            return self.help(why)
        self.audit("reply.accepted", intent=str(found.intent))
        if applied.entry_status is not None:
            queue_status_notice(
                self.recorder,
                env=self.pipeline.templates,
                entry=self.entry,
                status=applied.entry_status,
                unit_name=self.assignment.unit_name or self.assignment.unit_code,
                from_address=self.pipeline.from_address,
                timezone=self.pipeline.zone.key,
            )
        if applied.returned_reason is not None:
            self.queue(
                returned_mail(
                    to_address=self.pipeline.administrator or self.pipeline.from_address,
                    assignment_id=self.assignment.id or 0,
                    incoming=self.incoming,
                    unit=self.assignment.unit_name or self.assignment.unit_code,
                    by=self.reply.replier,
                    reason=applied.returned_reason,
                )
            )
        if applied.transfer_request is not None:  # "đề nghị chuyển": tell who decides
            queue_request_notice(self.recorder, Desk.of(self.pipeline), applied.transfer_request)
        if applied.new_assignment is not None:
            queue_routed_copy(
                self.recorder,
                applied.new_assignment,
                self.entry,
                archive=self.pipeline.archive,
                env=self.pipeline.templates,
                from_address=self.pipeline.from_address,
                timezone=self.pipeline.zone.key,
            )
        return applied.note, False

    def help(self, why: str) -> tuple[str, bool]:
        """Help to the replier, once per assignment."""
        assignment_id = self.assignment.id or 0
        first = claim(
            self.recorder.session,
            HELP_KEY.format(assignment_id),
            "help",
            now=self.recorder.now,
            instance=self.reply.spool_id,
            entry_id=self.entry.id,
            assignment_id=assignment_id,
        )
        self.audit("reply.unrecognised", help_sent=first)
        if not first:
            return f"{why}; help was sent before, not again", False
        self.queue(
            help_mail(
                to_address=self.reply.replier,
                assignment_id=assignment_id,
                incoming=self.incoming,
                reply_to=reply_address(self.pipeline.from_address, self.assignment.token),
                in_reply_to=self.reply.parsed.message_id,
            )
        )
        return f"{why}; help sent", True

    def queue(self, mail: FollowUpMail) -> None:
        self.recorder.add_outbox(
            self.inbound,
            build_follow_up(
                mail,
                env=self.pipeline.templates,
                from_address=self.pipeline.from_address,
                now=self.recorder.now,
                timezone=self.pipeline.zone.key,
            ),
        )


def _units(pipeline: PipelineContext) -> Mapping[str, Unit]:
    return pipeline.router.units if pipeline.router is not None else {}
