"""The text layer of a PDF, read with pypdf; the one place pypdf's exceptions are translated.

Only the first pages are read: an official document says who issued it, its number, date,
type and urgency on page one, and signs on the last page of its main part, which is rarely
past the first few.
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from mailparse.documents.text import nfc
from mailparse.errors import UnreadableDocumentError

# pypdf logs the robustness fixes it applies to a damaged file as warnings and errors, some
# with object data from the file. For the gateway those are noise that could leak document
# content into logs: the outcome is the text or UnreadableDocumentError, nothing else.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

DEFAULT_MAX_PAGES = 5

# Besides its own PdfError tree, pypdf lets these escape from hostile files.
_READ_ERRORS = (
    PyPdfError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    AssertionError,
    LookupError,
    ArithmeticError,
    RuntimeError,  # NotImplementedError (unknown filters), RecursionError
    OSError,
    zlib.error,
    struct.error,
)


@dataclass(frozen=True)
class PdfText:
    """Page count and the NFC text of the first pages (one string per page)."""

    pages: int
    page_texts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The text of the pages read, one page after the other."""
        return "\n".join(self.page_texts)


def read_pdf(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Read the page count and the text of the first ``max_pages`` pages of ``data``.

    Raises :class:`UnreadableDocumentError` when ``data`` is not a PDF, is damaged beyond
    reading, or is encrypted with a password (a file encrypted only against editing, with
    an empty user password, is read normally).
    """
    if b"%PDF-" not in data[:1024]:
        raise UnreadableDocumentError("not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        locked = reader.is_encrypted and not reader.decrypt("")
    except (FileNotDecryptedError, DependencyError) as exc:
        raise UnreadableDocumentError("PDF is encrypted") from exc
    except _READ_ERRORS as exc:
        raise UnreadableDocumentError("PDF cannot be read") from exc
    if locked:
        raise UnreadableDocumentError("PDF is encrypted")
    try:
        count = len(reader.pages)
        texts = tuple(
            nfc(reader.pages[i].extract_text() or "") for i in range(min(count, max_pages))
        )
    except _READ_ERRORS as exc:
        raise UnreadableDocumentError("PDF cannot be read") from exc
    if count < 1:
        raise UnreadableDocumentError("PDF has no pages")
    return PdfText(pages=count, page_texts=texts)
