"""Signature verification on real signed PDFs from a real test PKI (R-SIGN, R-FORGE)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fpdf import FPDF

from mailparse.errors import UnreadableDocumentError
from mailparse.signatures.verdicts import (
    PdfSignatures,
    RevocationMode,
    SignatureVerdict,
    TrustStore,
)
from mailparse.signatures.verify import verify_pdf, verify_pdf_async
from tests.support import signing
from tests.support.pki import (
    DEFAULT_AGENCY_CN,
    TestPki,
    expired_credential,
    make_crl,
    make_pki,
    not_yet_valid_credential,
    untrusted_credential,
)

ICT = timezone(timedelta(hours=7))
RECEIVED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=ICT)
SIGNED_AT = datetime(2026, 3, 2, 8, 30, tzinfo=ICT)


def _base_pdf(*, encrypted: bool = False, user_password: str = "") -> bytes:
    """A one-page official letter in a core font (uncompressed, so tampering stays readable)."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="UBND THANH PHO RACH GIA - So: 123/UBND-VP")
    if encrypted:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture(scope="module")
def trust(pki: TestPki) -> TrustStore:
    return pki.trust_store()


@pytest.fixture(scope="module")
def base_pdf() -> bytes:
    return _base_pdf()


@pytest.fixture(scope="module")
def signed_pdf(pki: TestPki, base_pdf: bytes) -> bytes:
    return signing.sign_as_person_then_agency(base_pdf, pki, SIGNED_AT)


def _verdicts(result: PdfSignatures) -> list[SignatureVerdict]:
    return [report.verdict for report in result.signatures]


