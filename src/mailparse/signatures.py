"""Verify every signature of a PDF with pyHanko (DESIGN §1.4 step 4, §4.5; R-SIGN, R-FORGE).

Pure given a trust store: bytes, a :class:`TrustStore` and the time of receipt go in, a
:class:`PdfSignatures` comes out. Nothing is fetched: revocation data comes only from the
document's own /DSS. A verdict is a value; only a document that cannot be read at all
(not a PDF, damaged, encrypted) raises :class:`UnreadableDocumentError`.

Verdicts, worst wins when several findings apply to one signature:

========================================================  ===============
signed bytes changed, bad cryptography, odd byte range    INVALID
changes after signing beyond form filling/signing, DocMDP  MODIFIED
  violations, unsigned bytes after the end of the file
signer or CA certificate revoked (CRL/OCSP in the /DSS)   REVOKED
a certificate outside its validity at the time of receipt  EXPIRED
no path to a configured root, unusable key usage           UNTRUSTED
cannot be decided (unsupported type or algorithm,          INDETERMINATE
  revocation unknown under hard-fail/require)
otherwise                                                  VALID
========================================================  ===============

pyHanko traps handled here (see FIELD-NOTES): ``trust_roots=None`` silently means "the
operating system's TLS roots", so roots are always passed as a list, even an empty one;
nonRepudiation is required unless :class:`KeyUsageConstraints` says otherwise;
``reader.embedded_signatures`` drops fields with an unknown SubFilter and fails as a whole
on one broken signature, so filled fields are enumerated here, one at a time; appended
bytes after the last signature are accepted by pyHanko unless the file's tail is checked;
``validate_pdf_signature`` calls ``asyncio.run`` and so cannot run inside an event loop.

PAdES-LTA document timestamps (/DocTimeStamp) are not reported: they are nobody's signature.
The validation time is always the time of receipt; the signer's claimed time is reported
(``signed_at``) but never trusted, and embedded timestamp tokens are not used to go back.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from mailparse.errors import UnreadableDocumentError
from mailparse.verdicts import (
    SEVERITY,
    PdfSignatures,
    RevocationMode,
    SignatureReport,
    SignatureVerdict,
    TrustStore,
)

V = SignatureVerdict
Finding = tuple[SignatureVerdict, str]

# Vietnamese signer certificates carry digitalSignature, nonRepudiation or both (R-SIGN).
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)
# The SubFilters async_validate_pdf_signature accepts (adbe.pkcs7.sha1 is not one of them).
_SUPPORTED_SUBFILTERS = frozenset(
    str(sub.value)
    for sub in (
        SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        SigSeedSubFilter.PADES,
        SigSeedSubFilter.PBAD_PADES,
    )
)
_PYHANKO_REVOCATION = {
    RevocationMode.OFF: "none",
    RevocationMode.SOFT_FAIL: "soft-fail",
    RevocationMode.HARD_FAIL: "hard-fail",
    RevocationMode.REQUIRE: "require",
}
# After the last revision's xref section only its trailer and end marker may follow.
_FILE_TAIL = re.compile(rb"(?:(?!%%EOF).)*?startxref\s+(\d+)\s+%%EOF\s*\Z", re.DOTALL)
# Errors pyHanko and asn1crypto raise on one malformed or unsupported signature
# (SignatureValidationError and asn1crypto's parse errors are ValueErrors).
_SIGNATURE_ERRORS = (
    misc.PdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
)


def verify_pdf(data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
    """Blocking form of :func:`verify_pdf_async`, for a worker thread or process.

    Uses :func:`asyncio.run`: never call it from inside a running event loop.
    """
    return asyncio.run(verify_pdf_async(data, trust, at))


async def verify_pdf_async(data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
    """Every signature of ``data``, earliest first, judged at ``at`` (time of receipt).

    Offline and CPU-bound: awaiting it does not yield to other tasks for long, so a server
    should still run it off its event loop. ``at`` must be timezone-aware.

    :raises UnreadableDocumentError: not a PDF, damaged beyond reading, or encrypted.
    """
    if at.utcoffset() is None:
        raise ValueError("the validation time must be timezone-aware")
    reader = _open(data)
    try:
        fields = list(_filled_signature_fields(reader))
        revinfo = _document_revinfo(reader)
        clean_tail = _ends_cleanly(data, reader)
    except _SIGNATURE_ERRORS as exc:
        raise UnreadableDocumentError("the PDF structure cannot be read") from exc
    document = _Document(reader, trust, at, revinfo, clean_tail)
    ordered: list[tuple[int, SignatureReport]] = []
    for name, field in fields:
        verified = await _verify_field(document, name, field)
        if verified is not None:
            ordered.append(verified)
    ordered.sort(key=lambda item: item[0])
    return PdfSignatures(signatures=tuple(report for _, report in ordered))


@dataclass(frozen=True)
class _Revinfo:
    """Certificates, CRLs and OCSP responses embedded in the document's /DSS."""

    certs: tuple[asn1_x509.Certificate, ...] = ()
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    ocsps: tuple[asn1_ocsp.OCSPResponse, ...] = ()


