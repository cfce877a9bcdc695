"""A leader's reply to a digest or to a document's notice (R-DISTRIB): matched before
assignees' replies, never registered as a document.

A message is such a reply when an envelope recipient or a To address carries the token of
a digest or of a distribution (``vanthu+TOKEN@…``), or when its In-Reply-To / References
name a digest's or a notice's Message-ID. It is recorded like an assignee's reply (inbound
outcome ``accepted``, no entries, a note saying what it did); then:

* from any mailbox but the leader's own (any case) or their delegate's while a delegation
  is in force (the decision then records "on behalf of"), or failing DMARC when sender
  authentication is on: nothing changes, ``distribution.reply_refused`` is audited, nobody
  is mailed;
* automatic mail (RFC 3834): recorded, ignored;
* "đồng ý" / "giao <đơn vị>" (:func:`rules.leader_reply.read_leader_reply`): each
  document named (or every document of the answered mail) is decided as in the console
  (:func:`gateway.distribution.decide.apply_decision`), each in a savepoint, so that one
  decided meanwhile by someone else leaves the others to go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.distribution.decide import (
    Channel,
    Desk,
    DistributionError,
    Order,
    apply_decision,
    as_proposed,
    on_behalf,
)
from gateway.pipeline.context import IncomingMail, PipelineContext, StageOutcome
from gateway.senderauth.authenticate import authenticate
from gateway.spool.envelope import Envelope
from gateway.tracking.replies import reply_tokens, thread_ids
from gateway.tracking.reply_intake import ReceivedReply
from mailparse.dsn import header_values
from mailparse.errors import MailparseError
from mailparse.message import ParsedMessage
from registry.database import read_session, write_session
from registry.mail.imap_ledger import MoveRole, mark_committed
from registry.models import EntryStatus, Outcome, RegisterEntry
from registry.numbering import register_label
from registry.queries import entries_by_ids
from registry.recorder import Recorder
from registry.tracking import distribution as store
from registry.tracking.distribution import Distribution
from rules.leader_reply import LeaderIntent, LeaderWord, read_leader_reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """What a leader's reply is about: the leader's mailbox and the entries concerned."""

    mailbox: str
    entry_ids: tuple[int, ...]
    what: str  # "digest 12" / "notice of entry 7", for the note


def match_leader_reply(
    session: Session, envelope: Envelope, parsed: ParsedMessage
) -> Answered | None:
    """The digest or notice a message answers: by token first, then by thread."""
    tokens = reply_tokens(envelope, parsed)
    ids = thread_ids(parsed)
    for token in tokens:
        digest = store.digest_by_token(session, token)
        if digest is not None:
            return Answered(digest.leader_mailbox, tuple(digest.entry_ids), f"digest {digest.id}")
        row = store.by_token(session, token)
        if row is not None:
            return _of_row(row)
    digest = store.digest_by_message(session, ids)
    if digest is not None:
        return Answered(digest.leader_mailbox, tuple(digest.entry_ids), f"digest {digest.id}")
    row = store.by_notice(session, ids)
    return _of_row(row) if row is not None else None


def _of_row(row: Distribution) -> Answered:
    return Answered(row.leader_mailbox or "", (row.entry_id,), f"notice of entry {row.entry_id}")


def take_leader_reply(pipeline: PipelineContext, mail: IncomingMail) -> StageOutcome | None:
    """Handle ``mail`` when it answers a digest or notice; None when it does not."""
    spool_id, raw, envelope = mail.spool_id, mail.raw, mail.envelope
    if not _may_be_reply(raw, envelope):
        return None
    try:
        parsed = mail.parsed()
    except MailparseError:
        return None
    if not reply_tokens(envelope, parsed) and not thread_ids(parsed):
        return None
    with read_session(pipeline.engine) as session:
        answered = match_leader_reply(session, envelope, parsed)
    if answered is None:
        return None
    sha256 = pipeline.archive.store(raw)
    reply = ReceivedReply(spool_id, sha256, raw, envelope, parsed)
    outcome = _record(pipeline, reply, answered)
    log.info("%s: leader's reply (%s): %s", spool_id, answered.what, outcome.note)
    return outcome


def _record(pipeline: PipelineContext, reply: ReceivedReply, answered: Answered) -> StageOutcome:
    refusal = ""
    if pipeline.resolver is not None:  # the same DMARC check as assignees' replies (R-FORGE)
        auth = authenticate(reply.raw, reply.parsed, reply.envelope, pipeline.resolver)
        refusal = "the sender's domain fails DMARC" if auth.dmarc.forged else ""
    desk = Desk.of(pipeline)
    with write_session(pipeline.engine) as session:
        recorder = Recorder(session, now=datetime.now(UTC), sign=pipeline.signer)
        earlier = recorder.find_inbound(reply.spool_id)
        if earlier is not None:
            return StageOutcome(earlier.outcome, earlier.note, earlier.answered)
        if (
            not refusal
            and reply.replier != answered.mailbox.lower()
            and not _delegate_in_force(desk, session, answered, reply.replier, recorder.now)
        ):
            refusal = "not from the leader's mailbox"
        inbound = recorder.add_inbound(reply.inbound_draft())
        if reply.envelope.protocol == "imap":
            mark_committed(session, reply.spool_id, MoveRole.PROCESSED)
        prefix = f"leader's reply to {answered.what}"
        if refusal:
            recorder.audit(
                "distribution.reply_refused",
                inbound=inbound,
                actor=reply.replier or "unknown",
                reason=refusal,
                entries=list(answered.entry_ids),
            )
            note = f"{prefix} refused: {refusal}; nothing changed"
        elif reply.parsed.is_automatic:
            note = f"{prefix}: automatic mail (RFC 3834), ignored"
        else:
            note = f"{prefix}: {_decide(desk, recorder, reply, answered)}"
        inbound.note = note
        inbound.answered = False
        return StageOutcome(Outcome.ACCEPTED, note, False)


def _decide(desk: Desk, recorder: Recorder, reply: ReceivedReply, answered: Answered) -> str:
    said = read_leader_reply(reply.parsed.body_text)
    if not said.words:
        return "no keyword recognised; nothing changed"
    entries = entries_by_ids(recorder.session, answered.entry_ids)
    done: list[str] = []
    for word in said.words:
        for entry in entries:
            number = register_label(entry.year, entry.incoming_number)
            if word.incoming is not None and word.incoming != number:
                continue
            outcome = _one(desk, recorder, entry, word, note=said.note, by=reply.replier)
            done.append(f"{number} {outcome}")
    return "; ".join(done) or "the numbers named are not in the answered mail; nothing changed"


def _one(
    desk: Desk, recorder: Recorder, entry: RegisterEntry, word: LeaderWord, *, note: str, by: str
) -> str:
    row = store.distribution_of(recorder.session, entry.id or 0)
    if row is None or entry.status != EntryStatus.AWAITING_DISTRIBUTION:
        return "already decided"
    text = " ".join(p for p in (word.note, note) if p)
    try:
        with recorder.session.begin_nested():
            order = as_proposed(row, text)
            if word.intent is LeaderIntent.ASSIGN:
                order = _reassigned(order, word.unit, text)
            decided = apply_decision(desk, recorder, entry, row, order, by=by, channel=Channel.MAIL)
    except DistributionError as exc:
        recorder.session.refresh(entry)
        return f"not decided ({exc})"
    return f"{word.intent}: lead {decided.assignments[0].unit_code}"


def _reassigned(order: Order, unit: str, note: str) -> Order:
    """ "giao <unit>": that unit leads; the proposal's other units keep their parts."""
    return Order(
        lead=unit,
        cooperate=tuple(u for u in order.cooperate if u != unit),
        inform=tuple(u for u in order.inform if u != unit),
        note=note,
    )


def _delegate_in_force(
    desk: Desk, session: Session, answered: Answered, replier: str, now: datetime
) -> bool:
    """Does ``replier`` decide, today, for the leader of the documents answered (a
    delegation in force, :mod:`gateway.distribution.delegation`)? Each decision then
    records "on behalf of" (:func:`gateway.distribution.decide.on_behalf`)."""
    for entry_id in answered.entry_ids:
        row = store.distribution_of(session, entry_id)
        if row is not None and on_behalf(desk, session, row, replier, now) is not None:
            return True
    return False


def _may_be_reply(raw: bytes, envelope: Envelope) -> bool:
    if any("+" in rcpt.rpartition("@")[0] for rcpt in envelope.rcpt_tos):
        return True
    found = header_values(raw, "In-Reply-To", "References", "To")
    return bool(found.get("in-reply-to") or found.get("references") or "+" in found.get("to", ""))