def test_person_then_agency_both_valid(pki: TestPki, trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a letter signed by a person and then sealed by the agency (incremental update)
    WHEN it is verified at the time of receipt
    THEN both signatures are VALID, earliest first, with the Vietnamese names as written."""
    result = verify_pdf(signed_pdf, trust, RECEIVED_AT)

    person, agency = result.signatures
    assert _verdicts(result) == [SignatureVerdict.VALID, SignatureVerdict.VALID]
    assert (person.field_name, agency.field_name) == (signing.PERSON_FIELD, signing.AGENCY_FIELD)
    assert person.signer == "Nguyễn Văn An"
    assert agency.signer == DEFAULT_AGENCY_CN
    assert person.organization == agency.organization == "Ủy ban nhân dân thành phố Rạch Giá"
    assert person.signed_at == SIGNED_AT
    assert agency.signed_at == SIGNED_AT + timedelta(minutes=20)
    assert person.issuer == "Test CA Chuyên dùng"
    assert person.serial == format(pki.person.cert.serial_number, "x")


def test_no_trust_roots_is_untrusted(signed_pdf: bytes) -> None:
    """GIVEN a correctly signed letter WHEN no trust roots are configured
    THEN every signature is UNTRUSTED (never the operating system's TLS roots)."""
    result = verify_pdf(signed_pdf, TrustStore(), RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.UNTRUSTED] * 2
    assert "certificate chain does not reach a trusted root" in result.signatures[0].details


def test_other_root_is_untrusted(trust: TrustStore, base_pdf: bytes) -> None:
    """GIVEN a letter sealed with a certificate from an unconfigured root
    WHEN it is verified THEN the signature is UNTRUSTED."""
    pdf = signing.sign_with(base_pdf, untrusted_credential(), "ChuKy", SIGNED_AT)

    assert _verdicts(verify_pdf(pdf, trust, RECEIVED_AT)) == [SignatureVerdict.UNTRUSTED]


def test_expired_certificate(pki: TestPki, trust: TrustStore, base_pdf: bytes) -> None:
    """GIVEN a signer certificate that expired before the mail arrived
    WHEN the letter is verified at the time of receipt THEN the signature is EXPIRED
    (the signer's own claimed signing time does not rescue it)."""
    credential = expired_credential(pki, expired_on=datetime(2025, 1, 1, tzinfo=UTC))
    pdf = signing.sign_with(base_pdf, credential, "ChuKy", datetime(2024, 6, 1, tzinfo=UTC))

    assert _verdicts(verify_pdf(pdf, trust, RECEIVED_AT)) == [SignatureVerdict.EXPIRED]


def test_not_yet_valid_certificate(pki: TestPki, trust: TrustStore, base_pdf: bytes) -> None:
    """GIVEN a signer certificate valid only from 2031 WHEN verified in 2026
    THEN the signature is EXPIRED (the verdict also covers "not yet valid")."""
    pdf = signing.sign_with(base_pdf, not_yet_valid_credential(pki), "ChuKy", SIGNED_AT)

    assert _verdicts(verify_pdf(pdf, trust, RECEIVED_AT)) == [SignatureVerdict.EXPIRED]


def test_flipped_byte_is_invalid(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a signed letter with one byte of its page content changed
    WHEN it is verified THEN both signatures, which cover that byte, are INVALID."""
    result = verify_pdf(signing.flip_byte_in_signed_range(signed_pdf), trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.INVALID] * 2


def test_content_added_after_signing_is_modified(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a signed letter with new page content appended as an incremental update
    WHEN it is verified THEN both signatures are MODIFIED (R-FORGE)."""
    result = verify_pdf(signing.append_incremental_change(signed_pdf), trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.MODIFIED] * 2


def test_appended_junk_is_modified(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a signed letter with bytes appended after its last %%EOF
    WHEN it is verified THEN the signatures are MODIFIED, although pyHanko alone accepts it."""
    result = verify_pdf(signing.append_junk(signed_pdf), trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.MODIFIED] * 2
    assert "unsigned bytes after the end of the document" in result.signatures[-1].details


def test_trailing_newline_is_tolerated(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a signed letter followed by one extra line break WHEN it is verified
    THEN the signatures stay VALID (whitespace after %%EOF carries nothing)."""
    result = verify_pdf(signed_pdf + b"\r\n", trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.VALID] * 2


def test_unsupported_subfilter_is_indeterminate(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a signature with a SubFilter pyHanko does not validate (and would skip)
    WHEN the letter is verified THEN that signature is reported INDETERMINATE, not dropped."""
    # Adobe's legacy PKCS#1 SubFilter, padded to keep every byte offset unchanged.
    pdf = signed_pdf.replace(b"/adbe.pkcs7.detached", b"/adbe.x509.rsa_sha1 ", 1)

    result = verify_pdf(pdf, trust, RECEIVED_AT)

    assert len(result.signatures) == 2
    assert result.signatures[0].verdict is SignatureVerdict.INDETERMINATE
    assert result.signatures[0].details == ("unsupported signature type",)


def test_revocation_required_but_absent_is_indeterminate(pki: TestPki, signed_pdf: bytes) -> None:
    """GIVEN certificates that declare a CRL, and no revocation data in the document
    WHEN verified under 'hard-fail' or 'require' THEN the signatures are INDETERMINATE;
    under 'soft-fail' or 'off' they are VALID."""

    def verdicts(mode: RevocationMode) -> list[SignatureVerdict]:
        return _verdicts(verify_pdf(signed_pdf, pki.trust_store(mode), RECEIVED_AT))

    assert verdicts(RevocationMode.HARD_FAIL) == [SignatureVerdict.INDETERMINATE] * 2
    assert verdicts(RevocationMode.REQUIRE) == [SignatureVerdict.INDETERMINATE] * 2
    assert verdicts(RevocationMode.SOFT_FAIL) == [SignatureVerdict.VALID] * 2
    assert verdicts(RevocationMode.OFF) == [SignatureVerdict.VALID] * 2


def test_revoked_by_embedded_crl(pki: TestPki, trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a letter whose /DSS carries a CRL revoking the person's certificate
    WHEN it is verified THEN the person's signature is REVOKED and the agency's stays VALID."""
    crl = make_crl(
        pki.intermediate,
        [pki.person.cert],
        revoked_on=datetime(2026, 2, 1, tzinfo=UTC),
        this_update=datetime(2026, 3, 1, tzinfo=UTC),
        next_update=datetime(2026, 4, 1, tzinfo=UTC),
    )
    pdf = signing.add_revocation_data(signed_pdf, [crl])

    result = verify_pdf(pdf, trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.REVOKED, SignatureVerdict.VALID]


def test_unsigned_pdf_has_no_signatures(trust: TrustStore, base_pdf: bytes) -> None:
    """GIVEN a PDF without signatures WHEN it is verified THEN the result is empty."""
    result = verify_pdf(base_pdf, trust, RECEIVED_AT)

    assert result == PdfSignatures(signatures=())
    assert not result.signed


@pytest.mark.parametrize(
    "data",
    [b"not a pdf at all", b"%PDF-1.7\n1 0 obj\n<<", b""],
    ids=["garbage", "truncated", "empty"],
)
def test_unreadable_input_raises(trust: TrustStore, data: bytes) -> None:
    """GIVEN bytes that are not a readable PDF WHEN verified THEN UnreadableDocumentError."""
    with pytest.raises(UnreadableDocumentError):
        verify_pdf(data, trust, RECEIVED_AT)


def test_encrypted_pdf_raises(trust: TrustStore) -> None:
    """GIVEN a PDF that needs a user password to open WHEN verified
    THEN UnreadableDocumentError; one encrypted with an owner password only opens
    (docs/decisions/owner-password-pdfs.md) and is unsigned."""
    with pytest.raises(UnreadableDocumentError, match="encrypted"):
        verify_pdf(_base_pdf(encrypted=True, user_password="mo-tep"), trust, RECEIVED_AT)
    assert verify_pdf(_base_pdf(encrypted=True), trust, RECEIVED_AT).signed is False


def test_naive_time_is_refused(trust: TrustStore, base_pdf: bytes) -> None:
    """GIVEN a naive validation time WHEN verifying THEN ValueError (a caller bug)."""
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_pdf(base_pdf, trust, RECEIVED_AT.replace(tzinfo=None))


def test_verify_pdf_from_worker_thread(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN the blocking API WHEN it runs in a plain worker thread THEN it works."""
    results: list[PdfSignatures] = []
    worker = threading.Thread(
        target=lambda: results.append(verify_pdf(signed_pdf, trust, RECEIVED_AT))
    )
    worker.start()
    worker.join(timeout=30)

    assert [_verdicts(r) for r in results] == [[SignatureVerdict.VALID] * 2]


@pytest.mark.asyncio
async def test_verify_pdf_async_inside_running_loop(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a running event loop WHEN verify_pdf_async is awaited in it
    THEN it works (pyHanko's sync validator would fail here with asyncio.run)."""
    assert asyncio.get_running_loop().is_running()

    result = await verify_pdf_async(signed_pdf, trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.VALID] * 2


def test_intermediate_only_from_the_trust_store(pki: TestPki, base_pdf: bytes) -> None:
    """GIVEN a signature embedding only the signer certificate (no chain)
    WHEN the trust store supplies the intermediate THEN the path is built and it is VALID."""
    bare = replace(pki.agency, chain=())
    pdf = signing.sign_with(base_pdf, bare, "ChuKy", SIGNED_AT)

    assert _verdicts(verify_pdf(pdf, pki.trust_store(), RECEIVED_AT)) == [SignatureVerdict.VALID]
    without = TrustStore(roots=(pki.root_der(),))
    assert _verdicts(verify_pdf(pdf, without, RECEIVED_AT)) == [SignatureVerdict.UNTRUSTED]


def test_malformed_signature_data_is_invalid(trust: TrustStore, signed_pdf: bytes) -> None:
    """GIVEN a person signature whose CMS blob is no longer valid DER
    WHEN the letter is verified THEN it is INVALID and still reported, and the agency
    signature, which covers those bytes, is INVALID too."""
    pdf = signed_pdf.replace(b"/Contents <3082", b"/Contents <0000", 1)

    result = verify_pdf(pdf, trust, RECEIVED_AT)

    assert _verdicts(result) == [SignatureVerdict.INVALID] * 2
    assert result.signatures[0].details == ("signature data is malformed",)