@dataclass(frozen=True)
class _Document:
    reader: PdfFileReader
    trust: TrustStore
    at: datetime
    revinfo: _Revinfo
    clean_tail: bool


def _open(data: bytes) -> PdfFileReader:
    """A pyHanko reader over ``data``; the boundary where unreadable input becomes an error."""
    try:
        reader = PdfFileReader(BytesIO(data))
    except (misc.PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise UnreadableDocumentError("not a readable PDF") from exc
    if reader.encrypted:
        raise UnreadableDocumentError("the PDF is encrypted")
    return reader


def _filled_signature_fields(
    reader: PdfFileReader,
) -> Iterator[tuple[str, generic.DictionaryObject]]:
    """Every signature field with a value, including ones pyHanko would skip."""
    for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
        yield str(name), field.get_object()


def _document_revinfo(reader: PdfFileReader) -> _Revinfo:
    """Parse the /DSS once per document (pyHanko ignores it unless told)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _Revinfo()
    return _Revinfo(
        certs=tuple(dss.load_certs()),
        crls=tuple(
            asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
            for ref in dss.crls
        ),
        ocsps=tuple(
            asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            for ref in dss.ocsps
        ),
    )


def _ends_cleanly(data: bytes, reader: PdfFileReader) -> bool:
    """Whether nothing but the last revision's trailer follows its xref section (R-FORGE).

    pyHanko reads a file with bytes appended after the last ``%%EOF`` and still calls the
    last signature untouched "apart from the end of the file".
    """
    last = reader.xrefs.get_xref_container_info(reader.xrefs.total_revisions - 1)
    match = _FILE_TAIL.match(data, last.end_location)
    return match is not None and int(match.group(1)) == last.declared_startxref


async def _verify_field(
    document: _Document, name: str, field: generic.DictionaryObject
) -> tuple[int, SignatureReport] | None:
    """The report on one filled signature field, with its revision for ordering.

    ``None`` for a PAdES-LTA document timestamp (/DocTimeStamp): it is nobody's signature,
    and difference analysis still judges the revision it adds.
    """
    try:
        order = _revision_of(document.reader, field)
        value = field["/V"]
        kind, subfilter = value.get("/Type"), value.get("/SubFilter")
    except _SIGNATURE_ERRORS:
        last = int(document.reader.xrefs.total_revisions)
        return last, _bare_report(name, V.INVALID, "signature dictionary is malformed")
    if kind == "/DocTimeStamp":
        return None
    if subfilter not in _SUPPORTED_SUBFILTERS:
        # pyHanko's embedded_signatures would drop this one silently.
        return order, _bare_report(name, V.INDETERMINATE, "unsupported signature type")
    return order, await _validate(document, name, field)


async def _validate(
    document: _Document, name: str, field: generic.DictionaryObject
) -> SignatureReport:
    """Run pyHanko on one signature; its failures become verdicts, not exceptions."""
    try:
        embedded = EmbeddedPdfSignature(document.reader, field, name)
    except _SIGNATURE_ERRORS:
        return _bare_report(name, V.INVALID, "signature data is malformed")
    try:
        status = await async_validate_pdf_signature(
            embedded, _validation_context(document), key_usage_settings=_KEY_USAGE
        )
    except SignatureValidationError as exc:
        verdict = V.INVALID if isinstance(exc.ades_subindication, AdESFailure) else V.INDETERMINATE
        return _report_without_status(name, embedded, verdict, "signature cannot be checked")
    except _SIGNATURE_ERRORS:
        return _report_without_status(
            name, embedded, V.INDETERMINATE, "signature format or algorithm not supported"
        )
    return _report(name, status, _findings(status, document))


def _revision_of(reader: PdfFileReader, field: generic.DictionaryObject) -> int:
    """The revision that last changed the field's signature value (unknown → last)."""
    value = field.raw_get("/V")
    if isinstance(value, generic.IndirectObject):
        return int(reader.xrefs.get_last_change(value.reference))
    return int(reader.xrefs.total_revisions)


def _validation_context(document: _Document) -> ValidationContext:
    """A fresh offline context: configured roots only, validation time = receipt time."""
    trust, revinfo = document.trust, document.revinfo
    intermediates = [asn1_x509.Certificate.load(der) for der in trust.intermediates]
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der) for der in trust.roots],
        other_certs=[*intermediates, *revinfo.certs],
        moment=document.at,
        allow_fetching=False,
        # Lists, never None: pyHanko refuses 'require' without any revocation input.
        crls=list(revinfo.crls),
        ocsps=list(revinfo.ocsps),
        revocation_mode=_PYHANKO_REVOCATION[trust.revocation],
    )


