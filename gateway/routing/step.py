"""Routing in the pipeline: each document to register is routed before the transaction,
and its routing is written with its entry, routed copies queued in the same transaction.

* a rule's rejection → the document is refused: the answer lists it with the rule's reason
  code and text, and the inbound trace names the rule (``routing-reject``);
* a hold → registered (numbered) but not routed; the clerk assigns later;
* otherwise → assignments written, one routed copy per assignment queued.

Without a router (``Pipeline.router is None``) nothing here runs: the old behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import jinja2

from gateway.distribution.proposal import record_proposal
from gateway.outbox.compose import AssignmentLine
from gateway.pipeline.analysis import MessageAnalysis, PdfAnalysis
from gateway.pipeline.entries import entry_draft
from gateway.routing.in_force import routing_facts
from gateway.routing.routed_copy import (
    Assignee,
    CopiedFile,
    RoutedDocument,
    WithheldFile,
    routed_copy_draft,
)
from gateway.spool.envelope import Envelope
from mailparse.reasons import Reason
from registry.drafts import RegisteredNumber
from registry.models import InboundMessage
from registry.queries import get_entry
from registry.recorder import Recorder
from registry.tracking.assignments import AssignmentDraft, RoutingDraft, record_routing
from rules.decision import Decision, DocumentAction, DocumentDecision, MessageOutcome, TraceStep
from rules.routing_types import Role, Routing, RoutingFacts, Unit


class Router(Protocol):
    """What the pipeline needs of :class:`gateway.routing.in_force.Router`."""

    @property
    def units(self) -> Mapping[str, Unit]: ...

    def route(self, facts: RoutingFacts, now: datetime) -> Routing: ...

    def held(self) -> AbstractContextManager[object]:
        """A block (one message) in which the rules stay as read."""
        ...


@dataclass(frozen=True)
class DocumentRouting:
    """One document's routing and the facts it was decided on (kept for replay)."""

    facts: RoutingFacts
    routing: Routing


@dataclass(frozen=True)
class RoutingPlan:
    """The decision with rule refusals applied, and the routing of each document to
    register (by the document's sha256)."""

    decision: Decision
    routings: Mapping[str, DocumentRouting]
    documents: frozenset[str]  # sha256 of the documents to register (each forwarded alone)
    withheld: tuple[WithheldFile, ...] = ()  # refused or held documents: never forwarded


def plan_routing(
    router: Router | None,
    analysis: MessageAnalysis,
    decision: Decision,
    envelope: Envelope,
    zone: ZoneInfo,
) -> RoutingPlan:
    """Route each document the decision registers; a rule's rejection refuses it."""
    if router is None or analysis.secret:  # R-SECRET: never routed (never registered)
        return RoutingPlan(decision, {}, frozenset())
    now = datetime.now(UTC)
    routings: dict[str, DocumentRouting] = {}
    documents = list(decision.documents)
    refusals: list[TraceStep] = []
    for index, (pdf, document) in enumerate(zip(analysis.pdfs, decision.documents, strict=False)):
        if document.action is not DocumentAction.REGISTER:
            continue
        draft = entry_draft(
            pdf=pdf,
            analysis=analysis,
            envelope=envelope,
            year=envelope.received_at.astimezone(zone).year,
            sha256="",
            reference_only=document.reference_only,
            needs_review=decision.needs_review,
            attachments=(),
        )
        facts = routing_facts(analysis, pdf, draft)
        routing = router.route(facts, now)
        if routing.reject_code or routing.reject_reason:
            code = Reason(routing.reject_code) if routing.reject_code else Reason.NO_DOCUMENT
            documents[index] = replace(
                document,
                action=DocumentAction.REFUSE,
                reasons=(code,),
                note=routing.reject_reason,
            )
            rules = ", ".join(routing.matched_rules)
            why = f"quy tắc {rules} (phiên bản {routing.rules_version}) từ chối: {code}"
            refusals.append(TraceStep("routing-reject", True, why, document.filename))
            continue
        routings[pdf.attachment.sha256] = DocumentRouting(facts, routing)
    registered = frozenset(
        p.attachment.sha256
        for p, d in zip(analysis.pdfs, documents, strict=False)
        if d.action is DocumentAction.REGISTER
    )
    withheld = tuple(
        WithheldFile(
            p.attachment.filename,
            p.attachment.sha256,
            tuple(str(r) for r in d.reasons),
            held=d.action is DocumentAction.HOLD,
        )
        for p, d in zip(analysis.pdfs, documents, strict=False)
        if d.action in {DocumentAction.REFUSE, DocumentAction.HOLD}
    )
    return RoutingPlan(_refused(decision, documents, refusals), routings, registered, withheld)


