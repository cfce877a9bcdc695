"""Reason codes (DESIGN §4.5): machine-readable, sent in ``X-Reject-Reasons``."""

from enum import StrEnum


class Reason(StrEnum):
    """Why a message or a document was refused, held or flagged."""

    MALFORMED_MESSAGE = "malformed-message"
    UNKNOWN_SENDER = "unknown-sender"
    NO_DOCUMENT = "no-document"
    UNREADABLE_DOCUMENT = "unreadable-document"
    UNSUPPORTED_ATTACHMENT = "unsupported-attachment"
    UNSIGNED = "unsigned"
    SIGNATURE_INVALID = "signature-invalid"
    SIGNATURE_MODIFIED = "signature-modified"
    SIGNATURE_UNTRUSTED = "signature-untrusted"
    SIGNATURE_EXPIRED = "signature-expired"
    SIGNATURE_REVOKED = "signature-revoked"
    SIGNATURE_INDETERMINATE = "signature-indeterminate"
    SIGNER_MISMATCH = "signer-mismatch"
    SECRET_DOCUMENT = "secret-document"  # noqa: S105 - a reason code, not a password
    MALWARE = "malware"
    PAGE_COUNT_MISMATCH = "page-count-mismatch"
    SENDER_AUTHENTICATION_FAILED = "sender-authentication-failed"
