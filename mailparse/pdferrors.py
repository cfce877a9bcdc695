"""The one boundary where the PDF libraries' errors become ``unreadable-document``.

pyHanko, pypdf and zlib raise from deep inside a hostile file, and not only their own
trees: pyHanko's ``PdfError`` (also from ``reader.encrypted``, outside the constructor),
pypdf's ``PyPdfError`` and ``DependencyError`` (a JBIG2 image without ``jbig2dec``; it is
not a ``PyPdfError``), ``zlib.error`` (a truncated compressed stream), ``struct.error``,
and the built-in errors their parsers let escape. Every reading of a PDF in
:mod:`mailparse` runs inside :func:`reading_pdf`, which translates exactly these into
:class:`~mailparse.errors.UnreadableDocumentError` with ``raise … from exc`` (DESIGN §4.5:
a verdict or ``unreadable-document``, never a crash). Resource exhaustion (``MemoryError``)
is not among them: it is the worker's limit to enforce, not a property of the document.

Inside :func:`reading_pdf`, pypdf never runs ``jbig2dec``: JBIG2 is an image codec (PDF
32000 §7.4.7: image XObjects only) and reading text, fields or signatures decodes no
image, so a JBIG2 stream pypdf would decode is a content stream no viewer draws — a
hostile file. Without the program such a stream is ``DependencyError``, hence
``unreadable-document``, whether or not ``jbig2dec`` is installed: a JBIG2 decompression
bomb costs neither time nor memory. Scans are rendered by pdfium under the OCR pixel
budget, not by pypdf.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from pyhanko.pdf_utils.misc import PdfError
from pypdf import apply_configuration
from pypdf.errors import DependencyError, PyPdfError

from mailparse.errors import UnreadableDocumentError

PDF_ERRORS: tuple[type[Exception], ...] = (
    PdfError,  # pyHanko: PdfReadError, PdfStrictReadError, PdfStreamError, …
    PyPdfError,  # pypdf's own tree
    DependencyError,  # pypdf: jbig2dec, brotli or a crypto provider missing
    zlib.error,
    struct.error,
    ValueError,  # also asn1crypto's parse errors and SignatureValidationError
    TypeError,
    LookupError,  # KeyError, IndexError
    AttributeError,
    AssertionError,
    ArithmeticError,
    RuntimeError,  # NotImplementedError (unknown filters), RecursionError
    OSError,
    EOFError,
)


@contextmanager
def reading_pdf(what: str) -> Iterator[None]:
    """Run a block that reads a PDF; any PDF-library error becomes unreadable-document.

    ``what`` is the English detail kept in the log and the decision trace.
    """
    try:
        with apply_configuration(jbig2dec_binary=None):  # no JBIG2 decoding: see above
            yield
    except PDF_ERRORS as exc:
        raise UnreadableDocumentError(what) from exc
