"""Registering the documents a message brought (R-REG, R-ASSIGN, R-SIGN; NĐ 30 Phụ lục VI).

The part of the register transaction that turns accepted PDFs into numbered entries:
each one is checked against what is already registered (NĐ 30 Phụ lục VI: a copy, a
recall, an update or a replacement refers to its earlier entry), numbered, routed; the
files that came with it are kept as its appendices; a refused or held document is never
forwarded, only its signatures are recorded.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from gateway.outbox.compose import RegisteredDocument
from gateway.pipeline.analysis import MessageAnalysis
from gateway.pipeline.duplicates import match_registered, refer_to
from gateway.pipeline.entries import attachment_drafts, entry_draft, signature_drafts
from gateway.routing.step import RoutingPlan, RoutingWriter
from gateway.spool.envelope import Envelope
from registry.models import InboundMessage
from registry.recorder import Recorder
from rules.decision import Decision, DocumentAction


def register_documents(
    recorder: Recorder,
    inbound: InboundMessage,
    envelope: Envelope,
    analysis: MessageAnalysis,
    decision: Decision,
    *,
    plan: RoutingPlan,
    zone: ZoneInfo,
    routing: RoutingWriter,
) -> list[RegisteredDocument]:
    """Enter each document the decision accepts in the register (one number each, or a
    reference to the entry it repeats, recalls or replaces), route it as ``plan`` says,
    and record the signatures of the documents refused or held; inside the message's one
    transaction (DESIGN §1.2). Returns what the receipt lists."""
    # decide() answers for the PDFs in the order it was given them
    decided = list(zip(analysis.pdfs, decision.documents, strict=False))
    to_register = [(p, d) for p, d in decided if d.action is DocumentAction.REGISTER]
    year = envelope.received_at.astimezone(zone).year
    not_forwarded = {  # refused or held: recorded, never forwarded (R-SIGN)
        p.attachment.sha256
        for p, d in decided
        if d.action in {DocumentAction.REFUSE, DocumentAction.HOLD}
    }
    appendices = attachment_drafts(analysis, [p for p, _ in to_register], not_forwarded)
    registered: list[RegisteredDocument] = []
    for index, (pdf, document) in enumerate(to_register):
        draft = entry_draft(
            pdf=pdf,
            analysis=analysis,
            envelope=envelope,
            year=year,
            sha256=inbound.sha256,
            reference_only=document.reference_only,
            needs_review=decision.needs_review,
            attachments=appendices if index == 0 else (),
        )
        draft = replace(draft, flags=tuple(pdf.active_content))
        match = match_registered(recorder, draft, analysis.edxml.document)  # NĐ 30 Phụ lục VI
        if match.earlier is not None:  # a copy, or an edXML recall/update/replacement
            registered.append(refer_to(recorder, inbound, match, zone=zone, secret=analysis.secret))
            continue
        draft = match.draft
        number = recorder.add_entry(inbound, draft)
        routed = routing.record(
            recorder, inbound, number=number, pdf=pdf, analysis=analysis, plan=plan
        )
        registered.append(
            RegisteredDocument(
                incoming=str(number),
                document_number=draft.document_number,
                issued_on=draft.issued_on,
                document_type=draft.document_type,
                summary=None if analysis.secret else draft.summary,
                reference_only=draft.reference_only,
                paper_required=draft.paper_required,
                paper_reason=draft.paper_reason,
                assignments=routed,
            )
        )
    for pdf, document in decided:
        if document.action in {DocumentAction.REFUSE, DocumentAction.HOLD} and pdf.signatures:
            recorder.add_signatures(
                inbound, pdf.attachment.sha256, signature_drafts(pdf.signatures)
            )
    if not to_register:
        for attachment in attachment_drafts(analysis, []):
            recorder.add_attachment(inbound, attachment)
    return registered
