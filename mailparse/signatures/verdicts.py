"""Signature verdicts as values (DESIGN §4.5): what the gateway concluded about a signature."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

from mailparse.documents.indications import Coverage, Indication, RevocationOutcome, SubIndication
from mailparse.reasons import Reason

__all__ = [
    "SEVERITY",
    "Coverage",
    "Indication",
    "PdfSignatures",
    "RevocationMode",
    "RevocationOutcome",
    "SignatureReport",
    "SignatureVerdict",
    "SubIndication",
    "TrustStore",
]


class SignatureVerdict(StrEnum):
    """The verdict on one signature, worst last in :data:`SEVERITY`."""

    VALID = "valid"
    INDETERMINATE = "indeterminate"
    UNTRUSTED = "untrusted"
    EXPIRED = "expired"
    REVOKED = "revoked"
    MODIFIED = "modified"
    INVALID = "invalid"

    @property
    def reason(self) -> Reason | None:
        """The reason code a document with this verdict is refused (or held) for."""
        return _REASON_OF_VERDICT.get(self)


SEVERITY: tuple[SignatureVerdict, ...] = tuple(SignatureVerdict)

_REASON_OF_VERDICT = {
    SignatureVerdict.INDETERMINATE: Reason.SIGNATURE_INDETERMINATE,
    SignatureVerdict.UNTRUSTED: Reason.SIGNATURE_UNTRUSTED,
    SignatureVerdict.EXPIRED: Reason.SIGNATURE_EXPIRED,
    SignatureVerdict.REVOKED: Reason.SIGNATURE_REVOKED,
    SignatureVerdict.MODIFIED: Reason.SIGNATURE_MODIFIED,
    SignatureVerdict.INVALID: Reason.SIGNATURE_INVALID,
}


class RevocationMode(StrEnum):
    """How revocation is checked (``[trust] revocation``)."""

    OFF = "off"
    SOFT_FAIL = "soft-fail"
    HARD_FAIL = "hard-fail"
    REQUIRE = "require"


# Key usages a signer certificate may carry (asn1crypto names); any one of them suffices.
DEFAULT_KEY_USAGE = ("digital_signature", "non_repudiation")


@dataclass(frozen=True)
class TrustStore:
    """What the verifier may rely on, as DER bytes; loaded from disk by the caller.

    ``crls`` and ``ocsps`` are the local revocation cache (``[trust] crls``); ``key_usage``
    the signer key usages accepted, any one of them suffices.
    """

    roots: tuple[bytes, ...] = ()
    intermediates: tuple[bytes, ...] = ()
    revocation: RevocationMode = RevocationMode.SOFT_FAIL
    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    key_usage: tuple[str, ...] = DEFAULT_KEY_USAGE

    @cached_property
    def version(self) -> str:
        """A digest of everything in the store: changes when roots or revocation data do."""
        digest = hashlib.sha256()
        for group in (self.roots, self.intermediates, self.crls, self.ocsps):
            digest.update(b"|%d|" % len(group))
            for item in group:
                digest.update(hashlib.sha256(item).digest())
        digest.update(f"{self.revocation}|{','.join(sorted(self.key_usage))}".encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class SignatureReport:
    """What one signature in one PDF is, and the verdict on it.

    ``details`` are short English phrases for the administrator (never document content),
    e.g. ``"certificate chain does not reach a trusted root"``.
    """

    field_name: str
    signer: str | None
    organization: str | None
    signed_at: datetime | None
    verdict: SignatureVerdict
    details: tuple[str, ...] = ()
    serial: str | None = None
    issuer: str | None = None
    indication: Indication = Indication.INDETERMINATE
    sub_indication: SubIndication | None = None
    coverage: Coverage | None = None
    modification_level: str | None = None  # pyHanko's: none, lta-updates, form-filling, …
    timestamp_trusted: bool | None = None  # None: not validated far enough to know
    revocation: RevocationOutcome | None = None
    chain: tuple[str, ...] = field(default=())  # subject names, signer first, root last
    untrusted_ca: str | None = None  # the CA an untrusted chain ends at (§4.5), by name


@dataclass(frozen=True)
class PdfSignatures:
    """Every signature of one PDF, in signing order (the earliest first)."""

    signatures: tuple[SignatureReport, ...]

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def worst(self) -> SignatureVerdict | None:
        """The most severe verdict among the signatures, or ``None`` when unsigned."""
        if not self.signatures:
            return None
        return max((s.verdict for s in self.signatures), key=SEVERITY.index)
