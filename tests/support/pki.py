"""A real, small test PKI made with ``cryptography``: root → intermediate → signers.

Keys are RSA 2048 and cached per process by label, so building several PKIs in one test
session costs only the certificate signing. Subject names are Vietnamese and encoded as
UTF8String (cryptography's default for every attribute but the country).

Validity windows: the CAs run 2020–2040 and the signers 2024–2036, which covers both
2026-01-01..2030 and "now". The factories below make the deliberately broken ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mailparse.signatures.verdicts import RevocationMode, TrustStore

DEFAULT_ORG = "Ủy ban nhân dân thành phố Rạch Giá"
DEFAULT_PERSON = "Nguyễn Văn An"
DEFAULT_AGENCY_CN = "Văn phòng HĐND và UBND thành phố Rạch Giá"

CA_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2040, 1, 1, tzinfo=UTC)
SIGNER_NOT_BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
SIGNER_NOT_AFTER = datetime(2036, 1, 1, tzinfo=UTC)
CRL_URL = "http://crl.ca.test.invalid/chuyen-dung.crl"


@functools.cache
def cached_key(label: str) -> rsa.RSAPrivateKey:
    """One RSA key per label for the whole process (generation dominates PKI set-up)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Credential:
    """A private key, its certificate and the CA certificates to embed when signing."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organization: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _signer_key_usage(*, non_repudiation: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _build(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Credential | None,
    not_before: datetime,
    not_after: datetime,
    ca: bool,
    non_repudiation: bool = True,
    crl_url: str | None = None,
) -> x509.Certificate:
    """Sign ``subject``'s certificate with ``issuer`` (self-signed when ``None``)."""
    issuer_name = subject if issuer is None else issuer.cert.subject
    issuer_key = key if issuer is None else issuer.key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            _CA_KEY_USAGE if ca else _signer_key_usage(non_repudiation=non_repudiation),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if not ca or crl_url:
        # Declared but unreachable here: soft-fail passes without it, hard-fail cannot.
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url or CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_root(common_name: str = "Test Root CA Chính phủ", *, label: str = "root") -> Credential:
    """A self-signed root CA."""
    key = cached_key(label)
    subject = _name(common_name, "Ban Cơ yếu Chính phủ (test)")
    cert = _build(
        subject=subject,
        key=key,
        issuer=None,
        not_before=CA_NOT_BEFORE,
        not_after=CA_NOT_AFTER,
        ca=True,
    )
    return Credential(key=key, cert=cert)


def make_intermediate(
    root: Credential,
    common_name: str = "Test CA Chuyên dùng",
    *,
    label: str = "intermediate",
    crl_url: str | None = None,
) -> Credential:
    """An intermediate CA under ``root`` (with a CRL distribution point when ``crl_url``)."""
    key = cached_key(label)
    cert = _build(
        subject=_name(common_name, "Ban Cơ yếu Chính phủ (test)"),
        key=key,
        issuer=root,
        not_before=CA_NOT_BEFORE,
        not_after=CA_NOT_AFTER,
        ca=True,
        crl_url=crl_url,
    )
    return Credential(key=key, cert=cert, chain=(root.cert,))


def issue_certificate(
    issuer: Credential,
    *,
    common_name: str,
    organization: str | None,
    label: str | None = None,
    not_before: datetime = SIGNER_NOT_BEFORE,
    not_after: datetime = SIGNER_NOT_AFTER,
    non_repudiation: bool = True,
) -> Credential:
    """An end-entity signing certificate issued by the CA ``issuer``.

    ``label`` picks the cached key (default: the common name); ``non_repudiation=False``
    gives a certificate with digitalSignature only, as some agency seals have.
    """
    key = cached_key(label or common_name)
    cert = _build(
        subject=_name(common_name, organization),
        key=key,
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        ca=False,
        non_repudiation=non_repudiation,
    )
    return Credential(key=key, cert=cert, chain=(issuer.cert, *issuer.chain))


