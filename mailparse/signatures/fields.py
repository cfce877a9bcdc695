"""Read a PDF's filled signature fields with pyHanko, one field at a time (R-SIGN).

One job: turn bytes into a reader and the reader into typed :class:`SignatureField` values.
``reader.embedded_signatures`` drops fields with an unknown SubFilter and fails as a whole
on one broken signature, so filled fields are enumerated here and each one is classified
on its own: a signature to validate, one of an unsupported type, a PAdES-LTA document
timestamp (nobody's signature), or a malformed signature dictionary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields

from mailparse.errors import UnreadableDocumentError
from mailparse.pdferrors import reading_pdf
from mailparse.signatures.speedups import use_speedups

# Errors pyHanko and asn1crypto raise on one malformed or unsupported signature
# (SignatureValidationError and asn1crypto's parse errors are ValueErrors).
SIGNATURE_ERRORS = (
    misc.PdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
)
# The SubFilters async_validate_pdf_signature accepts (adbe.pkcs7.sha1 is not one of them).
SUPPORTED_SUBFILTERS = frozenset(
    str(sub.value)
    for sub in (
        SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        SigSeedSubFilter.PADES,
        SigSeedSubFilter.PBAD_PADES,
    )
)


class FieldKind(StrEnum):
    """What a filled signature field holds, as far as can be told without validating it."""

    SIGNATURE = "signature"
    UNSUPPORTED = "unsupported"
    DOCUMENT_TIMESTAMP = "document-timestamp"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class SignatureField:
    """One filled signature field and the revision that last changed its value."""

    name: str
    field: generic.DictionaryObject
    kind: FieldKind
    revision: int


def open_pdf(data: bytes) -> PdfFileReader:
    """A strict pyHanko reader over ``data`` (a signature's integrity depends on it).

    Every error of pyHanko, pypdf or zlib becomes :class:`UnreadableDocumentError` at
    :func:`mailparse.pdferrors.reading_pdf`, including the malformed-encryption errors
    ``reader.encrypted`` raises after the constructor. A file encrypted only against
    editing (empty user password) is opened with that empty password, as every viewer
    opens it (docs/decisions/owner-password-pdfs.md).

    :raises UnreadableDocumentError: not a PDF, damaged, or needing a password to open.
    """
    with reading_pdf("not a readable PDF"):
        reader = PdfFileReader(BytesIO(data))
        if reader.encrypted and reader.decrypt(b"").status is AuthStatus.FAILED:
            raise UnreadableDocumentError("the PDF is encrypted with a password")
    return reader


def filled_signature_fields(reader: PdfFileReader) -> Iterator[SignatureField]:
    """Every signature field with a value, including ones pyHanko would skip.

    Each signature dictionary is read once, here (the reader keeps it for the
    validation), its /Contents read in one pass (:mod:`mailparse.signatures.speedups`).
    """
    use_speedups()
    for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
        yield classify(reader, str(name), field.get_object())


def classify(reader: PdfFileReader, name: str, field: generic.DictionaryObject) -> SignatureField:
    """Read one field's signature dictionary just far enough to know what to do with it.

    A dictionary that cannot be read is MALFORMED and placed in the last revision.
    """
    try:
        revision = _revision_of(reader, field)
        value = field["/V"]
        kind, subfilter = value.get("/Type"), value.get("/SubFilter")
    except SIGNATURE_ERRORS:
        last = int(reader.xrefs.total_revisions)
        return SignatureField(name, field, FieldKind.MALFORMED, last)
    if kind == "/DocTimeStamp":
        return SignatureField(name, field, FieldKind.DOCUMENT_TIMESTAMP, revision)
    if subfilter not in SUPPORTED_SUBFILTERS:
        return SignatureField(name, field, FieldKind.UNSUPPORTED, revision)
    return SignatureField(name, field, FieldKind.SIGNATURE, revision)


def _revision_of(reader: PdfFileReader, field: generic.DictionaryObject) -> int:
    """The revision that last changed the field's signature value (unknown → last)."""
    value = field.raw_get("/V")
    if isinstance(value, generic.IndirectObject):
        return int(reader.xrefs.get_last_change(value.reference))
    return int(reader.xrefs.total_revisions)
