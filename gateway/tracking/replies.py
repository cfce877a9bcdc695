"""Replies from assignees (DESIGN §4.4): matched before anything else.

A message is a reply when an envelope recipient or a To address is a plus address of the
gateway carrying an assignment's token (``vanthu+TOKEN@…``), or when its In-Reply-To /
References name a routed copy's Message-ID *that carries the assignment's unguessable
thread mark* (:func:`gateway.routing.routed_copy.thread_mark`): a Message-ID a stranger
can compute (``routed-copy.YEAR-NUMBER.ASSIGNMENT@…``, as older copies had) proves
nothing. A message that is not from the assignee (or fails DMARC) and carries a PDF is
no reply at all: it goes through the ordinary pipeline as a document (an agency's
document written "in reply" to a copy is registered, never silently dropped). A reply
is never registered as a document:
its inbound record has outcome ``accepted``, no entries, and the note
``reply to assignment N (UNIT): …`` saying what it did. Then:

* from anyone but the assignee (From ≠ the assignment's mailbox or person, any case), or
  failing DMARC when sender authentication is on: nothing changes, an audit event
  ``reply.refused`` names the address, and nobody is mailed (the impostor learns nothing);
* automatic mail (RFC 3834: Auto-Submitted, Precedence bulk/junk/list, mailer-daemon):
  recorded, ignored, never answered;
* a recognised keyword (:func:`rules.progress.read_intent`): the status moves
  (:mod:`gateway.tracking.reply_actions`), the sender is told
  (:mod:`gateway.tracking.status_notice`), a
  returned document is reported to the clerk ([alerts] administrator, else the gateway
  address) — all in the one transaction that records the reply;
* anything else, or "chuyển" to an unknown unit: short help to the assignee, once per
  assignment (the clock-event key ``help:<assignment id>`` is the once-claim).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from gateway.pipeline.context import IncomingMail, StageOutcome
from gateway.routing.routed_copy import thread_mark
from gateway.spool.envelope import Envelope
from gateway.tracking.reply_intake import ReceivedReply, record_reply
from mailparse.dsn import header_values
from mailparse.errors import MailparseError
from mailparse.message import ParsedMessage
from registry.database import read_session
from registry.models import AssignmentRecord
from registry.tracking.replies import assignment_by_token, assignments_routed_as

if TYPE_CHECKING:
    from gateway.pipeline.context import PipelineContext

log = logging.getLogger(__name__)


def reply_tokens(envelope: Envelope, parsed: ParsedMessage) -> tuple[str, ...]:
    """The ``+TOKEN`` parts of the envelope recipients and the To addresses, lower-cased."""
    addresses = [*envelope.rcpt_tos, *(a.address for a in parsed.to)]
    tokens = []
    for address in addresses:
        local = address.rpartition("@")[0]
        if "+" in local:
            tokens.append(local.partition("+")[2].strip().lower())
    return tuple(dict.fromkeys(t for t in tokens if t))


def thread_ids(parsed: ParsedMessage) -> tuple[str, ...]:
    """In-Reply-To and References, each with and without angle brackets."""
    ids = [parsed.in_reply_to or "", *parsed.references]
    bare = [i.strip().strip("<>") for i in ids if i.strip()]
    return tuple(dict.fromkeys([*bare, *(f"<{b}>" for b in bare)]))


def match_reply(
    session: Session, envelope: Envelope, parsed: ParsedMessage
) -> AssignmentRecord | None:
    """The assignment this message answers: by token first, then by thread."""
    tokens = reply_tokens(envelope, parsed)
    if tokens:
        found = assignment_by_token(session, tokens)
        if found is not None:
            return found
    ids = thread_ids(parsed)
    if not ids:
        return None
    threaded = assignments_routed_as(session, ids)
    return next((a for a in threaded if _marked(a)), None)


def _marked(assignment: AssignmentRecord) -> bool:
    """The routed copy's Message-ID carries the assignment's secret thread mark."""
    return thread_mark(assignment.token) in (assignment.routed_message_id or "")


def from_assignee(parsed: ParsedMessage, assignment: AssignmentRecord) -> bool:
    """The From address is the assignment's mailbox or person (any case)."""
    replier = parsed.sender.address.lower() if parsed.sender else ""
    return bool(replier) and replier in {
        assignment.mailbox.lower(),
        (assignment.person or "").lower(),
    }


def take_reply(pipeline: PipelineContext, mail: IncomingMail) -> StageOutcome | None:
    """Handle ``mail`` when it is a reply to an assignment; None when it is not one."""
    spool_id, raw, envelope = mail.spool_id, mail.raw, mail.envelope
    if not _may_be_reply(raw, envelope):
        return None  # most mail: decided from the envelope and the header section alone
    try:
        parsed = mail.parsed()
    except MailparseError:
        return None  # the pipeline records the malformed message as usual
    if not reply_tokens(envelope, parsed) and not thread_ids(parsed):
        return None
    with read_session(pipeline.engine) as session:
        assignment = match_reply(session, envelope, parsed)
        assignment_id = assignment.id if assignment is not None else None
        assignee = assignment is not None and from_assignee(parsed, assignment)
    if assignment_id is None or _infected(pipeline, raw, parsed):
        return None  # malware: the ordinary pipeline rejects it, alerts, keeps it restricted
    if not assignee and any(a.is_pdf for a in parsed.attachments):
        return None  # a document from someone else in the thread: registered as such
    sha256 = pipeline.archive.store(raw)
    reply = ReceivedReply(spool_id, sha256, raw, envelope, parsed)
    outcome = record_reply(pipeline, reply, assignment_id)
    log.info("%s: reply to assignment %s: %s", spool_id, assignment_id, outcome.note)
    return outcome


def _may_be_reply(raw: bytes, envelope: Envelope) -> bool:
    """A cheap look before the full parse: a plus address, or a message in a thread."""
    if any("+" in rcpt.rpartition("@")[0] for rcpt in envelope.rcpt_tos):
        return True
    found = header_values(raw, "In-Reply-To", "References", "To")
    return bool(found.get("in-reply-to") or found.get("references") or "+" in found.get("to", ""))


def _infected(pipeline: PipelineContext, raw: bytes, parsed: ParsedMessage) -> bool:
    """R-VIRUS for replies too: the message and each attachment through the scanner (a
    scanner that is down raises, and the item waits)."""
    scanner = pipeline.scanner
    if scanner is None:
        return False
    parts = [raw, *(a.data for a in parsed.attachments)]
    return any(scanner.scan(data).signature is not None for data in parts)
