"""PDF-library errors translated at one boundary; strict reading only where signatures need it.

The public-corpus failure classes are generated here (tests/support/malformed_pdfs.py):
a malformed encryption dictionary, a truncated compressed xref stream and a JBIG2 image
without ``jbig2dec`` once escaped as pyHanko's ``PdfReadError``, ``zlib.error`` and pypdf's
``DependencyError``; "illegal generation" and xref size mismatches made the strict reader
refuse unsigned documents every viewer opens.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailparse.documents.pdftext import read_pdf
from mailparse.errors import UnreadableDocumentError
from mailparse.signatures.verdicts import SignatureVerdict, TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.support import malformed_pdfs

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CRASHERS: dict[str, Callable[[], bytes]] = {
    "malformed-encryption": malformed_pdfs.malformed_encryption_pdf,
    "truncated-xref-stream": malformed_pdfs.truncated_xref_stream_pdf,
    "jbig2-without-jbig2dec": malformed_pdfs.jbig2_image_pdf,
}
STRICT_ONLY: dict[str, Callable[[], bytes]] = {
    "illegal-generation": malformed_pdfs.illegal_generation_pdf,
    "xref-size-mismatch": malformed_pdfs.xref_size_mismatch_pdf,
}
SIGNED_MARK = b"\n%/ByteRange [0 0 0 0]\n"  # a signature dictionary's name in the bytes


def _signed_looking(data: bytes) -> bytes:
    """``data`` with a signature dictionary's key in it: the strict path must be taken."""
    return data.replace(b"\n", SIGNED_MARK, 1)


@pytest.mark.parametrize("build", CRASHERS.values(), ids=CRASHERS.keys())
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signature-looking"])
def test_pdf_library_errors_become_unreadable_document_at_one_boundary(
    build: Callable[[], bytes], signed: bool
) -> None:
    """GIVEN a PDF of a class that once crashed the pipeline (malformed encryption,
    truncated compressed xref stream, JBIG2 without jbig2dec), signed-looking or not
    WHEN its signatures are verified and its text read
    THEN each step returns a value or raises UnreadableDocumentError — nothing else."""
    data = _signed_looking(build()) if signed else build()

    for step in (lambda: verify_pdf(data, TrustStore(), AT), lambda: read_pdf(data)):
        with suppress(UnreadableDocumentError):
            step()


def test_malformed_encryption_with_a_signature_is_unreadable_not_a_pyhanko_error() -> None:
    """GIVEN a signature-carrying PDF whose /Encrypt dictionary is malformed (pyHanko raises
    from ``reader.encrypted``, after the constructor) WHEN verified
    THEN UnreadableDocumentError, caused by pyHanko's error."""
    data = _signed_looking(malformed_pdfs.malformed_encryption_pdf())

    with pytest.raises(UnreadableDocumentError) as raised:
        verify_pdf(data, TrustStore(), AT)
    assert type(raised.value.__cause__).__module__.startswith("pyhanko")


@pytest.mark.parametrize("build", STRICT_ONLY.values(), ids=STRICT_ONLY.keys())
def test_r_ref_readable_unsigned_pdf_the_strict_reader_refuses_is_unsigned(
    build: Callable[[], bytes],
) -> None:
    """GIVEN an unsigned PDF that pyHanko's strict reader refuses but viewers open
    ("illegal generation", an xref /Size that disagrees)
    WHEN verified and read THEN it is unsigned (no signatures) and its text is read."""
    data = build()

    assert verify_pdf(data, TrustStore(), AT).signed is False
    assert "77/UBND-VP" in read_pdf(data).text


def test_owner_password_only_pdf_is_read_and_a_user_password_pdf_is_not() -> None:
    """GIVEN a PDF encrypted with an owner password only (empty user password), and one
    needing a user password WHEN verified and read
    THEN the first is read as unsigned; the second is unreadable (docs/decisions)."""
    owner_only = malformed_pdfs.owner_password_only_pdf()
    assert verify_pdf(owner_only, TrustStore(), AT).signed is False
    assert "77/UBND-VP" in read_pdf(owner_only).text

    with pytest.raises(UnreadableDocumentError):
        read_pdf(malformed_pdfs.user_password_pdf())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    which=st.sampled_from([*CRASHERS.values(), *STRICT_ONLY.values(), malformed_pdfs.readable_pdf]),
    cut=st.floats(min_value=0.05, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
    signed=st.booleans(),
)
def test_fuzz_generated_pdfs_give_a_value_or_unreadable_document(
    which: Callable[[], bytes],
    cut: float,
    flips: list[tuple[float, int]],
    signed: bool,
) -> None:
    """GIVEN a generated PDF of each failure class, truncated and with random bytes changed
    WHEN verified and read THEN a value or UnreadableDocumentError — never another error,
    and a verdict is always one of the verdicts."""
    data = bytearray(which())
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    sample = bytes(data[: max(16, int(len(data) * cut))])
    if signed:
        sample = _signed_looking(sample)

    with suppress(UnreadableDocumentError):
        result = verify_pdf(sample, TrustStore(), AT)
        assert all(isinstance(s.verdict, SignatureVerdict) for s in result.signatures)
    with suppress(UnreadableDocumentError):
        read_pdf(sample)
