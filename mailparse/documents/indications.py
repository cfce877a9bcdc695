"""ETSI EN 319 102-1 style indications, and the other facts a signature report carries.

One job: the vocabulary. The gateway's verdict (:class:`~mailparse.verdicts.SignatureVerdict`)
is its policy; the indication and sub-indication say the same thing in the standard's
terms, so a court or another validator can compare. The mapping the verifier uses:

==========================  =================  ======================================
verdict                     indication         sub-indication
==========================  =================  ======================================
valid                       TOTAL-PASSED       —
invalid                     TOTAL-FAILED       HASH_FAILURE, SIG_CRYPTO_FAILURE,
                                               FORMAT_FAILURE (malformed, partial)
modified                    TOTAL-FAILED       FORMAT_FAILURE (changed after signing)
revoked                     INDETERMINATE      REVOKED_NO_POE, REVOKED_CA_NO_POE
expired / not yet valid     INDETERMINATE /    OUT_OF_BOUNDS_NO_POE / NOT_YET_VALID
                            TOTAL-FAILED
untrusted                   INDETERMINATE      NO_CERTIFICATE_CHAIN_FOUND,
                                               CHAIN_CONSTRAINTS_FAILURE (key usage)
indeterminate               INDETERMINATE      TRY_LATER (revocation missing or stale),
                                               FORMAT_FAILURE (unsupported type), …
==========================  =================  ======================================

Revoked and expired stay INDETERMINATE in the standard's terms because nothing proves the
signature existed before the revocation or the expiry (no POE); the gateway refuses them.
"""

from __future__ import annotations

from enum import StrEnum


class Indication(StrEnum):
    TOTAL_PASSED = "TOTAL-PASSED"
    TOTAL_FAILED = "TOTAL-FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    # TOTAL-FAILED
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # INDETERMINATE
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    TRY_LATER = "TRY_LATER"
    GENERIC = "GENERIC"


_TOTAL_FAILED = frozenset(
    {
        SubIndication.FORMAT_FAILURE,
        SubIndication.HASH_FAILURE,
        SubIndication.SIG_CRYPTO_FAILURE,
        SubIndication.REVOKED,
        SubIndication.NOT_YET_VALID,
    }
)


def indication_of(passed: bool, undecided: bool, sub: SubIndication | None) -> Indication:
    """TOTAL-PASSED when ``passed``; INDETERMINATE when ``undecided`` (the verdict is
    indeterminate) or the sub-indication is one; TOTAL-FAILED otherwise."""
    if passed:
        return Indication.TOTAL_PASSED
    if undecided or sub is None or sub not in _TOTAL_FAILED:
        return Indication.INDETERMINATE
    return Indication.TOTAL_FAILED


class Coverage(StrEnum):
    """What the signature's byte range covers."""

    ENTIRE_FILE = "entire-file"
    ENTIRE_REVISION = "entire-revision"  # later revisions follow it
    PARTIAL = "partial"


class RevocationOutcome(StrEnum):
    """What the revocation check of the signer's certificate found."""

    GOOD = "good"  # fresh CRL or OCSP data says the certificate is not revoked
    REVOKED = "revoked"
    NOT_CHECKED = "not-checked"  # revocation off, or soft-fail without any data
    UNKNOWN = "unknown"  # data required but missing, stale, or unusable
