"""Stage one of the pipeline: everything read from a message, before any decision.

Parse, identify the sending agency, then for each PDF read its official-document facts
and verify its signatures. Bad input becomes values here (``malformed``, ``error``), so
the decision and the register can explain it; only infrastructure failures raise.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.pipeline.documents.ocr import OcrReader
from gateway.pipeline.documents.reading import DocumentReading, EdxmlReading, read_envelope
from gateway.pipeline.examine import DocumentWork, Examiner, examine
from gateway.pipeline.signer_policy import agency_signature_matches, two_signature_practice
from mailparse.documents.declared import DeclaredCounts, declared_counts
from mailparse.documents.document import DocumentFacts
from mailparse.documents.facts import facts_from_subject
from mailparse.errors import MalformedMessageError
from mailparse.limits import Limits
from mailparse.message import Attachment, ParsedMessage
from mailparse.mime import DEFAULT_LIMITS, parse_once
from mailparse.signatures.verdicts import PdfSignatures, SignatureVerdict, TrustStore
from registry.agencies.directory import Agency, Directory
from rules.decision import MessageFacts, PdfFacts

log = logging.getLogger(__name__)

Verifier = Callable[[bytes, TrustStore, datetime], PdfSignatures]


@dataclass(frozen=True)
class PdfAnalysis:
    """One PDF: its facts and signatures, or why it could not be read."""

    attachment: Attachment
    facts: DocumentFacts | None
    signatures: PdfSignatures | None
    error: str | None = None
    active_content: tuple[str, ...] = ()  # mailparse.activecontent (R-VIRUS)
    reading: DocumentReading | None = None  # text layer or OCR (gateway.reading)

    @property
    def readable(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class MessageAnalysis:
    parsed: ParsedMessage | None
    malformed: str | None
    agency: Agency | None
    pdfs: tuple[PdfAnalysis, ...]
    subject_facts: DocumentFacts
    edxml: EdxmlReading = field(default_factory=EdxmlReading)  # QCVN 102:2016 envelope

    def fingerprint(self, sha256: str) -> str:
        """Same sender, subject and files: the same message re-delivered (DESIGN §4.4)."""
        parsed = self.parsed
        if parsed is None:
            return sha256
        parts = [parsed.sender.address if parsed.sender else "", parsed.subject]
        parts += sorted(a.sha256 for a in parsed.attachments)
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    @property
    def secret(self) -> bool:
        """Any secrecy mark (R-SECRET): the message is then never archived or quoted."""
        return any(p.facts is not None and p.facts.secrecy is not None for p in self.pdfs)


def analyse(
    raw: bytes,
    *,
    directory: Directory,
    trust: TrustStore,
    received_at: datetime,
    verify: Verifier,
    log_id: str,
    limits: Limits = DEFAULT_LIMITS,
    ocr: OcrReader | None = None,
    parsed: Callable[[], ParsedMessage] | None = None,
) -> MessageAnalysis:
    """Read one raw message completely; pure but for the verifier (and OCR) it is given.

    ``parsed``: the message's one parse (:func:`mailparse.mime.parse_once`) when the intake
    stages already made it; else it is parsed here."""
    read = parsed or parse_once(raw, limits, local_domains=directory.local_domains)  # §4.9
    try:
        message = read()
    except MalformedMessageError as exc:
        log.info("%s: malformed message: %s", log_id, exc)
        return MessageAnalysis(None, str(exc), None, (), DocumentFacts())
    agency = directory.identify(message.sender.address if message.sender else None)
    subject, edxml = facts_from_subject(message.subject), read_envelope(message)
    context = _Context(trust, received_at, verify, log_id, limits.max_pages, ocr, subject, edxml)
    pdfs = tuple(_analyse_pdf(a, context) for a in message.attachments if a.is_pdf)
    return MessageAnalysis(message, None, agency, pdfs, subject, edxml)


def decision_facts(analysis: MessageAnalysis) -> MessageFacts:
    """What the acceptance rules need to know, and nothing more."""
    parsed = analysis.parsed
    declared = declared_counts(parsed.body_text) if parsed else DeclaredCounts()  # R-COUNT
    return MessageFacts(
        malformed=parsed is None,
        declared_pages=declared.pages,
        declared_files=declared.files,
        attachments=len(parsed.attachments) if parsed else 0,
        edxml_pages=analysis.edxml.document.page_amount if analysis.edxml.document else None,
        sender_known=analysis.agency is not None,
        sender_domain=parsed.sender.address.rpartition("@")[2] if parsed and parsed.sender else "",
        pdfs=tuple(
            PdfFacts(
                filename=pdf.attachment.filename,
                readable=pdf.readable,
                signed=bool(pdf.signatures and pdf.signatures.signed),
                worst_verdict=pdf.signatures.worst if pdf.signatures else None,
                secret=bool(pdf.facts and pdf.facts.secrecy),
                active_content=pdf.active_content,
                pages=pdf.facts.pages if pdf.facts else None,
                **_signature_policy(analysis.agency, pdf.signatures),
            )
            for pdf in analysis.pdfs
        ),
    )


def _signature_policy(agency: Agency | None, signatures: PdfSignatures | None) -> dict[str, Any]:
    """The document-level signature facts of :mod:`gateway.pipeline.signer_policy`."""
    if signatures is None:
        return {}
    return {
        "valid_signatures": sum(s.verdict is SignatureVerdict.VALID for s in signatures.signatures),
        "agency_signature_matches": agency_signature_matches(agency, signatures),
        "two_signatures": two_signature_practice(agency, signatures),
    }


@dataclass(frozen=True)
class _Context:
    trust: TrustStore
    received_at: datetime
    verify: Verifier
    log_id: str
    max_pages: int
    ocr: OcrReader | None
    subject: DocumentFacts
    edxml: EdxmlReading


def _analyse_pdf(attachment: Attachment, context: _Context) -> PdfAnalysis:
    """Every step that reads the PDF runs in one examination (gateway.pipeline.examine),
    under the verifier's budget when it has one."""
    work = DocumentWork(
        data=attachment.data,
        trust=context.trust,
        received_at=context.received_at,
        max_pages=context.max_pages,
        ocr=context.ocr,
        subject=context.subject,
        edxml=context.edxml.document,
        log_id=f"{context.log_id} {attachment.sha256[:12]}",
    )
    verify = context.verify
    done = verify.examine(work) if isinstance(verify, Examiner) else examine(work, verify)
    if done.error is not None:
        return PdfAnalysis(attachment, None, None, error=done.error)
    return PdfAnalysis(
        attachment,
        done.facts,
        done.signatures,
        active_content=done.active_content,
        reading=done.reading,
    )
