"""Assemble a :class:`SignatureReport`: who signed, when they say, and the verdict.

One job: turn a verdict and details into a report, reading the signer's identity from the
certificate (subject CN and O, serial, issuer CN; NFC-normalised) and the signer-reported
time. Both are reported, never trusted; a name or date that cannot be decoded leaves the
field empty rather than failing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus

from mailparse.sigfields import SIGNATURE_ERRORS
from mailparse.sigverdict import Finding, worst
from mailparse.verdicts import SignatureReport, SignatureVerdict


@dataclass(frozen=True)
class _Identity:
    signer: str | None = None
    organization: str | None = None
    serial: str | None = None
    issuer: str | None = None


def report(name: str, status: PdfSignatureStatus, found: list[Finding]) -> SignatureReport:
    """The report on a validated signature: worst finding wins, every detail is kept."""
    details = tuple(detail for _, detail in found)
    signed_at = _aware(status.signer_reported_dt)
    return _make(name, worst(found), details, _identity(status.signing_cert), signed_at)


def report_without_status(
    name: str, embedded: EmbeddedPdfSignature, verdict: SignatureVerdict, detail: str
) -> SignatureReport:
    """A report when validation itself failed: still say who claims to have signed."""
    try:
        who = _identity(embedded.signer_cert)
        signed_at = _aware(embedded.self_reported_timestamp)
    except SIGNATURE_ERRORS:
        return bare_report(name, verdict, detail)
    return _make(name, verdict, (detail,), who, signed_at)


def bare_report(name: str, verdict: SignatureVerdict, detail: str) -> SignatureReport:
    """A report on a signature whose signer cannot even be read."""
    return _make(name, verdict, (detail,), _Identity(), None)


def _make(
    name: str,
    verdict: SignatureVerdict,
    details: tuple[str, ...],
    who: _Identity,
    signed_at: datetime | None,
) -> SignatureReport:
    return SignatureReport(
        field_name=name,
        signer=who.signer,
        organization=who.organization,
        signed_at=signed_at,
        verdict=verdict,
        details=details,
        serial=who.serial,
        issuer=who.issuer,
    )


def _identity(cert: asn1_x509.Certificate) -> _Identity:
    """Subject CN and O, serial (lower-case hex) and issuer CN, NFC-normalised.

    A name that asn1crypto cannot decode leaves the fields empty rather than failing.
    """
    try:
        subject, issuer = cert.subject.native, cert.issuer.native
        serial = format(cert.serial_number, "x")
    except SIGNATURE_ERRORS:
        return _Identity()
    return _Identity(
        signer=_text(subject.get("common_name")),
        organization=_text(subject.get("organization_name")),
        serial=serial,
        issuer=_text(issuer.get("common_name")),
    )


def _text(value: object) -> str | None:
    """An X.509 name attribute as NFC text; multi-valued attributes are joined."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return unicodedata.normalize("NFC", str(value))


def _aware(moment: datetime | None) -> datetime | None:
    """PDF dates may lack a zone; treat those as UTC (the value is only signer-reported)."""
    if moment is None or moment.utcoffset() is not None:
        return moment
    return moment.replace(tzinfo=UTC)
