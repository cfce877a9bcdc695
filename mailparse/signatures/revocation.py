"""What the revocation data at hand says about a signer's certificate (R-SIGN).

One job: the revocation outcome recorded in the register — ``good`` (fresh data says not
revoked), ``revoked``, ``not-checked`` (revocation off, or soft-fail with no data at all:
pyHanko then accepts a certificate it could not check) or ``unknown`` (data required but
missing, or only stale data). Stale data is a transient condition: the verdict becomes
INDETERMINATE / TRY_LATER (held, never refused). Data comes from the document's /DSS and
the local CRL cache only; nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation.status import PdfSignatureStatus

from mailparse.documents.indications import RevocationOutcome
from mailparse.signatures.verdicts import RevocationMode

R = RevocationOutcome


@dataclass(frozen=True)
class RevocationCheck:
    outcome: RevocationOutcome
    stale: bool = False  # only out-of-date data was found for the signer's certificate
    ca_revoked: bool = False


def check_revocation(
    status: PdfSignatureStatus,
    crls: tuple[asn1_crl.CertificateList, ...],
    ocsps: tuple[asn1_ocsp.OCSPResponse, ...],
    mode: RevocationMode,
    at: datetime,
) -> RevocationCheck:
    """The outcome for ``status``'s signer, judged at ``at`` (the time of receipt)."""
    indication = status.trust_problem_indic
    if status.revoked or indication in (
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        return RevocationCheck(
            R.REVOKED, ca_revoked=indication == AdESIndeterminate.REVOKED_CA_NO_POE
        )
    if mode is RevocationMode.OFF or indication == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return RevocationCheck(R.NOT_CHECKED)
    fresh, stale = _freshness(status.signing_cert, crls, ocsps, at)
    if fresh:
        return RevocationCheck(R.GOOD if indication is None else R.UNKNOWN)
    if stale:
        return RevocationCheck(R.UNKNOWN, stale=True)
    return RevocationCheck(R.NOT_CHECKED if mode is RevocationMode.SOFT_FAIL else R.UNKNOWN)


def _freshness(
    cert: asn1_x509.Certificate,
    crls: tuple[asn1_crl.CertificateList, ...],
    ocsps: tuple[asn1_ocsp.OCSPResponse, ...],
    at: datetime,
) -> tuple[bool, bool]:
    """(any fresh data, any stale data) about ``cert`` among ``crls`` and ``ocsps``."""
    windows = [_crl_window(c) for c in crls if _crl_issuer(c) == cert.issuer]
    windows += [w for o in ocsps for w in _ocsp_windows(o, cert.serial_number)]
    fresh = any(start <= at and (end is None or at <= end) for start, end in windows)
    stale = any(end is not None and end < at for _, end in windows)
    return fresh, stale


Window = tuple[datetime, datetime | None]


def _crl_issuer(crl: asn1_crl.CertificateList) -> asn1_x509.Name:
    return crl["tbs_cert_list"]["issuer"]


def _crl_window(crl: asn1_crl.CertificateList) -> Window:
    tbs = crl["tbs_cert_list"]
    next_update = tbs["next_update"]
    return tbs["this_update"].native, None if next_update.native is None else next_update.native


def _ocsp_windows(response: asn1_ocsp.OCSPResponse, serial: int) -> list[Window]:
    try:
        data = response["response_bytes"]["response"].parsed["tbs_response_data"]
    except (KeyError, ValueError, TypeError, AttributeError):
        return []
    return [
        (single["this_update"].native, single["next_update"].native)
        for single in data["responses"]
        if single["cert_id"]["serial_number"].native == serial
    ]