def _findings(status: PdfSignatureStatus, document: _Document) -> list[Finding]:
    if not (status.intact and status.valid):
        return [(V.INVALID, "signed bytes do not match the signature")]
    return [
        *_modification_findings(status, document.clean_tail),
        *_trust_findings(status, document),
        *_timestamp_findings(status),
    ]


def _modification_findings(status: PdfSignatureStatus, clean_tail: bool) -> Iterator[Finding]:
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        yield V.INVALID, "signature does not cover its own revision"
        return
    if status.modification_level == ModificationLevel.OTHER or status.docmdp_ok is False:
        yield V.MODIFIED, "document changed after signing beyond form filling and signing"
    if not clean_tail:
        yield V.MODIFIED, "unsigned bytes after the end of the document"
    if status.seed_value_constraint_error is not None:
        yield V.INDETERMINATE, "signature field constraints not met"


def _trust_findings(status: PdfSignatureStatus, document: _Document) -> Iterator[Finding]:
    indication = status.trust_problem_indic
    if status.revoked or indication in (
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        yield V.REVOKED, "a certificate in the chain is revoked"
    elif indication is None:
        return
    elif indication == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        yield V.UNTRUSTED, "certificate chain does not reach a trusted root"
    elif indication == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:
        yield V.UNTRUSTED, "certificate not acceptable for signing (key usage or constraints)"
    elif indication == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE or _outside_validity(
        status, document.at
    ):
        yield V.EXPIRED, "certificate not valid at the time of receipt"
    elif indication in (
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    ):
        yield V.INDETERMINATE, "signature algorithm not accepted"
    elif document.trust.revocation in (RevocationMode.HARD_FAIL, RevocationMode.REQUIRE):
        yield V.INDETERMINATE, "certificate status unknown (revocation data missing or stale)"
    else:
        yield V.INDETERMINATE, "certificate chain could not be validated"


def _outside_validity(status: PdfSignatureStatus, at: datetime) -> bool:
    """Whether the signer's or a chain certificate is expired or not yet valid at ``at``.

    pyHanko names only an expired end-entity certificate; a not-yet-valid one, or an
    expired CA, comes back as a general chain failure.
    """
    certs = [status.signing_cert]
    if status.validation_path is not None:
        certs.extend(status.validation_path.iter_certs(include_root=True))
    for cert in certs:
        validity = cert["tbs_certificate"]["validity"]
        if not validity["not_before"].native <= at <= validity["not_after"].native:
            return True
    return False


def _timestamp_findings(status: PdfSignatureStatus) -> Iterator[Finding]:
    """A signature timestamp is never used as the validation time, so an untrusted one is
    only noted; a broken one makes the signature undecidable."""
    timestamp = status.timestamp_validity
    if timestamp is None:
        return
    if not (timestamp.intact and timestamp.valid):
        yield V.INDETERMINATE, "signature timestamp token is broken"
    elif not timestamp.trusted:
        yield V.VALID, "signature timestamp not trusted; ignored"


def _report(name: str, status: PdfSignatureStatus, findings: list[Finding]) -> SignatureReport:
    """Worst finding wins; VALID findings are notes that do not change the verdict."""
    verdict = max((v for v, _ in findings), key=SEVERITY.index, default=V.VALID)
    details = tuple(detail for _, detail in findings)
    signed_at = _aware(status.signer_reported_dt)
    return _make_report(name, verdict, details, _identity(status.signing_cert), signed_at)


def _report_without_status(
    name: str, embedded: EmbeddedPdfSignature, verdict: SignatureVerdict, detail: str
) -> SignatureReport:
    """A report when validation itself failed: still say who claims to have signed."""
    try:
        who = _identity(embedded.signer_cert)
        signed_at = _aware(embedded.self_reported_timestamp)
    except _SIGNATURE_ERRORS:
        return _bare_report(name, verdict, detail)
    return _make_report(name, verdict, (detail,), who, signed_at)


def _bare_report(name: str, verdict: SignatureVerdict, detail: str) -> SignatureReport:
    return _make_report(name, verdict, (detail,), _Identity(), None)


def _make_report(
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


@dataclass(frozen=True)
class _Identity:
    signer: str | None = None
    organization: str | None = None
    serial: str | None = None
    issuer: str | None = None


def _identity(cert: asn1_x509.Certificate) -> _Identity:
    """Subject CN and O, serial (lower-case hex) and issuer CN, NFC-normalised.

    A name that asn1crypto cannot decode leaves the fields empty rather than failing.
    """
    try:
        subject, issuer = cert.subject.native, cert.issuer.native
        serial = format(cert.serial_number, "x")
    except _SIGNATURE_ERRORS:
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