@dataclass(frozen=True)
class TestPki:
    """Root, intermediate, a person and an agency of one organisation."""

    __test__ = False  # not a pytest test class, despite the name

    org_name: str
    person_name: str
    root: Credential
    intermediate: Credential
    person: Credential
    agency: Credential

    def root_pem(self) -> bytes:
        return self.root.cert.public_bytes(serialization.Encoding.PEM)

    def root_der(self) -> bytes:
        return self.root.cert.public_bytes(serialization.Encoding.DER)

    def intermediate_der(self) -> bytes:
        return self.intermediate.cert.public_bytes(serialization.Encoding.DER)

    def trust_store(self, revocation: RevocationMode = RevocationMode.SOFT_FAIL) -> TrustStore:
        """A trust store with this root and intermediate."""
        return TrustStore(
            roots=(self.root_der(),),
            intermediates=(self.intermediate_der(),),
            revocation=revocation,
        )

    def issue(
        self,
        common_name: str,
        organization: str | None,
        *,
        label: str | None = None,
        non_repudiation: bool = True,
    ) -> Credential:
        """Another signing certificate from this PKI's intermediate (see issue_certificate)."""
        return issue_certificate(
            self.intermediate,
            common_name=common_name,
            organization=organization,
            label=label,
            non_repudiation=non_repudiation,
        )


def make_pki(org_name: str = DEFAULT_ORG, person_name: str = DEFAULT_PERSON) -> TestPki:
    """A fresh PKI: the person signs with digitalSignature+nonRepudiation, the agency
    with digitalSignature only (the verifier must accept either)."""
    root = make_root()
    intermediate = make_intermediate(root)
    person = issue_certificate(
        intermediate, common_name=person_name, organization=org_name, label="person"
    )
    agency = issue_certificate(
        intermediate,
        common_name=f"Văn phòng {org_name}" if org_name != DEFAULT_ORG else DEFAULT_AGENCY_CN,
        organization=org_name,
        label="agency",
        non_repudiation=False,
    )
    return TestPki(
        org_name=org_name,
        person_name=person_name,
        root=root,
        intermediate=intermediate,
        person=person,
        agency=agency,
    )


def expired_credential(pki: TestPki, *, expired_on: datetime | None = None) -> Credential:
    """A person certificate that expired on ``expired_on`` (default 2025-01-01)."""
    not_after = expired_on or datetime(2025, 1, 1, tzinfo=UTC)
    return issue_certificate(
        pki.intermediate,
        common_name="Trần Thị Hết Hạn",
        organization=pki.org_name,
        label="expired",
        not_before=not_after - timedelta(days=730),
        not_after=not_after,
    )


def not_yet_valid_credential(pki: TestPki, *, valid_from: datetime | None = None) -> Credential:
    """A person certificate valid only from ``valid_from`` (default 2031-01-01)."""
    not_before = valid_from or datetime(2031, 1, 1, tzinfo=UTC)
    return issue_certificate(
        pki.intermediate,
        common_name="Lê Văn Chưa Hiệu Lực",
        organization=pki.org_name,
        label="not-yet-valid",
        not_before=not_before,
        not_after=not_before + timedelta(days=730),
    )


def untrusted_credential(org_name: str = DEFAULT_ORG) -> Credential:
    """A well-formed agency certificate under a different, unconfigured root."""
    other_root = make_root("Root CA Giả Mạo", label="other-root")
    other_intermediate = make_intermediate(other_root, "CA Giả Mạo", label="other-intermediate")
    return issue_certificate(
        other_intermediate,
        common_name=f"Văn phòng {org_name}",
        organization=org_name,
        label="other-agency",
    )


def make_crl(
    issuer: Credential,
    revoked: list[x509.Certificate],
    *,
    revoked_on: datetime,
    this_update: datetime,
    next_update: datetime,
) -> bytes:
    """A DER CRL from ``issuer`` listing ``revoked`` as revoked since ``revoked_on``."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(revoked_on)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
