"""A clerk's or administrator's decision on a HELD inbound message (DESIGN §4.4, §4.5).

A message whose signatures could not be decided (``signature-indeterminate``) is recorded
``held``: no incoming number, no answer yet. A person decides one of:

- :meth:`HeldDecisions.reject`: the held record becomes ``rejected`` with the chosen reason,
  and the sender gets the rejection (the answer owed exactly once, with the stable
  Message-ID of the item's spool id) — all in one transaction.
- :meth:`HeldDecisions.release`: as reprocess, with the person's release in the envelope:
  what held the message is accepted (and named in the trace), so its documents are
  registered and the sender gets the receipt.
- :meth:`HeldDecisions.reprocess`: the archived bytes go back to the spool as a fresh item
  (e.g. once revocation data is reachable again) and the held record is removed in the same
  step, so the pipeline decides and answers the message afresh.

Every decision is an audit event with the person's user name (R-ACCOUNT).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gateway.errors import GatewayError
from gateway.outbox.answers import answer_recipient
from gateway.pipeline.analysis import MessageAnalysis
from gateway.spool.envelope import Envelope
from gateway.spool.queue import ENVELOPE_FILE
from gateway.wiring import Components
from mailparse.documents.document import DocumentFacts
from mailparse.errors import MalformedMessageError
from mailparse.mime import parse
from mailparse.reasons import Reason
from registry.agencies.directory import Agency
from registry.agencies.store import store
from registry.console.inbound_log import forget_held
from registry.database import write_session
from registry.models import (
    InboundMessage,
    Outcome,
)
from registry.recorder import Recorder
from rules.acceptance_words import rejected_when_held
from rules.decision import Decision, MessageOutcome, TraceStep


class NotHeldError(GatewayError):
    """The inbound record does not exist or was already decided."""


@dataclass(frozen=True)
class NewSender:
    """A held message's sender as a clerk adds it to the directory (DESIGN §4.9)."""

    code: str  # mã định danh, or a local code; an existing code gains the address
    name: str  # for a new code (an existing agency keeps its name)
    parent: str = ""
    group: str = ""
    whole_domain: bool = False  # also every address of the sender's domain


