"""Tables of the outgoing register (DESIGN §4.7; schema owned by migration 0012).

One :class:`OutgoingDocument` per issued document, numbered per year from 1; one
:class:`OutgoingDelivery` per recipient, whose state moves ``queued`` → ``sent`` →
``received`` | ``refused`` | ``bounced`` | ``overdue``; one :class:`OutgoingEvent` per change
(the history the console shows).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.types import utc_field


class DeliveryStatus(StrEnum):
    """One recipient's state (DESIGN §4.7)."""

    QUEUED = "queued"  # in the outbox
    SENT = "sent"  # the relay accepted it
    RECEIVED = "received"  # their receipt (03), an edXML status or a person's "đã nhận"
    REFUSED = "refused"  # their rejection (02) with reasons
    BOUNCED = "bounced"  # a delivery status notification, or the relay refused it for good
    OVERDUE = "overdue"  # no answer after the reminder (``[outgoing] confirm_within``)


# Still waiting for the recipient: reminded, then flagged overdue.
OPEN_DELIVERY_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENT)
# Not answered yet: a bounce or an answer may still come.
WAITING_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENT, DeliveryStatus.OVERDUE)
# Answered one way or another: an answer never moves back to waiting.
SETTLED_DELIVERY_STATUSES = (
    DeliveryStatus.RECEIVED,
    DeliveryStatus.REFUSED,
    DeliveryStatus.BOUNCED,
)


class EventSource(StrEnum):
    """What told us about a recipient's state."""

    ISSUE = "issue"  # queued when issued
    RELAY = "relay"  # the outbox handed it over (or gave up)
    RECEIPT = "receipt"  # a gateway's answer: X-Document-Status
    EDXML = "edxml"  # an edXML status package (ResponseFor + StatusCode)
    REPLY = "reply"  # a person's reply threaded to our mail
    DSN = "dsn"  # a delivery status notification (RFC 3464)
    CLOCK = "clock"  # reminder sent, then overdue


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class OutgoingCounter(SQLModel, table=True):
    """The last outgoing number given per year; updated in the issuing transaction."""

    __tablename__ = "outgoing_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class OutgoingDocument(SQLModel, table=True):
    """One document issued by the agency: a row of the sổ đăng ký văn bản đi (R-OUTREG)."""

    __tablename__ = "outgoing_document"
    __table_args__ = (
        UniqueConstraint("year", "outgoing_number", name="uq_outgoing_number"),
        UniqueConstraint("year", "document_key", name="uq_outgoing_document_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    outgoing_number: int
    document_number: str = Field(max_length=200)  # "12/UBND-VP"
    number: str | None = Field(default=None, max_length=32)
    symbol: str | None = Field(default=None, max_length=160)
    document_key: str = Field(max_length=200)  # folded số/ký hiệu: issued once a year
    issued_on: date | None = None
    document_type: str | None = Field(default=None, max_length=100)
    summary: str | None = None
    urgency: str = Field(default="thuong", max_length=32)
    pages: int | None = None
    signer_name: str | None = None
    issuer_name: str | None = None
    filename: str = ""
    document_sha256: str = Field(max_length=64, index=True)
    attachments: list[dict[str, Any]] = _json()  # {filename, content_type, size, sha256}
    issued_at: datetime = utc_field(index=True)
    issued_by: str = Field(default="system", max_length=100)
    answers_entry_id: int | None = Field(default=None, foreign_key="register_entry.id")
    answers: str | None = Field(default=None, max_length=32)  # "2026/15" (R-RESPONSE)
    respond_by: date | None = None  # the answer the document asks for, by then (R-RESPONSE)
    search_text: str = ""


class OutgoingDelivery(SQLModel, table=True):
    """One recipient of one issued document and its state (R-DELIVERY)."""

    __tablename__ = "outgoing_delivery"
    __table_args__ = (UniqueConstraint("document_id", "position", name="uq_outgoing_position"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="outgoing_document.id", index=True)
    position: int  # N of the Message-ID <issue.ID.N@domain>
    code: str | None = Field(default=None, max_length=64, index=True)  # directory code
    name: str = ""
    address: str = Field(max_length=320)
    message_id: str = Field(unique=True, max_length=998)
    status: str = Field(default=DeliveryStatus.QUEUED, max_length=16, index=True)
    status_code: str | None = Field(default=None, max_length=8)  # last QCVN 102 code
    their_number: str | None = Field(default=None, max_length=64)
    reasons: list[str] = _json()
    queued_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)
    confirmed_at: datetime | None = utc_field(nullable=True)
    updated_at: datetime = utc_field()
    confirm_by: datetime = utc_field(index=True)
    reminded_at: datetime | None = utc_field(nullable=True)
    overdue_at: datetime | None = utc_field(nullable=True)


class OutgoingEvent(SQLModel, table=True):
    """One change of one recipient's state: the history of an issued document."""

    __tablename__ = "outgoing_event"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="outgoing_document.id", index=True)
    delivery_id: int = Field(foreign_key="outgoing_delivery.id", index=True)
    at: datetime = utc_field()
    status: str = Field(max_length=16)
    status_code: str | None = Field(default=None, max_length=8)
    their_number: str | None = Field(default=None, max_length=64)
    reasons: list[str] = _json()
    source: str = Field(max_length=16)
    note: str = ""
    inbound_message_id: str | None = Field(default=None, max_length=998)
