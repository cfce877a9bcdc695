"""Why a document is not issued: a value the command line and the console show as is.

::

    GatewayError
    └── IssueRefusedError          the document or the request fails a check; nothing was
                              registered or sent (exit 1, the reason in Vietnamese)
"""

from __future__ import annotations

from enum import StrEnum

from gateway.errors import GatewayError


class RefusalCode(StrEnum):
    """Machine-readable reason of a refusal (the audit line and ``--json`` carry it)."""

    NO_AGENCY = "agency-not-configured"
    UNREADABLE = "unreadable-document"
    SECRET_MARK = "secret-document"  # noqa: S105 - R-SECRET: a secrecy mark, not a password
    UNSIGNED = "unsigned"
    NOT_OURS = "signer-mismatch"  # no valid signature of our own agency (R-ISSUE, R-FORGE)
    NO_NUMBER = "no-document-number"
    ISSUED_BEFORE = "already-issued"  # the same số/ký hiệu in the same year
    NO_RECIPIENT = "no-recipient"
    UNKNOWN_RECIPIENT = "unknown-recipient"
    NO_ADDRESS = "recipient-without-address"
    UNKNOWN_ENTRY = "unknown-incoming-entry"  # --answers names no register entry
    BAD_ATTACHMENT = "unreadable-attachment"


class IssueRefusedError(GatewayError):
    """The document is not issued; ``message`` is for the clerk (Vietnamese)."""

    def __init__(self, code: RefusalCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
