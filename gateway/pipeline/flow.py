"""One spooled message through the whole pipeline, ending in ONE register transaction.

analyse (outside any transaction: pyHanko is slow) → decide (rules) → archive the raw
bytes → write inbound record, entries, signatures, attachments, audit events and the
answer in one transaction. Re-processing a committed spool item changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy.engine import Engine

from gateway.distribution.replies import take_leader_reply
from gateway.issuing.confirmations import take_confirmation
from gateway.outbox.alerts import malware_alert
from gateway.outbox.answers import answer_recipient, build_answer
from gateway.outbox.compose import RegisteredDocument
from gateway.pipeline.admin_alerts import record_alerts
from gateway.pipeline.analysis import MessageAnalysis, Verifier, analyse, decision_facts
from gateway.pipeline.context import IncomingMail, IntakeStage
from gateway.pipeline.documents.ocr import OcrReader
from gateway.pipeline.duplicates import settle_outcome
from gateway.pipeline.registering import register_documents
from gateway.pipeline.secrecy import conceal, refuse_whole, secrecy_level, secret_alert
from gateway.routing.step import Router, RoutingPlan, RoutingWriter, plan_routing
from gateway.scan.stage import Scanner, ScanReport, scan_message
from gateway.senderauth.dns import Resolver
from gateway.senderauth.screening import Screening, record_returned, screen, withheld
from gateway.spool.envelope import Envelope
from gateway.storage.archive import ByteStore
from gateway.tracking.replies import take_reply
from mailparse.limits import Limits
from mailparse.mime import DEFAULT_LIMITS, parse_once
from mailparse.signatures.verdicts import TrustStore
from registry.agencies.directory import Directory
from registry.database import read_session, write_session
from registry.drafts import InboundDraft, OutboxDraft
from registry.mail.imap_ledger import MoveRole, mark_committed
from registry.models import Outcome
from registry.numbering import register_label
from registry.recorder import Recorder
from rules.acceptance import decide
from rules.decision import Decision, Policy

log = logging.getLogger(__name__)

_RESTRICTED_REASONS = frozenset({"secret-document", "malware"})


@dataclass(frozen=True)
class ProcessResult:
    """What became of one item; printed by ``gateway ingest`` and logged."""

    spool_id: str
    outcome: str
    reasons: tuple[str, ...]
    entries: tuple[str, ...]
    answered: bool
    already_done: bool = False
    restricted: bool = False  # its bytes belong in the restricted store only (R-SECRET)


# The stages that may claim a message before the document path, in order (Mailman's chain
# as data, STYLE): answers to our issued documents (DESIGN §4.7), a leader's decision by
# reply (§4.8), an assignee's reply (§4.4). Each records what it took in and is never
# answered with a receipt; a message none of them claims is an incoming document.
INTAKE_STAGES: tuple[IntakeStage, ...] = (take_confirmation, take_leader_reply, take_reply)


@dataclass(frozen=True)
class Pipeline:
    """Everything one message needs, built once by the service (explicit wiring)."""

    engine: Engine
    archive: ByteStore
    restricted: ByteStore
    directory: Directory
    trust: TrustStore
    policy: Policy
    verify: Verifier
    templates: jinja2.Environment
    from_address: str
    zone: ZoneInfo
    scanner: Scanner | None = None  # None: virus scanning is off ([scanner] clamd = "")
    administrator: str = ""  # [alerts] administrator: mailed when malware is found
    limits: Limits = DEFAULT_LIMITS  # [limits] on hostile input
    resolver: Resolver | None = None  # DNS for DKIM/SPF/DMARC; None: not checked (R-FORGE)
    signer: Callable[[bytes], bytes] | None = None  # DKIM-signs every mail queued
    auto_replies_per_day: int = 20  # per address outside the directory; 0: no limit
    router: Router | None = None  # routing rules (R-ASSIGN); None: nothing is routed
    ocr: OcrReader | None = None  # scans without a text layer (gateway.ocr); None: no OCR

    def process(self, spool_id: str, raw: bytes, envelope: Envelope) -> ProcessResult:
        """Run the pipeline for one item; idempotent on ``spool_id``. The directory and the
        rules in force are held as read for the whole message (:mod:`registry.holding`)."""
        rules = self.router.held() if self.router is not None else nullcontext()
        with self.directory.held(), rules:
            return self._process(spool_id, raw, envelope)

    def _process(self, spool_id: str, raw: bytes, envelope: Envelope) -> ProcessResult:
        done = self._already_recorded(spool_id)
        if done is not None:
            return done
        # Parsed once, on first use, by whichever stage needs it first (DESIGN §1.2).
        parsed = parse_once(raw, self.limits, local_domains=self.directory.local_domains)
        mail = IncomingMail(spool_id, raw, envelope, parsed)
        for stage in INTAKE_STAGES:  # the first that claims the message handles it
            claimed = stage(self, mail)
            if claimed is not None:
                return ProcessResult(spool_id, claimed.outcome, (), (), claimed.answered)
        analysis = analyse(
            raw,
            parsed=parsed,
            directory=self.directory,
            trust=self.trust,
            received_at=envelope.received_at,
            verify=self.verify,
            log_id=spool_id,
            limits=self.limits,
            ocr=self.ocr,
        )
        screening = screen(
            raw, analysis, envelope, self.resolver, from_address=self.from_address, log_id=spool_id
        )
        analysis = screening.analysis  # a forged From is no agency (R-FORGE)
        # R-VIRUS: scanned before the decision; a scanner that is down raises (the item waits)
        scan = scan_message(self.scanner, raw, hashlib.sha256(raw).hexdigest(), analysis, spool_id)
        facts = replace(
            decision_facts(analysis),
            malware=scan.signatures,
            released_by=envelope.released_by,
            **screening.facts(),
        )
        decision = refuse_whole(analysis, decide(facts, self.policy))  # R-SECRET: all of it
        plan = plan_routing(self.router, analysis, decision, envelope, self.zone)
        decision = plan.decision  # a rule may refuse a document
        analysis, decision = conceal(analysis, decision)  # R-SECRET: nothing of it kept or quoted
        restricted = analysis.secret or scan.infected  # never in the archive with the rest
        sha256 = (self.restricted if restricted else self.archive).store(raw)
        result = self._record(
            spool_id,
            sha256,
            envelope,
            analysis,
            decision,
            scan=scan,
            screening=screening,
            plan=plan,
        )
        log.info(
            "%s: %s %s entries=%s reasons=%s",
            spool_id,
            result.outcome,
            analysis.parsed.message_id if analysis.parsed else "-",
            ",".join(result.entries) or "-",
            ",".join(result.reasons) or "-",
        )
        return replace(result, restricted=restricted)

    def answer(
        self,
        *,
        spool_id: str,
        envelope: Envelope,
        analysis: MessageAnalysis,
        decision: Decision,
        recipient: str,
        now: datetime,
        registered: Sequence[RegisteredDocument] = (),
    ) -> OutboxDraft:
        """The one answer (receipt or rejection) to an inbound message, rendered now."""
        return build_answer(
            env=self.templates,
            spool_id=spool_id,
            envelope=envelope,
            analysis=analysis,
            decision=decision,
            registered=registered,
            recipient=recipient,
            from_address=self.from_address,
            now=now,
            timezone=self.zone.key,
        )

    def _already_recorded(self, spool_id: str) -> ProcessResult | None:
        with read_session(self.engine) as session:
            return _recorded_result(Recorder(session), spool_id)

    def _record(
        self,
        spool_id: str,
        sha256: str,
        envelope: Envelope,
        analysis: MessageAnalysis,
        decision: Decision,
        *,
        scan: ScanReport,
        screening: Screening,
        plan: RoutingPlan,
    ) -> ProcessResult:
        now = datetime.now(UTC)
        parsed = analysis.parsed
        fingerprint = analysis.fingerprint(sha256)
        with write_session(self.engine) as session:
            recorder = Recorder(session, now=now, sign=self.signer)
            done = _recorded_result(recorder, spool_id)  # another worker may have won the race
            if done is not None:
                return done
            message_id = parsed.message_id if parsed else None
            earlier = recorder.find_redelivery(message_id, fingerprint)
            outcome = Outcome(decision.outcome.value) if earlier is None else Outcome.DUPLICATE
            recipient = answer_recipient(envelope, analysis)
            answering = earlier is None and recipient is not None and outcome is not Outcome.HELD
            held_back = (  # loops, floods and backscatter (gateway.backscatter)
                withheld(
                    session,
                    screening,
                    recipient=recipient,
                    rejection=outcome is Outcome.REJECTED,
                    directory=self.directory,
                    cap=self.auto_replies_per_day,
                    now=now,
                )
                if answering and recipient is not None
                else ""
            )
            answering = answering and not held_back
            inbound = recorder.add_inbound(
                InboundDraft(
                    spool_id=spool_id,
                    message_id=message_id,
                    sha256=sha256,
                    fingerprint=fingerprint,
                    received_at=envelope.received_at,
                    protocol=envelope.protocol,
                    envelope_from=envelope.mail_from,
                    sender_address=parsed.sender.address if parsed and parsed.sender else None,
                    sender_agency_code=analysis.agency.code if analysis.agency else None,
                    subject="" if analysis.secret or parsed is None else parsed.subject,
                    outcome=outcome,
                    reasons=tuple(str(r) for r in decision.reasons),
                    trace=tuple(_trace(decision)),
                    answered=answering,
                    note=held_back
                    or screening.loopback.note
                    or _note(earlier is not None, recipient, outcome),
                    duplicate_of=earlier.id if earlier is not None else None,
                    scan=scan.as_json(),
                    sender_auth=screening.record(),
                )
            )
            record_returned(session, screening, now, spool_id)
            if scan.infected and self.administrator:
                alert = malware_alert(
                    from_address=self.from_address,
                    to_address=self.administrator,
                    spool_id=spool_id,
                    findings=scan.summary(),
                    now=now,
                )
                recorder.add_outbox(inbound, alert)
            if analysis.secret and self.administrator and earlier is None:  # R-SECRET
                alert = secret_alert(
                    from_address=self.from_address,
                    to_address=self.administrator,
                    spool_id=spool_id,
                    sender=envelope.mail_from,
                    level=secrecy_level(analysis),
                    sha256=sha256,
                    now=now,
                )
                recorder.add_outbox(inbound, alert)
            if earlier is None:  # shown until acknowledged, mailed or not (R-SECRET, R-VIRUS)
                record_alerts(
                    recorder.session,
                    spool_id=spool_id,
                    now=now,
                    secret_level=secrecy_level(analysis) if analysis.secret else None,
                    malware=", ".join(scan.signatures) if scan.infected else None,
                    administrator=self.administrator,
                )
            if envelope.protocol == "imap":  # the mailbox copy may move once this commits
                mark_committed(session, spool_id, MoveRole.PROCESSED)
            if earlier is not None:
                numbers = [
                    register_label(e.year, e.incoming_number) for e in recorder.entries_of(earlier)
                ]
                return ProcessResult(spool_id, outcome, (), tuple(numbers), answered=False)
            registered = register_documents(
                recorder,
                inbound,
                envelope,
                analysis,
                decision,
                plan=plan,
                zone=self.zone,
                routing=self._routing_writer(),
            )
            outcome = settle_outcome(recorder, inbound, registered)  # duplicate by law?
            if answering and recipient is not None:
                recorder.add_outbox(
                    inbound,
                    self.answer(
                        spool_id=spool_id,
                        envelope=envelope,
                        analysis=analysis,
                        decision=decision,
                        recipient=recipient,
                        now=now,
                        registered=registered,
                    ),
                )
        return ProcessResult(
            spool_id,
            outcome,
            tuple(str(r) for r in decision.reasons),
            tuple(d.incoming for d in registered),
            answering,
        )

    def _routing_writer(self) -> RoutingWriter:
        units = self.router.units if self.router is not None else {}
        return RoutingWriter(units, self.templates, self.from_address, self.zone)


def _recorded_result(recorder: Recorder, spool_id: str) -> ProcessResult | None:
    """The result of a spool item already committed, or None."""
    inbound = recorder.find_inbound(spool_id)
    if inbound is None:
        return None
    entries = recorder.entries_of(inbound)
    return ProcessResult(
        spool_id,
        inbound.outcome,
        tuple(inbound.reasons),
        tuple(register_label(e.year, e.incoming_number) for e in entries),
        inbound.answered,
        already_done=True,
        restricted=bool(_RESTRICTED_REASONS & set(inbound.reasons)),
    )


def _trace(decision: Decision) -> list[dict[str, object]]:
    return [step.as_row() for step in decision.trace]


def _note(redelivery: bool, recipient: str | None, outcome: Outcome) -> str:
    if redelivery:
        return "re-delivery of a message already processed; its first answer stands"
    if outcome is Outcome.HELD:
        return "held for a clerk's decision; answered when decided"
    if recipient is None:
        return "not answered: null sender, automatic mail (RFC 3834) or unusable return address"
    return ""
