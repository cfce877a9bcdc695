"""Read-only values of the outgoing register, for the command line, the console and reports.

``OutgoingView.to_json`` prints exactly the fields of DESIGN §4.7 (``outgoing list --json``)
and a few more a script may want (``outgoing_number``, ``document_type``, ``urgency``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class RecipientView:
    """One recipient as the clerk reads it."""

    position: int
    code: str | None  # directory code; None for an address outside the directory
    name: str
    address: str
    status: str  # queued | sent | received | refused | bounced | overdue
    updated_at: datetime
    their_number: str | None  # their incoming number, "2026/7"
    reasons: tuple[str, ...]  # their reason codes (refused) or the bounce's reason
    status_code: str | None  # the last QCVN 102 status code they sent (02, 03, 04, 05, 06)
    confirm_by: datetime  # answer expected by then (``[outgoing] confirm_within``)
    reminded_at: datetime | None
    confirmed_at: datetime | None
    message_id: str

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "code": self.code,
            "address": self.address,
            "status": self.status,
            "updated_at": self.updated_at.astimezone(zone).isoformat(),
            "their_number": self.their_number,
            "reasons": list(self.reasons),
            "name": self.name,
            "status_code": self.status_code,
            "message_id": self.message_id,
        }


@dataclass(frozen=True)
class OutgoingView:
    """One issued document and every recipient's state."""

    id: int
    year: int
    outgoing_number: int
    document_number: str
    issued_on: date | None
    document_type: str | None
    summary: str | None
    urgency: str
    pages: int | None
    signer_name: str | None
    filename: str
    document_sha256: str
    attachments: tuple[dict[str, Any], ...]
    issued_at: datetime
    issued_by: str
    answers: str | None
    respond_by: date | None
    recipients: tuple[RecipientView, ...]

    def counts(self) -> dict[str, int]:
        """How many recipients are in each state."""
        return dict(Counter(r.status for r in self.recipients))

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "document_number": self.document_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "summary": self.summary,
            "issued_at": self.issued_at.astimezone(zone).isoformat(),
            "answers": self.answers,
            "respond_by": self.respond_by.isoformat() if self.respond_by else None,
            "recipients": [r.to_json(zone) for r in self.recipients],
            "year": self.year,
            "outgoing_number": self.outgoing_number,
            "document_type": self.document_type,
            "urgency": self.urgency,
            "pages": self.pages,
            "signer": self.signer_name,
            "issued_by": self.issued_by,
            "filename": self.filename,
            "sha256": self.document_sha256,
            "attachments": [dict(a) for a in self.attachments],
        }


@dataclass(frozen=True)
class EventView:
    """One change of one recipient's state (the document's history)."""

    at: datetime
    code: str | None
    address: str
    status: str
    status_code: str | None
    their_number: str | None
    reasons: tuple[str, ...]
    source: str  # issue | relay | receipt | edxml | reply | dsn | clock
    note: str

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(zone).isoformat(),
            "code": self.code,
            "address": self.address,
            "status": self.status,
            "status_code": self.status_code,
            "their_number": self.their_number,
            "reasons": list(self.reasons),
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class UnitIssueCounts:
    """One unit's month as a recipient of our documents (R-MONTHLY, CV54 §3)."""

    issued: int = 0  # documents issued to it in the month
    received: int = 0  # of those, confirmed received (at any time up to the month's end)
    refused: int = 0
    bounced: int = 0
    unanswered: int = 0  # queued, sent or overdue at the month's end
    # (queued_at, confirmed_at) of the received ones: the report measures working hours.
    confirm_delays: tuple[tuple[datetime, datetime], ...] = ()
