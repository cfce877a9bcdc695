"""Reading what one document says: its text layer, else OCR; cross-checked with the mail.

The facts come from the PDF's own text (:mod:`mailparse.documents.facts`). A scan without
a text layer is read with OCR (:mod:`gateway.pipeline.documents.ocr`, when configured) and the OCR
text goes through the same extraction; with a text layer, the head of the first page is
also searched for a secrecy stamp drawn as an image
(:mod:`gateway.pipeline.documents.stamp_images`).
The result is then cross-checked with the edXML envelope, the mail subject and the signer
certificates (:func:`mailparse.documents.crosscheck.cross_check`): the document's values
win, disagreements are kept, gaps are filled (so a scan OCR cannot read is registered with
the fields of the edXML and the mail, and marked for review).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import StrEnum

from gateway.pipeline.documents.ocr import MIN_TEXT_LETTERS, OcrReader, OcrResult, OcrStatus
from gateway.pipeline.documents.stamp_images import image_secrecy
from mailparse.documents.crosscheck import cross_check
from mailparse.documents.document import DocumentFacts
from mailparse.documents.facts import facts_from_text
from mailparse.documents.pdftext import read_pdf
from mailparse.edxml.envelope import EdxmlDocument, EdxmlFailure, looks_like_edxml, read_edxml
from mailparse.message import ParsedMessage
from mailparse.signatures.verdicts import PdfSignatures

log = logging.getLogger(__name__)


class TextSource(StrEnum):
    TEXT = "text"  # the PDF's text layer
    OCR = "ocr"  # Tesseract read a scan
    NONE = "none"  # no text: the fields come from the mail and the edXML only


@dataclass(frozen=True)
class DocumentReading:
    facts: DocumentFacts
    source: TextSource
    ocr: OcrResult | None = None

    @property
    def unsure(self) -> bool:
        """A clerk must check the fields: no text, or OCR that is not confident."""
        if self.source is TextSource.NONE:
            return True
        return self.ocr is not None and self.ocr.status is not OcrStatus.READ


@dataclass(frozen=True)
class EdxmlReading:
    document: EdxmlDocument | None = None
    error: str | None = None  # an edXML attachment that could not be read, and why


def read_envelope(parsed: ParsedMessage) -> EdxmlReading:
    """The first edXML attachment of the message (QCVN 102:2016), read safely."""
    for attachment in parsed.attachments:
        if looks_like_edxml(attachment.filename, attachment.content_type, attachment.data):
            result = read_edxml(attachment.data)
            if isinstance(result, EdxmlFailure):
                return EdxmlReading(error=result.reason)
            return EdxmlReading(document=result)
    return EdxmlReading()


def read_document(
    data: bytes,
    *,
    max_pages: int,
    ocr: OcrReader | None,
    subject: DocumentFacts,
    edxml: EdxmlDocument | None,
    signatures: PdfSignatures | None,
    log_id: str,
) -> DocumentReading:
    """The document's facts; raises ``UnreadableDocumentError`` as :func:`read_pdf` does."""
    pdf = read_pdf(data, max_pages=max_pages)
    source, result = TextSource.TEXT, None
    text = pdf.text
    if sum(ch.isalpha() for ch in text) < MIN_TEXT_LETTERS:
        source = TextSource.NONE
        if ocr is not None:
            result = ocr.read(data)
            log.info("%s: OCR %s (confidence %s)", log_id, result.status, result.confidence)
            if result.usable:
                source, text = TextSource.OCR, result.text
    own = facts_from_text(text, pdf.pages) if source is not TextSource.NONE else None
    own = own or DocumentFacts(pages=pdf.pages)
    if source is TextSource.TEXT and own.secrecy is None and ocr is not None:
        drawn = image_secrecy(data, ocr)  # a stamp drawn as a picture over the text layer
        if drawn is not None:
            log.info("%s: a secrecy stamp drawn as an image", log_id)
            own = replace(own, secrecy=drawn)
    others = [("edxml", edxml.facts())] if edxml is not None else []
    others.append(("subject", subject))
    signers = [s.signer for s in signatures.signatures if s.signer] if signatures else []
    return DocumentReading(cross_check(own, others, signer_names=signers), source, result)
