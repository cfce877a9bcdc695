"""Map pyHanko's status of one signature to our findings and verdict (DESIGN §4.5).

One job: judge a :class:`PdfSignatureStatus`. Each finding is a verdict, a short English
detail and an ETSI sub-indication; the worst finding wins, VALID findings are notes that
do not change the verdict:

========================================================  ===============
signed bytes changed, bad cryptography, odd byte range    INVALID
changes after signing beyond form filling/signing, DocMDP  MODIFIED
  violations, unsigned bytes after the end of the file
signer or CA certificate revoked (CRL/OCSP: /DSS, cache)  REVOKED
a certificate outside its validity at the time of receipt  EXPIRED
no path to a configured root, unusable key usage           UNTRUSTED
cannot be decided (unsupported type or algorithm,          INDETERMINATE
  revocation unknown under hard-fail/require, stale data)
otherwise                                                  VALID
========================================================  ===============

The validation time is always the time of receipt: a signature timestamp is never used
to go back, so an untrusted one is only noted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from mailparse.documents.indications import RevocationOutcome, SubIndication
from mailparse.signatures.revocation import RevocationCheck
from mailparse.signatures.verdicts import SEVERITY, RevocationMode, SignatureVerdict

V = SignatureVerdict
S = SubIndication


class Finding(NamedTuple):
    verdict: SignatureVerdict
    detail: str
    sub: SubIndication | None = None


_UNKNOWN_REVOCATION_FAILS = (RevocationMode.HARD_FAIL, RevocationMode.REQUIRE)
_TRUST_PROBLEMS = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: Finding(
        V.UNTRUSTED, "certificate chain does not reach a trusted root", S.NO_CERTIFICATE_CHAIN_FOUND
    ),
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: Finding(
        V.UNTRUSTED,
        "certificate not acceptable for signing (key usage or constraints)",
        S.CHAIN_CONSTRAINTS_FAILURE,
    ),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: Finding(
        V.INDETERMINATE, "signature algorithm not accepted", S.CRYPTO_CONSTRAINTS_FAILURE
    ),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: Finding(
        V.INDETERMINATE, "signature algorithm not accepted", S.CRYPTO_CONSTRAINTS_FAILURE
    ),
}


def findings(
    status: PdfSignatureStatus,
    *,
    at: datetime,
    clean_tail: bool,
    revocation: RevocationMode,
    checked: RevocationCheck,
) -> list[Finding]:
    """Everything wrong (or worth noting) about one validated signature.

    ``at`` is the time of receipt, ``clean_tail`` whether nothing follows the file's last
    revision, ``revocation`` the configured mode, ``checked`` what the revocation data says.
    """
    if not status.intact:
        return [Finding(V.INVALID, "signed bytes do not match the signature", S.HASH_FAILURE)]
    if not status.valid:
        return [Finding(V.INVALID, "signature does not verify", S.SIG_CRYPTO_FAILURE)]
    return [
        *_modification_findings(status, clean_tail),
        *_trust_findings(status, at, revocation, checked),
        *_timestamp_findings(status),
    ]


def worst(found: Iterable[Finding]) -> Finding | None:
    """The most severe finding (the first of equals); ``None`` when there is none."""
    ranked = [f for f in found if f.verdict is not V.VALID]
    return max(ranked, key=lambda f: SEVERITY.index(f.verdict), default=None)


def _modification_findings(status: PdfSignatureStatus, clean_tail: bool) -> Iterator[Finding]:
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        yield Finding(V.INVALID, "signature does not cover its own revision", S.FORMAT_FAILURE)
        return
    level = status.modification_level
    if (level is not None and level > ModificationLevel.FORM_FILLING) or (
        status.docmdp_ok is False
    ):
        yield Finding(
            V.MODIFIED,
            "document changed after signing beyond form filling and signing",
            S.FORMAT_FAILURE,
        )
    if not clean_tail:
        yield Finding(V.MODIFIED, "unsigned bytes after the end of the document", S.FORMAT_FAILURE)
    if status.seed_value_constraint_error is not None:
        yield Finding(
            V.INDETERMINATE, "signature field constraints not met", S.SIG_CONSTRAINTS_FAILURE
        )


def _trust_findings(
    status: PdfSignatureStatus, at: datetime, revocation: RevocationMode, checked: RevocationCheck
) -> Iterator[Finding]:
    indication = status.trust_problem_indic
    if checked.outcome is RevocationOutcome.REVOKED:
        sub = S.REVOKED_CA_NO_POE if checked.ca_revoked else S.REVOKED_NO_POE
        yield Finding(V.REVOKED, "a certificate in the chain is revoked", sub)
    elif indication in _TRUST_PROBLEMS:
        yield _TRUST_PROBLEMS[indication]
    elif _not_yet_valid(status, at):
        yield Finding(
            V.EXPIRED, "certificate not yet valid at the time of receipt", S.NOT_YET_VALID
        )
    elif indication == AdESIndeterminate.OUT_OF_BOUNDS_NO_POE or _expired(status, at):
        yield Finding(
            V.EXPIRED, "certificate not valid at the time of receipt", S.OUT_OF_BOUNDS_NO_POE
        )
    elif checked.stale and revocation is not RevocationMode.OFF:
        yield Finding(V.INDETERMINATE, "revocation data is stale; try later", S.TRY_LATER)
    elif indication is None:
        return
    elif revocation in _UNKNOWN_REVOCATION_FAILS:
        yield Finding(
            V.INDETERMINATE,
            "certificate status unknown (revocation data missing or stale)",
            S.TRY_LATER,
        )
    else:
        yield Finding(
            V.INDETERMINATE,
            "certificate chain could not be validated",
            S.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        )


def _certs(status: PdfSignatureStatus) -> list[asn1_x509.Certificate]:
    certs = [status.signing_cert]
    if status.validation_path is not None:
        certs.extend(status.validation_path.iter_certs(include_root=True))
    return certs


def _not_yet_valid(status: PdfSignatureStatus, at: datetime) -> bool:
    """pyHanko names only an expired end-entity certificate; a not-yet-valid one, or an
    expired CA, comes back as a general chain failure."""
    return any(at < c.not_valid_before for c in _certs(status))


def _expired(status: PdfSignatureStatus, at: datetime) -> bool:
    return any(at > c.not_valid_after for c in _certs(status))


def _timestamp_findings(status: PdfSignatureStatus) -> Iterator[Finding]:
    """A signature timestamp is never used as the validation time, so an untrusted one is
    only noted; a broken one makes the signature undecidable."""
    timestamp = status.timestamp_validity
    if timestamp is None:
        return
    if not (timestamp.intact and timestamp.valid):
        yield Finding(V.INDETERMINATE, "signature timestamp token is broken", S.GENERIC)
    elif not timestamp.trusted:
        yield Finding(V.VALID, "signature timestamp not trusted; ignored")