def _refused(
    decision: Decision, documents: list[DocumentDecision], refusals: list[TraceStep]
) -> Decision:
    """The decision once rules refused some documents (as rules.acceptance words it)."""
    if not refusals:
        return decision
    actions = {d.action for d in documents}
    outcome = decision.outcome
    if DocumentAction.REGISTER not in actions and outcome is MessageOutcome.ACCEPTED:
        held = DocumentAction.HOLD in actions
        outcome = MessageOutcome.HELD if held else MessageOutcome.REJECTED
    return replace(
        decision,
        outcome=outcome,
        reasons=tuple(
            dict.fromkeys((*decision.reasons, *(r for d in documents for r in d.reasons)))
        ),
        documents=tuple(documents),
        trace=(*decision.trace, *refusals),
    )


@dataclass(frozen=True)
class RoutingWriter:
    """Writes one entry's routing and queues its routed copies (in the open transaction)."""

    units: Mapping[str, Unit]
    templates: jinja2.Environment
    from_address: str
    zone: ZoneInfo

    def record(
        self,
        recorder: Recorder,
        inbound: InboundMessage,
        *,
        number: RegisteredNumber,
        pdf: PdfAnalysis,
        analysis: MessageAnalysis,
        plan: RoutingPlan,
    ) -> tuple[AssignmentLine, ...]:
        """Write the routing of ``pdf`` (registered as ``number``); the receipt's lines:
        the lead and cooperating units with their deadlines."""
        routed = plan.routings.get(pdf.attachment.sha256)
        if routed is None:
            return ()
        entry = get_entry(recorder.session, number.year, number.number)
        records = record_routing(recorder, entry, self._draft(routed))
        files = _files(pdf, analysis, plan.documents | {w.sha256 for w in plan.withheld})
        if routed.routing.propose and not routed.routing.hold:  # a leader decides (R-DISTRIB)
            record_proposal(
                recorder,
                inbound,
                entry,
                routed.routing,
                units=self.units,
                templates=self.templates,
                from_address=self.from_address,
                zone=self.zone,
                files=files,
            )
            return ()
        assignees = [Assignee.of_record(record) for record in records]
        document = RoutedDocument.of_entry(
            entry,
            routed.facts.signature_verdict,
            files,
            withheld=plan.withheld,
            team=tuple(a.member() for a in assignees),
        )
        for record, assignee in zip(records, assignees, strict=True):
            outbox = routed_copy_draft(
                document,
                assignee,
                env=self.templates,
                from_address=self.from_address,
                composed_at=recorder.now,
                timezone=self.zone.key,
            )
            recorder.add_outbox(inbound, outbox)
            record.routed_message_id = outbox.message_id
        return tuple(
            AssignmentLine(unit=r.unit_name or r.unit_code, role=r.role, due_at=r.due_at)
            for r in records
            if r.role != Role.INFORM
        )

    def _draft(self, routed: DocumentRouting) -> RoutingDraft:
        routing = routed.routing
        return RoutingDraft(
            rules_version=routing.rules_version,
            trace=tuple(routing.trace_json()),
            facts=routed.facts.as_json(),
            assignments=tuple(
                AssignmentDraft(
                    unit_code=a.unit,
                    unit_name=self.units[a.unit].name if a.unit in self.units else a.unit,
                    role=str(a.role),
                    mailbox=a.mailbox,
                    person=a.person,
                    due_at=a.due_at,
                )
                for a in routing.assignments
            ),
            priority=routing.priority,
            tags=routing.tags,
            process_by=routing.process_by,
            assign_by=routing.assign_by,
            hold_reason=(routing.hold_reason or "hold") if routing.hold else "",
            propose=routing.propose,
        )


def _files(
    pdf: PdfAnalysis, analysis: MessageAnalysis, documents: frozenset[str]
) -> tuple[CopiedFile, ...]:
    """The document itself, then every file of the message that is not another document
    being registered nor a refused or held one (appendices and other files), as they
    arrived."""
    parsed = analysis.parsed
    others = [
        a
        for a in (parsed.attachments if parsed else ())
        if a is not pdf.attachment and a.sha256 not in documents
    ]
    return tuple(CopiedFile(a.filename, a.content_type, a.data) for a in (pdf.attachment, *others))
