"""``gateway quarantine list | show | reprocess | release | reject`` (DESIGN §1.2, §4.1).

A quarantined spool item waits for an administrator, who decides one of:

- ``reprocess ID``: back to new/ as a fresh item (counters reset); the placeholder
  ``quarantined`` inbound row is removed, so the pipeline processes it afresh and answers it
  (the pipeline is idempotent on the spool id).
- ``release ID``: the same, but the item is processed *alone* (as a suspect, isolated from
  other items), for an item that killed the process; a crash while alone counts against it.
- ``reject ID --reason CODE``: the sender gets a rejection with that reason code, the raw
  message goes to the archive, the item is finished without being processed.

Each answer has the stable Message-ID of its spool id, so the item is answered exactly
once whichever path it takes. Every action is an audit event with the OS user as actor.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.errors import GatewayError
from gateway.outbox.answers import answer_recipient
from gateway.pipeline.analysis import MessageAnalysis
from gateway.spool.queue import REASON_FILE, ItemState, SpoolItem
from gateway.wiring import Components
from mailparse.documents.document import DocumentFacts
from mailparse.errors import MalformedMessageError
from mailparse.mime import parse
from mailparse.reasons import Reason
from registry.console.inbound_log import forget_placeholder
from registry.database import read_session, write_session
from registry.drafts import InboundDraft
from registry.models import Outcome
from registry.recorder import Recorder
from rules.acceptance_words import rejected_from_quarantine
from rules.decision import Decision, MessageOutcome, TraceStep


def actor() -> str:
    """Who runs the command: the OS user (audit trail, R-ACCOUNT)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class QuarantineTools:
    components: Components
    person: str = ""  # the console user deciding; empty: the OS user (command line)

    def _actor(self) -> str:
        return self.person or actor()

    def list(self) -> list[dict[str, Any]]:
        spool = self.components.spool
        return [self._summary(spool.quarantined_item(i)) for i in spool.quarantined()]

    def show(self, item_id: str) -> dict[str, Any]:
        item = self.components.spool.quarantined_item(item_id)
        row = self._summary(item)
        row["envelope"] = json.loads((item.path / "envelope.json").read_text(encoding="utf-8"))
        row["state"] = {k: v for k, v in vars(item.state).items() if k != "not_before"}
        with read_session(self.components.engine) as session:
            inbound = Recorder(session).find_inbound(item_id)
            row["inbound"] = (
                None if inbound is None else {"outcome": inbound.outcome, "note": inbound.note}
            )
        return row

    def reprocess(self, item_id: str, *, alone: bool = False) -> str:
        """Back to the queue, afresh; returns what was done (for the command's output)."""
        spool = self.components.spool
        item = spool.quarantined_item(item_id)
        reason = _reason(item)
        action = "quarantine.release" if alone else "quarantine.reprocess"
        with write_session(self.components.engine) as session:
            recorder = Recorder(session)
            _forget_placeholder(recorder, item_id)
            recorder.audit(action, actor=self._actor(), spool_id=item_id, quarantine_reason=reason)
        # crashes=1 makes the worker run it alone (see ItemState); solo_crashes start at 0
        spool.release(item_id, ItemState(crashes=1 if alone else 0))
        return "processed alone" if alone else "processed afresh"

    def reject(self, item_id: str, reason: Reason, note: str = "") -> bool:
        """Answer the sender with a rejection; True when an answer was queued."""
        c = self.components
        item = c.spool.quarantined_item(item_id)
        raw, envelope = item.raw(), item.envelope()
        try:
            parsed = parse(raw)
        except MalformedMessageError:
            parsed = None
        analysis = MessageAnalysis(parsed, None, None, (), DocumentFacts())
        why = rejected_from_quarantine(self._actor(), note)
        decision = Decision(
            MessageOutcome.REJECTED, (reason,), trace=(TraceStep("administrator", True, why),)
        )
        now = datetime.now(UTC)
        recipient = answer_recipient(envelope, analysis)
        sha256 = c.pipeline.archive.store(raw)
        with write_session(c.engine) as session:
            recorder = Recorder(session, now=now, sign=c.pipeline.signer)
            earlier = recorder.find_inbound(item_id)
            if earlier is not None and earlier.outcome != Outcome.QUARANTINED:
                raise GatewayError(f"spool item {item_id} was already decided: {earlier.outcome}")
            _forget_placeholder(recorder, item_id)
            inbound = recorder.add_inbound(
                InboundDraft(
                    spool_id=item_id,
                    message_id=parsed.message_id if parsed else None,
                    sha256=sha256,
                    fingerprint=analysis.fingerprint(sha256),
                    received_at=envelope.received_at,
                    protocol=envelope.protocol,
                    envelope_from=envelope.mail_from,
                    sender_address=parsed.sender.address if parsed and parsed.sender else None,
                    sender_agency_code=None,
                    subject=parsed.subject if parsed else "",
                    outcome=Outcome.REJECTED,
                    reasons=(str(reason),),
                    trace=(TraceStep("administrator", True, why).as_row(),),
                    answered=recipient is not None,
                    note=why[:2000],
                )
            )
            recorder.audit(
                "quarantine.reject",
                inbound=inbound,
                actor=self._actor(),
                reason=str(reason),
                note=note,
            )
            if recipient is not None:
                recorder.add_outbox(
                    inbound,
                    c.pipeline.answer(
                        spool_id=item_id,
                        envelope=envelope,
                        analysis=analysis,
                        decision=decision,
                        recipient=recipient,
                        now=now,
                    ),
                )
        c.spool.close_quarantined(item_id)
        return recipient is not None

    def _summary(self, item: SpoolItem) -> dict[str, Any]:
        envelope = item.envelope()
        return {
            "spool_id": item.id,
            "received_at": envelope.received_at.astimezone(
                self.components.deployment.zone
            ).isoformat(timespec="seconds"),
            "protocol": envelope.protocol,
            "mail_from": envelope.mail_from,
            "size": (item.path / "message.eml").stat().st_size,
            "attempts": item.state.attempts,
            "reason": _reason(item),
        }


def _reason(item: SpoolItem) -> str:
    path: Path = item.path / REASON_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def _forget_placeholder(recorder: Recorder, spool_id: str) -> None:
    """Remove the ``quarantined`` inbound row of ``spool_id`` (its audit events stay)."""
    placeholder = recorder.find_inbound(spool_id)
    if placeholder is None:
        return
    if placeholder.outcome != Outcome.QUARANTINED:
        raise GatewayError(f"spool item {spool_id} was already decided: {placeholder.outcome}")
    forget_placeholder(recorder.session, placeholder)
