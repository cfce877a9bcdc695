"""From analysed PDFs to register drafts (DESIGN §4.3 fields)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gateway.pipeline.analysis import MessageAnalysis, PdfAnalysis
from gateway.pipeline.documents.document_fields import with_document_fields
from gateway.spool.envelope import Envelope
from mailparse.documents.document import DocumentFacts, Urgency
from mailparse.documents.text import fold
from mailparse.signatures.verdicts import PdfSignatures
from registry.drafts import AttachmentDraft, EntryDraft, SignatureDraft


def signature_drafts(signatures: PdfSignatures) -> tuple[SignatureDraft, ...]:
    return tuple(
        SignatureDraft(
            field_name=s.field_name,
            signer=s.signer,
            organization=s.organization,
            signed_at=s.signed_at,
            verdict=str(s.verdict),
            reasons=s.details,
            serial=s.serial,
            issuer=s.issuer,
            indication=str(s.indication),
            sub_indication=str(s.sub_indication) if s.sub_indication else None,
            coverage=str(s.coverage) if s.coverage else None,
            modification_level=s.modification_level,
            timestamp_trusted=s.timestamp_trusted,
            revocation=str(s.revocation) if s.revocation else None,
            chain=s.chain,
        )
        for s in signatures.signatures
    )


def attachment_drafts(
    analysis: MessageAnalysis,
    documents: Sequence[PdfAnalysis],
    refused: Collection[str] = (),
) -> tuple[AttachmentDraft, ...]:
    """Every file of the message that is not itself a registered document.

    Unsigned files accompanying a signed document are its appendices (phụ lục); they are
    recorded with the first registered document of the message. Documents refused or held
    (sha256 in ``refused``) are recorded with the role ``refused``: never forwarded with
    the registered ones (R-SIGN), also not in later routed copies.
    """
    if analysis.parsed is None:
        return ()
    document_ids = {id(p.attachment) for p in documents}
    return tuple(
        AttachmentDraft(
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            role="refused" if a.sha256 in refused else "appendix" if a.is_pdf else "other",
            original_filename=a.original_filename,
        )
        for a in analysis.parsed.attachments
        if id(a) not in document_ids
    )


def entry_draft(
    *,
    pdf: PdfAnalysis,
    analysis: MessageAnalysis,
    envelope: Envelope,
    year: int,
    sha256: str,
    reference_only: bool,
    needs_review: bool,
    attachments: tuple[AttachmentDraft, ...],
) -> EntryDraft:
    """The register fields of one document: its own text first, the mail subject second."""
    facts = (pdf.facts or DocumentFacts()).completed_by(analysis.subject_facts)
    agency = analysis.agency
    parsed = analysis.parsed
    issuer_name = facts.issuer or (agency.name if agency else None)
    issuer_code = agency.code if agency and _same_body(issuer_name, agency.name) else None
    document_file = AttachmentDraft(
        filename=pdf.attachment.filename,
        content_type=pdf.attachment.content_type,
        size=pdf.attachment.size,
        sha256=pdf.attachment.sha256,
        role="document",
        original_filename=pdf.attachment.original_filename,
    )
    sender_address = parsed.sender.address if parsed and parsed.sender else None
    searchable = [
        facts.document_number,
        facts.document_type,
        facts.summary,
        issuer_name,
        agency.name if agency else None,
        facts.signer_name,
        sender_address,
        pdf.attachment.filename,
    ]
    draft = EntryDraft(
        received_at=envelope.received_at,
        year=year,
        sender_address=sender_address,
        sender_agency_code=agency.code if agency else None,
        sender_agency_name=agency.name if agency else None,
        document_number=facts.document_number,
        issued_on=facts.issued_on,
        document_type=facts.document_type,
        summary=facts.summary,
        issuer_code=issuer_code,
        issuer_name=issuer_name,
        signer_name=facts.signer_name,
        urgency=str(facts.urgency or Urgency.THUONG),
        reference_only=reference_only,
        paper_required=False,
        # A clerk must look when the document does not say plainly what it is.
        needs_review=needs_review or facts.document_number is None or facts.issued_on is None,
        pages=facts.pages,
        message_id=parsed.message_id if parsed else None,
        sha256=sha256,
        filename=pdf.attachment.filename,
        document_sha256=pdf.attachment.sha256,
        search_text=" ".join(fold(s) for s in searchable if s),
        signatures=signature_drafts(pdf.signatures) if pdf.signatures else (),
        attachments=(document_file, *attachments),
    )
    return with_document_fields(draft, facts, pdf, analysis)  # R-PAPER, R-EXCL: paper, review…


def _same_body(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return fold(a) in fold(b) or fold(b) in fold(a)
