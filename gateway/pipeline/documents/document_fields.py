"""The register fields (DESIGN §4.3) on a draft: number and symbol apart, catalogue row, paper
copy (R-PAPER / R-EXCL), text source, conflicts, the edXML summary.

:func:`with_document_fields` completes an :class:`EntryDraft` built by
:func:`gateway.pipeline.entries.entry_draft` from the same facts; the decision on paper is
:func:`rules.paper.classify_paper` (pure), its reason kept for the clerk to see and correct.
"""

from __future__ import annotations

from dataclasses import replace

from gateway.pipeline.analysis import MessageAnalysis, PdfAnalysis
from gateway.pipeline.documents.reading import TextSource
from mailparse.documents.catalogue import default_catalogue
from mailparse.documents.document import DocumentFacts
from mailparse.edxml.envelope import EdxmlDocument
from registry.drafts import ConflictDraft, EdxmlDraft, EntryDraft
from rules.paper import PaperVerdict, classify_paper


def catalogue_code(facts: DocumentFacts) -> str | None:
    """The CV144 row of the document's type (read, or named by the mail or the edXML)."""
    if facts.catalogue_code is not None or facts.document_type is None:
        return facts.catalogue_code
    found = default_catalogue().by_name(facts.document_type)
    return found.code if found else None


def paper_verdict(facts: DocumentFacts) -> PaperVerdict:
    code = catalogue_code(facts)
    return classify_paper(
        document_type=facts.document_type, in_catalogue=code is not None, summary=facts.summary
    )


def with_document_fields(
    draft: EntryDraft, facts: DocumentFacts, pdf: PdfAnalysis, analysis: MessageAnalysis
) -> EntryDraft:
    """``draft`` with the fields read from the document, the paper flag and review flag."""
    paper = paper_verdict(facts)
    reading = pdf.reading
    source = reading.source if reading else TextSource.NONE
    unsure = reading.unsure if reading else True
    edxml = analysis.edxml.document
    return replace(
        draft,
        number=facts.number,
        symbol=facts.symbol,
        place=facts.place,
        secrecy=str(facts.secrecy) if facts.secrecy else None,
        issuer_parent=facts.issuer_parent,
        signer_mark=facts.signer_mark,
        signer_position=facts.signer_position,
        catalogue_code=catalogue_code(facts),
        paper_required=draft.paper_required or paper.paper_required,
        paper_reason="; ".join(str(r) for r in paper.reasons) or None,
        # R-EXCL, OCR unsure or no text at all: a clerk must look (conflicts are shown).
        needs_review=draft.needs_review or paper.needs_review or unsure,
        text_source=str(source),
        conflicts=tuple(
            ConflictDraft(c.field, c.document_value, c.other_source, c.other_value)
            for c in facts.conflicts
        ),
        edxml=_edxml_draft(edxml) if edxml else None,
    )


def _edxml_draft(edxml: EdxmlDocument) -> EdxmlDraft:
    return EdxmlDraft(
        document_id=edxml.document_id,
        sender_organ_id=edxml.sender.organ_id,
        business=str(edxml.business),
        references=tuple(r.document_id for r in edxml.references),
        priority=edxml.priority,
        page_amount=edxml.page_amount,
    )
