"""Delivery status notifications (RFC 3464) and mail that is one of our own answers.

Pure: bytes in, values out. A bounce is ``multipart/report; report-type=delivery-status``
with a ``message/delivery-status`` part (per-recipient ``Action``, ``Status``,
``Diagnostic-Code``) and the returned message or its headers (``message/rfc822`` or
``text/rfc822-headers``), where the original Message-ID is read.
"""

from __future__ import annotations

import email
import email.errors
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser

_MSG_ID = re.compile(r"<[^<>\s]+>")
# RecursionError: the stdlib parser recurses once per nesting level (1000 nested
# multiparts in 70 KB); such a message is no DSN, and the pipeline calls it malformed.
_ERRORS = (
    email.errors.MessageError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    RecursionError,
)


@dataclass(frozen=True)
class DeliveryReport:
    """What a DSN says about one mail we sent."""

    original_message_id: str | None
    action: str  # failed | delayed | delivered | relayed | expanded ("" when unsaid)
    status: str  # "5.1.1"
    diagnostic: str
    recipient: str

    @property
    def reason(self) -> str:
        """One line for the outbox row: ``failed 5.1.1 smtp; 550 … (to x@y)``."""
        parts = [self.action or "failed", self.status, self.diagnostic]
        text = " ".join(p for p in parts if p)
        return f"{text} (to {self.recipient})" if self.recipient else text


def parse_report(raw: bytes) -> DeliveryReport | None:  # noqa: PLR0911 - one per "not a DSN"
    """The delivery report carried by ``raw``; None when it is not an RFC 3464 DSN."""
    declared = header_values(raw, "Content-Type").get("content-type", "")
    if "multipart/report" not in declared.lower():
        return None  # decided from the header section: the body is not parsed for nothing
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
        if msg.get_content_type() != "multipart/report":
            return None
        if str(msg.get_param("report-type", "")).lower() != "delivery-status":
            return None
        parts = msg.get_payload()
    except _ERRORS:
        return None
    if not isinstance(parts, list):
        return None
    fields: dict[str, str] = {}
    original: str | None = None
    for part in parts:
        if not isinstance(part, Message):
            continue
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            fields = _status_fields(part)
        elif kind in {"message/rfc822", "text/rfc822-headers"} and original is None:
            original = _returned_message_id(part)
    if not fields and original is None:
        return None
    return DeliveryReport(
        original_message_id=original,
        action=fields.get("action", "").lower(),
        status=fields.get("status", ""),
        diagnostic=" ".join(fields.get("diagnostic-code", "").split())[:500],
        recipient=fields.get("final-recipient", "").rpartition(";")[2].strip(),
    )


def header_values(raw: bytes, *names: str) -> dict[str, str]:
    """The first value of each named header (lower-cased names), headers only."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(header_section(raw))
    except _ERRORS:
        return {}
    found: dict[str, str] = {}
    for name in names:
        value = headers.get(name)
        if isinstance(value, str):
            found[name.lower()] = " ".join(value.split())
    return found


def header_section(raw: bytes) -> bytes:
    """``raw`` up to just past its first empty line: all a header parser reads of it.

    An empty line starts where two line ends meet ("\n\n", "\n\r", "\r\r"; CRLF
    included); cutting there spares decoding a body of megabytes on every look at the
    headers, and the headers parse the same (the parser stops at that line anyway).
    """
    found = [i for i in (raw.find(end) for end in (b"\n\n", b"\n\r", b"\r\r")) if i >= 0]
    return raw[: min(found) + 4] if found else raw


def _status_fields(part: Message) -> dict[str, str]:
    """The first per-recipient block of a ``message/delivery-status`` part."""
    payload = part.get_payload()
    blocks: list[Message] = []
    if isinstance(payload, list):
        blocks = [b for b in payload if isinstance(b, Message)]
    elif isinstance(payload, str):  # some parsers keep it as text: read the blocks ourselves
        blocks = [HeaderParser().parsestr(b) for b in re.split(r"\r?\n\r?\n", payload.strip())]
    recipients = [b for b in blocks if "Final-Recipient" in b or "Action" in b]
    if not recipients:
        return {}
    return {k.lower(): " ".join(str(v).split()) for k, v in recipients[0].items()}


def _returned_message_id(part: Message) -> str | None:
    payload = part.get_payload(decode=False)
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        value = payload[0].get("Message-ID")
    elif isinstance(payload, str):
        value = HeaderParser().parsestr(payload, headersonly=True).get("Message-ID")
    else:
        value = None
    match = _MSG_ID.search(str(value or ""))
    return match.group(0) if match else None
