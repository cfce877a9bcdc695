"""Signature verdicts as values (DESIGN §4.5): what the gateway concluded about a signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mailparse.reasons import Reason


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


@dataclass(frozen=True)
class TrustStore:
    """Certificates the verifier may rely on, as DER bytes; loaded from disk by the caller."""

    roots: tuple[bytes, ...] = ()
    intermediates: tuple[bytes, ...] = ()
    revocation: RevocationMode = RevocationMode.SOFT_FAIL


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
