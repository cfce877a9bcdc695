"""Map pyHanko's status of one signature to our findings and verdict (DESIGN §4.5).

One job: judge a :class:`PdfSignatureStatus`. Each finding is a verdict and a short English
detail; the worst finding wins, VALID findings are notes that do not change the verdict:

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

The validation time is always the time of receipt: a signature timestamp is never used
to go back, so an untrusted one is only noted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from mailparse.verdicts import SEVERITY, RevocationMode, SignatureVerdict

V = SignatureVerdict
Finding = tuple[SignatureVerdict, str]

_UNKNOWN_REVOCATION_FAILS = (RevocationMode.HARD_FAIL, RevocationMode.REQUIRE)


def findings(
    status: PdfSignatureStatus, *, at: datetime, clean_tail: bool, revocation: RevocationMode
) -> list[Finding]:
    """Everything wrong (or worth noting) about one validated signature.

    ``at`` is the time of receipt, ``clean_tail`` whether nothing follows the file's last
    revision, ``revocation`` the configured revocation mode.
    """
    if not (status.intact and status.valid):
        return [(V.INVALID, "signed bytes do not match the signature")]
    return [
        *_modification_findings(status, clean_tail),
        *_trust_findings(status, at, revocation),
        *_timestamp_findings(status),
    ]


def worst(found: Iterable[Finding]) -> SignatureVerdict:
    """The most severe verdict among ``found``; VALID when there is none."""
    return max((verdict for verdict, _ in found), key=SEVERITY.index, default=V.VALID)


def _modification_findings(status: PdfSignatureStatus, clean_tail: bool) -> Iterator[Finding]:
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        yield V.INVALID, "signature does not cover its own revision"
        return
    level = status.modification_level
    if (level is not None and level > ModificationLevel.FORM_FILLING) or (
        status.docmdp_ok is False
    ):
        yield V.MODIFIED, "document changed after signing beyond form filling and signing"
    if not clean_tail:
        yield V.MODIFIED, "unsigned bytes after the end of the document"
    if status.seed_value_constraint_error is not None:
        yield V.INDETERMINATE, "signature field constraints not met"


def _trust_findings(
    status: PdfSignatureStatus, at: datetime, revocation: RevocationMode
) -> Iterator[Finding]:
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
    elif indication == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE or _outside_validity(status, at):
        yield V.EXPIRED, "certificate not valid at the time of receipt"
    elif indication in (
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    ):
        yield V.INDETERMINATE, "signature algorithm not accepted"
    elif revocation in _UNKNOWN_REVOCATION_FAILS:
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
