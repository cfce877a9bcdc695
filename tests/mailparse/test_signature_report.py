"""The report's ETSI indication, revocation outcome, chain and key-usage / cache behaviour."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from mailparse.documents.indications import Indication, RevocationOutcome, SubIndication
from mailparse.signatures.cache import ChainCache
from mailparse.signatures.verdicts import RevocationMode, SignatureVerdict, TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.support import signing
from tests.support.pdfs import plain_pdf
from tests.support.pki import (
    TestPki,
    issue_certificate,
    make_crl,
    make_intermediate,
    make_root,
)

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
V = SignatureVerdict


@pytest.fixture(autouse=True)
def _quiet_pyhanko() -> Iterator[None]:
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture(scope="module")
def two_signed(pki: TestPki) -> bytes:
    return signing.sign_as_person_then_agency(plain_pdf("Số: 7/UBND-VP"), pki)


def _crl(pki: TestPki, *, revoked: bool = False, stale: bool = False) -> bytes:
    end = AT - timedelta(days=2) if stale else AT + timedelta(days=7)
    return make_crl(
        pki.intermediate,
        [pki.person.cert] if revoked else [],
        revoked_on=AT - timedelta(days=20),
        this_update=end - timedelta(days=9),
        next_update=end,
    )


def test_same_name_rogue_root_is_untrusted(pki: TestPki) -> None:
    """GIVEN a rogue root and intermediate with exactly the trusted ones' names (other keys)
    WHEN a document signed under them is verified THEN it is UNTRUSTED /
    NO_CERTIFICATE_CHAIN_FOUND: names alone never make a path."""
    rogue_root = make_root(label="rogue-root")
    assert rogue_root.cert.subject == pki.root.cert.subject
    rogue = issue_certificate(
        make_intermediate(rogue_root, label="rogue-intermediate"),
        common_name="Văn phòng HĐND và UBND thành phố Rạch Giá",
        organization=pki.org_name,
        label="rogue-agency",
    )
    pdf = signing.sign_with(plain_pdf("x"), rogue, "ChuKy", AT - timedelta(hours=1))

    [report] = verify_pdf(pdf, pki.trust_store(), AT).signatures

    assert (report.verdict, report.sub_indication) == (
        V.UNTRUSTED,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )
    assert report.indication is Indication.INDETERMINATE


def test_revocation_outcomes_from_the_local_cache(pki: TestPki, two_signed: bytes) -> None:
    """GIVEN the intermediate's CRL in the trust store's cache WHEN verified
    THEN a fresh CRL gives "good" (or REVOKED for the listed person), a stale one holds the
    document (INDETERMINATE / TRY_LATER, never a rejection), none gives "not-checked"."""

    def outcome(
        crls: tuple[bytes, ...], mode: RevocationMode = RevocationMode.HARD_FAIL
    ) -> list[tuple[object, ...]]:
        trust = replace(pki.trust_store(mode), crls=crls)
        return [
            (s.verdict, s.sub_indication, s.revocation)
            for s in verify_pdf(two_signed, trust, AT).signatures
        ]

    good = (V.VALID, None, RevocationOutcome.GOOD)
    assert outcome((_crl(pki),)) == [good, good]
    assert outcome((_crl(pki, revoked=True),))[0] == (
        V.REVOKED,
        SubIndication.REVOKED_NO_POE,
        RevocationOutcome.REVOKED,
    )
    held = (V.INDETERMINATE, SubIndication.TRY_LATER, RevocationOutcome.UNKNOWN)
    assert outcome((_crl(pki, stale=True),)) == [held, held]
    assert outcome((_crl(pki, stale=True),), RevocationMode.SOFT_FAIL) == [held, held]
    not_checked = (V.VALID, None, RevocationOutcome.NOT_CHECKED)
    assert outcome((), RevocationMode.SOFT_FAIL) == [not_checked, not_checked]


def test_claimed_signing_time_does_not_rescue_a_revoked_certificate(pki: TestPki) -> None:
    """GIVEN a person signature claiming a time before the revocation
    WHEN verified at receipt with a CRL listing it THEN REVOKED (the claim is never trusted)."""
    trust = replace(pki.trust_store(), crls=(_crl(pki, revoked=True),))
    early = signing.sign_as_person_then_agency(plain_pdf("w"), pki, AT - timedelta(days=30))
    person = verify_pdf(early, trust, AT).signatures[0]
    assert person.signed_at is not None and person.signed_at < AT - timedelta(days=20)
    assert person.verdict is V.REVOKED


def test_key_usage_is_configurable(pki: TestPki) -> None:
    """GIVEN the agency's digitalSignature-only certificate WHEN the store accepts only
    nonRepudiation THEN UNTRUSTED / CHAIN_CONSTRAINTS_FAILURE; by default VALID."""
    pdf = signing.sign_with(plain_pdf("y"), pki.agency, "ChuKy", AT - timedelta(hours=1))
    strict = replace(pki.trust_store(), key_usage=("non_repudiation",))

    [default] = verify_pdf(pdf, pki.trust_store(), AT).signatures
    [refused] = verify_pdf(pdf, strict, AT).signatures

    assert default.verdict is V.VALID
    assert (refused.verdict, refused.sub_indication) == (
        V.UNTRUSTED,
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    )


def test_bmpstring_names_are_read_as_nfc(pki: TestPki) -> None:
    """GIVEN an organisation name encoded as BMPString in decomposed form
    WHEN read THEN the report carries it NFC-normalised, equal to the UTF8String one."""
    import unicodedata

    from cryptography.x509.name import _ASN1Type

    decomposed = unicodedata.normalize("NFD", pki.org_name)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, decomposed, _type=_ASN1Type.BMPString),
            x509.NameAttribute(NameOID.COMMON_NAME, "Lý Văn BMP"),
        ]
    )
    credential = pki.issue("Lý Văn BMP", pki.org_name, label="bmp")
    builder = x509.CertificateBuilder(
        subject_name=name,
        issuer_name=credential.cert.issuer,
        public_key=credential.key.public_key(),
        serial_number=credential.cert.serial_number + 1,
        not_valid_before=credential.cert.not_valid_before_utc,
        not_valid_after=credential.cert.not_valid_after_utc,
        extensions=list(credential.cert.extensions),
    )
    from cryptography.hazmat.primitives import hashes

    cert = builder.sign(pki.intermediate.key, hashes.SHA256())
    pdf = signing.sign_with(
        plain_pdf("z"), replace(credential, cert=cert), "ChuKy", AT - timedelta(hours=1)
    )

    [report] = verify_pdf(pdf, pki.trust_store(), AT).signatures

    assert report.verdict is V.VALID
    assert report.organization == pki.org_name


def test_chain_cache_gives_the_same_reports(pki: TestPki, two_signed: bytes) -> None:
    """GIVEN a chain cache WHEN the same document is verified twice, and then with another
    trust store THEN the reports equal the uncached ones, the second run hits the cache,
    and a new trust-store version (e.g. a new CRL) empties it."""
    cache = ChainCache(size=8)
    plain = verify_pdf(two_signed, pki.trust_store(), AT)

    first = verify_pdf(two_signed, pki.trust_store(), AT, cache)
    second = verify_pdf(two_signed, pki.trust_store(), AT, cache)

    assert first == second == plain
    assert cache.hits >= 2 and len(cache) == 2
    newer = replace(pki.trust_store(), crls=(_crl(pki),))
    assert newer.version != pki.trust_store().version
    verify_pdf(two_signed, newer, AT, cache)
    assert verify_pdf(two_signed, TrustStore(), AT, cache).worst is V.UNTRUSTED


def test_chain_cache_is_bounded(pki: TestPki) -> None:
    """GIVEN a cache of size 1 WHEN two signers are verified THEN only one entry stays."""
    cache = ChainCache(size=1)
    for credential in (pki.person, pki.agency):
        verify_pdf(
            signing.sign_with(plain_pdf("b"), credential, "K", AT - timedelta(hours=1)),
            pki.trust_store(),
            AT,
            cache,
        )
    assert len(cache) == 1
