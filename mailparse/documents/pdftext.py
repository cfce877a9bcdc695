"""The text layer of a PDF, read leniently with pypdf (errors: :mod:`mailparse.pdferrors`).

Only the first pages are read: an official document says who issued it, its number, date,
type and urgency on page one, and signs on the last page of its main part, which is rarely
past the first few.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader

from mailparse.documents.text import nfc
from mailparse.errors import UnreadableDocumentError
from mailparse.pdferrors import reading_pdf

# pypdf logs the robustness fixes it applies to a damaged file as warnings and errors, some
# with object data from the file. For the gateway those are noise that could leak document
# content into logs: the outcome is the text or UnreadableDocumentError, nothing else.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

DEFAULT_MAX_PAGES = 5


@dataclass(frozen=True)
class PdfText:
    """Page count and the NFC text of the first pages (one string per page)."""

    pages: int
    page_texts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The text of the pages read, one page after the other."""
        return "\n".join(self.page_texts)


def check_readable(data: bytes) -> int:
    """The page count of ``data`` as a lenient reader sees it (no text is extracted).

    :raises UnreadableDocumentError: not a PDF, damaged beyond reading, password-protected.
    """
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocumentError("not a PDF")
    with reading_pdf("PDF cannot be read"):
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError("PDF is encrypted")
        count = len(reader.pages)
    if count < 1:
        raise UnreadableDocumentError("PDF has no pages")
    return count


def read_pdf(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Read the page count and the text of the first ``max_pages`` pages of ``data``.

    Raises :class:`UnreadableDocumentError` when ``data`` is not a PDF, is damaged beyond
    reading, or is encrypted with a password (a file encrypted only against editing, with
    an empty user password, is read normally).
    """
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocumentError("not a PDF")
    # Lenient (strict=False): text and fields are read as any viewer reads them; only
    # signatures need the strict reader (mailparse.signatures.fields.open_pdf).
    with reading_pdf("PDF cannot be read"):
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError("PDF is encrypted")
        count = len(reader.pages)
        texts = tuple(
            nfc(reader.pages[i].extract_text() or "") for i in range(min(count, max_pages))
        )
    if count < 1:
        raise UnreadableDocumentError("PDF has no pages")
    return PdfText(pages=count, page_texts=texts)
