"""Where a signer's certificate chain really ends, when it does not end at a trusted root.

DESIGN §4.5: a chain that does not reach a configured root is ``untrusted`` (ETSI
NO_CERTIFICATE_CHAIN_FOUND) and refused ``signature-untrusted``. pyHanko builds paths by
name: a self-signed look-alike of a trusted root (same subject, another key, embedded in
the signature) makes it pick the trusted root, fail the signature check on the way and
answer CERTIFICATE_CHAIN_GENERAL_FAILURE — "cannot be checked", and the message is held.
Here the chain is walked by *signature*: from the signer's certificate to the certificate
that really issued it (embedded in the signature or in the trust store), up to a trusted
root or to the end. When it ends elsewhere, the certificate authority it ends at is named
in the report (with its SHA-256 fingerprint, since a look-alike carries a trusted name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from mailparse.documents.indications import SubIndication
from mailparse.signatures.verdict import Finding
from mailparse.signatures.verdicts import SignatureVerdict, TrustStore

MAX_DEPTH = 8
_CHAIN_PROBLEMS = frozenset(
    {SubIndication.NO_CERTIFICATE_CHAIN_FOUND, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE}
)


@dataclass(frozen=True)
class UntrustedAnchor:
    """The certificate authority an untrusted chain ends at."""

    name: str  # its common name (or whole subject), as the certificate says
    fingerprint: str | None  # SHA-256 of its certificate; None when it is not at hand
    look_alike: bool  # it carries the name of a trusted root, with another key
    path: tuple[str, ...] = ()  # names from the signer to this CA, as followed by signature

    def describe(self) -> str:
        """English, for the report's details: name and fingerprint."""
        sha = f" (SHA-256 {self.fingerprint[:16]}…)" if self.fingerprint else ""
        alike = ", a look-alike of a trusted root's name" if self.look_alike else ""
        return f"certificate chain ends at {self.name!r}{sha}{alike}, which is not trusted"


def judge_anchor(
    found: list[Finding],
    signer: asn1_x509.Certificate,
    embedded: Iterable[asn1_x509.Certificate],
    trust: TrustStore,
) -> tuple[list[Finding], UntrustedAnchor | None]:
    """``found`` with its chain finding made ``untrusted`` when the chain, followed by
    signature, ends at a CA that is not trusted; and that CA. Unchanged otherwise."""
    if not any(f.sub in _CHAIN_PROBLEMS for f in found):
        return found, None
    try:
        anchor = untrusted_anchor(_load(signer.dump()), [_load(c.dump()) for c in embedded], trust)
    except (ValueError, TypeError):
        return found, None
    if anchor is None:
        return found, None
    untrusted = Finding(
        SignatureVerdict.UNTRUSTED,
        "certificate chain does not reach a trusted root",
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )
    judged = [untrusted if f.sub in _CHAIN_PROBLEMS else f for f in found]
    return [*judged, Finding(SignatureVerdict.VALID, anchor.describe())], anchor


def untrusted_anchor(
    signer: x509.Certificate, embedded: Sequence[x509.Certificate], trust: TrustStore
) -> UntrustedAnchor | None:
    """The CA the chain of ``signer`` ends at, or ``None`` when it reaches a trusted root."""
    roots = [_load(der) for der in trust.roots]
    candidates = [*embedded, *(_load(der) for der in trust.intermediates), *roots]
    root_names = {r.subject for r in roots}
    current, path = signer, [_common_name(signer.subject)]
    for _ in range(MAX_DEPTH):
        issuer = _issuer_of(current, candidates)
        if issuer is None:
            break
        if issuer in roots:
            return None
        if issuer == current:  # self-signed, not a trusted root
            fingerprint = hashlib.sha256(issuer.public_bytes(Encoding.DER)).hexdigest()
            look_alike = issuer.subject in root_names
            return UntrustedAnchor(path[-1], fingerprint, look_alike, tuple(path))
        current = issuer
        path.append(_common_name(issuer.subject))
    # The last certificate at hand was issued by a CA that is neither embedded nor trusted.
    missing = _common_name(current.issuer)
    return UntrustedAnchor(missing, None, look_alike=False, path=(*path, missing))


def _issuer_of(
    cert: x509.Certificate, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in candidates:
        try:
            cert.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def _load(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)
