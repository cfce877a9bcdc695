"""One PDF examined under one budget: signatures, text layer, OCR and active content.

Every per-document step that touches PDF content (DESIGN §1 steps 3–5) runs inside
:func:`examine`. ``gateway serve`` runs it in a verifier process
(:class:`gateway.trust.verifier.ProcessVerifier`) under ``[limits] document_seconds`` and
``[limits] document_memory_mb`` (an address-space rlimit): a PDF bomb — a page rendered
to gigabytes, a content stream that takes pypdf minutes — costs that process, which is
replaced, and the document is unreadable (``unreadable-document``), while the queue and
the service's memory are untouched. Without verifier processes the same steps run in the
calling thread (:func:`examine` directly), bounded only by the page and pixel limits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from gateway.pipeline.documents.ocr import OcrReader
from gateway.pipeline.documents.reading import DocumentReading, read_document
from mailparse.documents.activecontent import ActiveContent, active_content
from mailparse.documents.document import DocumentFacts
from mailparse.edxml.envelope import EdxmlDocument
from mailparse.errors import UnreadableDocumentError
from mailparse.signatures.verdicts import PdfSignatures, TrustStore

log = logging.getLogger(__name__)

OVER_TIME = "over the time limit for one document"
OVER_MEMORY = "over the memory limit for one document"


class SignatureVerifier(Protocol):
    def __call__(self, data: bytes, trust: TrustStore, at: datetime, /) -> PdfSignatures: ...


@dataclass(frozen=True)
class DocumentWork:
    """What one examination needs (picklable: it travels to a verifier process)."""

    data: bytes  # the PDF
    trust: TrustStore
    received_at: datetime  # signatures are judged as of the receipt
    max_pages: int  # pages whose text is read ([limits] max_pages)
    ocr: OcrReader | None  # None: scans stay unread
    subject: DocumentFacts  # facts read from the mail's Subject, for the cross-check
    edxml: EdxmlDocument | None  # the QCVN 102 envelope, for the cross-check
    log_id: str  # the spool id, for logs (never document content)


@dataclass(frozen=True)
class Examination:
    """What one PDF says, or why it could not be read (``error``)."""

    signatures: PdfSignatures | None
    reading: DocumentReading | None = None  # text layer or OCR; None: no text read
    active_content: tuple[ActiveContent, ...] = ()  # R-VIRUS flags
    error: str | None = None  # not None: the document is unreadable

    @property
    def facts(self) -> DocumentFacts | None:
        return self.reading.facts if self.reading else None


@runtime_checkable
class Examiner(Protocol):
    """A verifier that can also run a whole examination under its budget."""

    def examine(self, work: DocumentWork) -> Examination: ...


def over_budget(reason: str) -> Examination:
    """The examination of a document that overran its time or memory budget."""
    return Examination(None, error=reason)


def examine(work: DocumentWork, verify: SignatureVerifier) -> Examination:
    """Signatures first: a PDF whose text layer is damaged may still carry a verdict (a
    tampered file is "signature-invalid", not merely "unreadable")."""
    short = work.log_id
    try:
        signatures = verify(work.data, work.trust, work.received_at)
    except UnreadableDocumentError as exc:
        log.info("%s: unreadable PDF: %s", short, exc)
        return Examination(None, error=str(exc) or "unreadable")
    reading = None
    try:
        reading = read_document(
            work.data,
            max_pages=work.max_pages,
            ocr=work.ocr,
            subject=work.subject,
            edxml=work.edxml,
            signatures=signatures,
            log_id=work.log_id,
        )
    except UnreadableDocumentError as exc:
        if not signatures.signed:
            log.info("%s: unreadable PDF: %s", short, exc)
            return Examination(None, error=str(exc) or "unreadable")
        log.info("%s: no text layer read: %s", short, exc)
    return Examination(signatures, reading, tuple(active_content(work.data)))


def examine_guarded(work: DocumentWork, verify: SignatureVerifier) -> Examination:
    """:func:`examine` in a process with an address-space limit: running out of it is
    the document's fault, so it makes the document unreadable instead of failing."""
    try:
        return examine(work, verify)
    except MemoryError:
        log.warning("%s: a document went over the memory limit", work.log_id)
        return over_budget(OVER_MEMORY)