@dataclass(frozen=True)
class HeldDecisions:
    """Decide held inbound messages on behalf of ``actor`` (a console user name)."""

    components: Components
    actor: str

    def reject(self, inbound_id: int, reason: Reason, note: str = "") -> bool:
        """Reject the held message with ``reason``; True when a rejection mail was queued."""
        c = self.components
        now = datetime.now(UTC)
        why = rejected_when_held(self.actor, note)
        decision = Decision(
            MessageOutcome.REJECTED, (reason,), trace=(TraceStep("clerk", True, why),)
        )
        with write_session(c.engine) as session:
            inbound = _held(session.get(InboundMessage, inbound_id))
            raw = self._raw(inbound)
            try:
                parsed = parse(raw) if raw is not None else None
            except MalformedMessageError:
                parsed = None
            envelope = self._envelope(inbound)
            analysis = MessageAnalysis(parsed, None, None, (), DocumentFacts())
            recipient = answer_recipient(envelope, analysis)
            inbound.outcome = Outcome.REJECTED
            inbound.reasons = [str(reason)]
            inbound.trace = [*inbound.trace, TraceStep("clerk", True, why).as_row()]
            inbound.answered = recipient is not None
            inbound.note = why[:2000]
            session.add(inbound)
            recorder = Recorder(session, now=now, sign=c.pipeline.signer)
            recorder.audit(
                "held.reject", inbound=inbound, actor=self.actor, reason=str(reason), note=note
            )
            if recipient is not None:
                recorder.add_outbox(
                    inbound,
                    c.pipeline.answer(
                        spool_id=inbound.spool_id,
                        envelope=envelope,
                        analysis=analysis,
                        decision=decision,
                        recipient=recipient,
                        now=now,
                    ),
                )
        return recipient is not None

    def reprocess(self, inbound_id: int) -> str:
        """Send the held message through the pipeline again; returns the new spool id."""
        return self._respool(inbound_id, release=False)

    def release(self, inbound_id: int, *, add_sender: NewSender | None = None) -> str:
        """Accept what held the message (the person's decision, recorded in the trace) and
        send it through the pipeline again: its documents are registered and the sender
        gets the receipt owed. With ``add_sender``, the sender (an unknown sender held for
        review, DESIGN §4.9) joins the directory first (committed, audited), so this
        message and the next ones come from a known agency. Returns the new spool id."""
        return self._respool(inbound_id, release=True, add_sender=add_sender)

    def _respool(
        self, inbound_id: int, *, release: bool, add_sender: NewSender | None = None
    ) -> str:
        c = self.components
        if add_sender is not None:
            # Committed before the message is spooled again: the worker identifies the
            # sender the moment it claims the item, maybe before the release commits. A
            # failure after this leaves the sender listed and the message held (retry).
            with write_session(c.engine) as session:
                self._add_sender(
                    session, _held(session.get(InboundMessage, inbound_id)), add_sender
                )
        with write_session(c.engine) as session:
            inbound = _held(session.get(InboundMessage, inbound_id))
            raw = self._raw(inbound)
            if raw is None:
                raise GatewayError(f"held message {inbound_id}: archived bytes are missing")
            envelope = self._envelope(inbound)
            if release:
                envelope = replace(envelope, released_by=self.actor)
            # Spooled before the row goes: a SpoolError keeps the held record. The worker
            # analyses for seconds before it records, long after this commit.
            spool_id = c.spool.put(raw, envelope)
            recorder = Recorder(session)
            recorder.audit(
                "held.release" if release else "held.reprocess",
                actor=self.actor,
                held_spool_id=inbound.spool_id,
                spool_id=spool_id,
                subject=inbound.subject[:200],
            )
            forget_held(session, inbound)  # the trail, alerts and re-deliveries stay
        return spool_id

    def _add_sender(self, session: Session, inbound: InboundMessage, new: NewSender) -> None:
        address = (inbound.sender_address or "").lower()
        if "@" not in address:
            raise GatewayError(f"held message {inbound.id}: no sender address to add")
        domain = address.rpartition("@")[2]
        known = self.components.pipeline.directory.by_code(new.code.strip())
        try:
            if known is not None:  # another address of an agency already listed
                agency = known.model_copy(
                    update={
                        "addresses": tuple(dict.fromkeys((*known.addresses, address))),
                        "domains": tuple(
                            dict.fromkeys((*known.domains, *([domain] if new.whole_domain else [])))
                        ),
                    }
                )
            else:
                agency = Agency(
                    code=new.code.strip(),
                    name=new.name.strip(),
                    parent=new.parent.strip(),
                    group=new.group.strip(),
                    addresses=(address,),
                    domains=(domain,) if new.whole_domain else (),
                )
        except ValidationError as exc:
            fields = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
            raise GatewayError(f"thông tin cơ quan chưa đủ ({fields})") from exc
        store(session, agency, actor=self.actor, source=f"held:{inbound.id}", now=datetime.now(UTC))
        Recorder(session).audit(
            "directory.add",
            actor=self.actor,
            code=agency.code,
            name=agency.name,
            address=address,
            domain=domain if new.whole_domain else "",
            held_spool_id=inbound.spool_id,
        )

    def _raw(self, inbound: InboundMessage) -> bytes | None:
        pipeline = self.components.pipeline
        for archive in (pipeline.archive, pipeline.restricted):
            try:
                return archive.read(inbound.sha256)
            except OSError:
                continue
        return None

    def _envelope(self, inbound: InboundMessage) -> Envelope:
        """The envelope kept in the spool's done/ folder, or one rebuilt from the record."""
        kept = self.components.spool.root / "done" / inbound.spool_id / ENVELOPE_FILE
        try:
            return Envelope.from_json(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return Envelope(
                received_at=inbound.received_at,
                protocol=inbound.protocol,
                mail_from=inbound.envelope_from,
                rcpt_tos=(),
            )


def _held(inbound: InboundMessage | None) -> InboundMessage:
    if inbound is None or inbound.outcome != Outcome.HELD:
        raise NotHeldError("this message is not held (already decided, or unknown)")
    return inbound
