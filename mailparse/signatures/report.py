"""Assemble a :class:`SignatureReport`: who signed, when they say, and the verdict.

One job: turn findings into a report, reading the signer's identity from the certificate
(subject CN and O, serial, issuer CN; NFC-normalised), the signer-reported time, and
from pyHanko's status the coverage, the modification level, the timestamp and the chain
used. Identity and time are reported, never trusted; a name or date that cannot be
decoded leaves the field empty rather than failing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from mailparse.documents.indications import (
    Coverage,
    RevocationOutcome,
    SubIndication,
    indication_of,
)
from mailparse.signatures.fields import SIGNATURE_ERRORS
from mailparse.signatures.revocation import RevocationCheck
from mailparse.signatures.verdict import Finding, worst
from mailparse.signatures.verdicts import SignatureReport, SignatureVerdict

_COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: Coverage.ENTIRE_FILE,
    SignatureCoverageLevel.ENTIRE_REVISION: Coverage.ENTIRE_REVISION,
}


@dataclass(frozen=True)
class _Identity:
    signer: str | None = None
    organization: str | None = None
    serial: str | None = None
    issuer: str | None = None


def report(
    name: str, status: PdfSignatureStatus, found: list[Finding], checked: RevocationCheck
) -> SignatureReport:
    """The report on a validated signature: worst finding wins, every detail is kept."""
    first = worst(found)
    verdict = first.verdict if first else SignatureVerdict.VALID
    base = _make(
        name,
        verdict,
        first.sub if first else None,
        tuple(f.detail for f in found),
        _identity(status.signing_cert),
        _aware(status.signer_reported_dt),
    )
    timestamp = status.timestamp_validity
    level = status.modification_level
    return replace(
        base,
        coverage=_COVERAGE.get(status.coverage, Coverage.PARTIAL) if status.coverage else None,
        modification_level=level.name.lower().replace("_", "-") if level is not None else None,
        timestamp_trusted=bool(
            timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
        ),
        revocation=checked.outcome,
        chain=_chain(status),
    )


def report_without_status(
    name: str,
    embedded: EmbeddedPdfSignature,
    verdict: SignatureVerdict,
    detail: str,
    sub: SubIndication | None,
) -> SignatureReport:
    """A report when validation itself failed: still say who claims to have signed."""
    try:
        who = _identity(embedded.signer_cert)
        signed_at = _aware(embedded.self_reported_timestamp)
        chain = (_subject_name(embedded.signer_cert),)
    except SIGNATURE_ERRORS:
        return bare_report(name, verdict, detail, sub)
    made = _make(name, verdict, sub, (detail,), who, signed_at)
    return replace(made, chain=chain, revocation=RevocationOutcome.NOT_CHECKED)


def bare_report(
    name: str, verdict: SignatureVerdict, detail: str, sub: SubIndication | None
) -> SignatureReport:
    """A report on a signature whose signer cannot even be read."""
    return _make(name, verdict, sub, (detail,), _Identity(), None)


def _make(  # noqa: PLR0917 - one private assembler of the report's fields
    name: str,
    verdict: SignatureVerdict,
    sub: SubIndication | None,
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
        indication=indication_of(
            verdict is SignatureVerdict.VALID, verdict is SignatureVerdict.INDETERMINATE, sub
        ),
        sub_indication=sub,
    )


def _chain(status: PdfSignatureStatus) -> tuple[str, ...]:
    """Subject names of the path used, signer first and root last; the signer alone when
    no path to a trusted root was found."""
    path = status.validation_path
    if path is None:
        return (_subject_name(status.signing_cert),)
    certs = list(path.iter_certs(include_root=True))
    return tuple(_subject_name(c) for c in reversed(certs))


def _subject_name(cert: asn1_x509.Certificate) -> str:
    """The subject's CN (NFC), or the whole name when it has none."""
    try:
        subject = cert.subject.native
        return _text(subject.get("common_name")) or cert.subject.human_friendly
    except SIGNATURE_ERRORS:
        return "?"


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
