"""What a message says about a document we issued (DESIGN §4.7, R-DELIVERY). Pure.

Four kinds of answer, read in this order:

1. a delivery status notification (RFC 3464) of one of our issue mails → ``bounced``
   (action ``failed``; a ``delayed`` or ``delivered`` report changes nothing);
2. a receiving gateway's answer: ``X-Document-Status`` ``03`` with ``X-Incoming-Number``
   → ``received``, ``02`` with ``X-Reject-Reasons`` → ``refused``, ``04``/``05``/``06``
   later (recorded; the delivery stays ``received``);
3. an edXML status package (``ResponseFor`` + ``StatusCode``, QCVN 102:2016), attached;
4. a person's reply: the keywords of assignees' replies (:func:`rules.progress.read_intent`)
   — "đã nhận" / "tiếp nhận" → ``received``, "đang xử lý" 05, "hoàn thành" 06, "trả lại
   <lý do>" → ``refused``; anything else is kept in the history without a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailparse.dsn import DeliveryReport, header_values
from mailparse.edxml.envelope import looks_like_edxml
from mailparse.edxml.status import EdxmlStatus, read_status
from mailparse.message import ParsedMessage
from registry.outgoing.models import DeliveryStatus, EventSource
from rules.progress import Intent, read_intent

RECEIVED, REFUSED = "03", "02"
LATER = frozenset({"04", "05", "06"})
_INTENT_CODES = {
    Intent.ACKNOWLEDGED: RECEIVED,
    Intent.IN_PROGRESS: "05",
    Intent.DONE: "06",
    Intent.RETURN: REFUSED,
}


@dataclass(frozen=True)
class Said:
    """One answer as read: the new state (None: history only), and what came with it."""

    source: EventSource
    status: DeliveryStatus | None
    status_code: str | None = None
    their_number: str | None = None
    reasons: tuple[str, ...] = ()
    note: str = ""


def from_report(report: DeliveryReport) -> Said:
    if report.action in {"", "failed"}:
        return Said(EventSource.DSN, DeliveryStatus.BOUNCED, reasons=(report.reason[:500],))
    return Said(EventSource.DSN, None, note=f"DSN {report.action} {report.status}".strip())


def from_headers(raw: bytes) -> Said | None:
    """A receiving gateway's machine headers (DESIGN §4.4), or None without them."""
    found = header_values(raw, "X-Document-Status", "X-Incoming-Number", "X-Reject-Reasons")
    code = found.get("x-document-status", "").strip()
    if not code:
        return None
    numbers = [n.strip() for n in found.get("x-incoming-number", "").split(",") if n.strip()]
    reasons = tuple(r.strip() for r in found.get("x-reject-reasons", "").split(",") if r.strip())
    return _by_code(EventSource.RECEIPT, code, numbers[0] if numbers else None, reasons)


def edxml_status(parsed: ParsedMessage) -> EdxmlStatus | None:
    """The first edXML status package attached to the message."""
    for attachment in parsed.attachments:
        if looks_like_edxml(attachment.filename, attachment.content_type, attachment.data):
            status = read_status(attachment.data)
            if status is not None:
                return status
    return None


def from_edxml(status: EdxmlStatus) -> Said:
    reasons = (status.description,) if status.status_code == REFUSED and status.description else ()
    said = _by_code(EventSource.EDXML, status.status_code, None, reasons)
    note = " — ".join(p for p in (status.description, status.staff) if p)
    return Said(said.source, said.status, said.status_code, None, said.reasons, note)


def from_person(parsed: ParsedMessage) -> Said:
    intent = read_intent(parsed.body_text)
    code = _INTENT_CODES.get(intent.intent) if intent is not None else None
    if intent is None or code is None:
        return Said(EventSource.REPLY, None, note="reply without a recognised keyword")
    reasons = (intent.argument,) if code == REFUSED and intent.argument else ()
    said = _by_code(EventSource.REPLY, code, None, reasons)
    return Said(said.source, said.status, said.status_code, None, said.reasons, intent.line)


def _by_code(source: EventSource, code: str, number: str | None, reasons: tuple[str, ...]) -> Said:
    if code == RECEIVED:
        return Said(source, DeliveryStatus.RECEIVED, code, number, reasons)
    if code == REFUSED:
        return Said(source, DeliveryStatus.REFUSED, code, None, reasons)
    if code in LATER:
        return Said(source, DeliveryStatus.RECEIVED, code, number)
    return Said(source, None, code, number, reasons, note=f"status {code}")
