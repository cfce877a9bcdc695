"""Database tables of the incoming register (schema owned by the Alembic migrations)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from registry.types import utc_field


class Outcome(StrEnum):
    """What happened to one inbound message (DESIGN §4.1 ``inbound list``)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HELD = "held"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"


class EntryStatus(StrEnum):
    REGISTERED = "registered"
    AWAITING_DISTRIBUTION = "awaiting_distribution"  # a leader decides (R-DISTRIB)
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    RETURNED = "returned"
    RECALLED = "recalled"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# Default factories are Python functions, not the builtins list and dict: pydantic
# inspects a default factory's signature each time a row is made, and a builtin's costs
# ~15 × as much (its text signature is parsed with ast): ~1.5 ms of CPU per registered
# document.


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


def _json() -> Any:
    return Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))


class InboundMessage(SQLModel, table=True):
    """One message taken in (SMTP, LMTP, IMAP or file), whatever its outcome."""

    __tablename__ = "inbound_message"

    id: int | None = Field(default=None, primary_key=True)
    spool_id: str = Field(unique=True, max_length=64)
    message_id: str | None = Field(default=None, index=True, max_length=998)
    sha256: str = Field(max_length=64, index=True)
    fingerprint: str = Field(max_length=64, index=True)
    received_at: datetime = utc_field(index=True)
    protocol: str = Field(max_length=16)
    envelope_from: str = Field(max_length=320)
    sender_address: str | None = Field(default=None, max_length=320)
    sender_agency_code: str | None = Field(default=None, max_length=64)
    subject: str = ""
    outcome: str = Field(max_length=16, index=True)
    reasons: list[str] = _json()
    trace: list[dict[str, Any]] = _json()
    answered: bool = True
    note: str = ""
    duplicate_of: int | None = Field(default=None, foreign_key="inbound_message.id")
    # Sender authentication (DKIM, SPF, DMARC results) and the virus scan, as recorded.
    sender_auth: dict[str, Any] = Field(
        default_factory=_empty_dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
    scan: dict[str, Any] = Field(
        default_factory=_empty_dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )


class RegisterEntry(SQLModel, table=True):
    """One document in the sổ đăng ký văn bản đến (R-REG), numbered per year from 1."""

    __tablename__ = "register_entry"
    __table_args__ = (UniqueConstraint("year", "incoming_number", name="uq_register_number"),)

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", index=True)
    year: int
    incoming_number: int
    received_at: datetime = utc_field(index=True)  # migration 0011: the month's entries
    sender_address: str | None = Field(default=None, max_length=320)
    sender_agency_code: str | None = Field(default=None, max_length=64)
    sender_agency_name: str | None = None
    document_number: str | None = Field(default=None, max_length=200, index=True)
    issued_on: date | None = None
    document_type: str | None = Field(default=None, max_length=100, index=True)  # 0011
    summary: str | None = None
    issuer_code: str | None = Field(default=None, max_length=64)
    issuer_name: str | None = None
    signer_name: str | None = None
    urgency: str = Field(default="thuong", max_length=32)
    reference_only: bool = False
    paper_required: bool = False
    needs_review: bool = False
    pages: int | None = None
    status: str = Field(default=EntryStatus.REGISTERED, max_length=32)  # 0013
    message_id: str | None = Field(default=None, max_length=998)
    sha256: str = Field(max_length=64)
    filename: str = ""
    document_sha256: str = Field(max_length=64, index=True)
    # Issuer|number|date, folded (registry.links.document_key): a document is registered once.
    document_key: str | None = Field(default=None, max_length=400, unique=True)
    edxml_document_id: str | None = Field(default=None, max_length=400, index=True)
    search_text: str = ""
    # Flags a clerk must see, e.g. active PDF content ("javascript", "launch", "embedded-file").
    flags: list[str] = Field(
        default_factory=_empty_list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    # Routing (rules/): the rules file version in force, the trace, the facts it looked at
    # (kept so `gateway rules test --replay` can re-decide), priority and tags, and the
    # working-hours deadlines for processing (R-2H) and assignment (R-ASSIGN).
    rules_version: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    routing_trace: list[dict[str, Any]] = Field(
        default_factory=_empty_list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    routing_facts: dict[str, Any] = Field(
        default_factory=_empty_dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
    priority: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    tags: list[str] = Field(
        default_factory=_empty_list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    process_by: datetime | None = utc_field(nullable=True)
    assign_by: datetime | None = utc_field(nullable=True)
    # Read from the document (migration 0006): number and symbol apart, place,
    # secrecy, parent body, signer's mark and position, CV144 row (R-TYPES), why paper is
    # required (R-PAPER / R-EXCL), text layer or OCR, conflicts with the mail/edXML/cert.
    number: str | None = Field(default=None, max_length=32)
    symbol: str | None = Field(default=None, max_length=160)
    place: str | None = Field(default=None, max_length=200)
    secrecy: str | None = Field(default=None, max_length=16)
    issuer_parent: str | None = None
    signer_mark: str | None = Field(default=None, max_length=8)
    signer_position: str | None = None
    catalogue_code: str | None = Field(default=None, max_length=8)
    paper_reason: str | None = None
    text_source: str = Field(
        default="text", sa_column=Column(Text, nullable=False, server_default="text")
    )
    conflicts: list[dict[str, str]] = Field(
        default_factory=_empty_list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    edxml: dict[str, Any] = Field(
        default_factory=_empty_dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )


class SignatureResult(SQLModel, table=True):
    """The verdict on one signature of a registered (or refused) document (R-SIGN)."""

    __tablename__ = "signature_result"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="register_entry.id", index=True)
    document_sha256: str = Field(max_length=64)
    position: int
    field_name: str
    signer: str | None = None
    organization: str | None = None
    signed_at: datetime | None = utc_field(nullable=True)
    verdict: str = Field(max_length=16)
    reasons: list[str] = _json()
    serial: str | None = None
    issuer: str | None = None
    # ETSI EN 319 102-1 style: TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE (+ sub-indication)
    indication: str | None = Field(default=None, max_length=32)
    sub_indication: str | None = Field(default=None, max_length=64)
    coverage: str | None = Field(default=None, max_length=32)
    modification_level: str | None = Field(default=None, max_length=32)
    timestamp_trusted: bool | None = None
    revocation: str | None = Field(default=None, max_length=32)
    chain: list[str] = Field(
        default_factory=_empty_list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )


class AttachmentRecord(SQLModel, table=True):
    """A file of an inbound message; ``entry_id`` set when it belongs to a document."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="register_entry.id", index=True)
    filename: str
    content_type: str = Field(max_length=255)
    size: int
    sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)
    # The name as sent when it had to be made safe (control characters, path parts, bidi
    # overrides — mailparse.filenames); ``filename`` is what staff see and receive.
    original_filename: str | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what and when (R-ACCOUNT, R-TRACK); the gateway itself is actor ``system``."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    actor: str = Field(default="system", max_length=100)
    action: str = Field(max_length=64)
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="register_entry.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=_empty_dict, sa_column=Column(JSON, nullable=False)
    )


class OutboxMessage(SQLModel, table=True):
    """A mail to send, rendered at decision time, with its stable Message-ID (DESIGN §4.4)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id", index=True)
    kind: str = Field(max_length=32)
    message_id: str = Field(unique=True, max_length=998)
    sender: str = Field(max_length=320)
    recipient: str = Field(max_length=320)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    created_at: datetime = utc_field()
    next_attempt_at: datetime = utc_field(index=True)
    sent_at: datetime | None = utc_field(nullable=True)
    last_error: str = ""
    lease_owner: str | None = Field(default=None, max_length=200, index=True)
    # A delivery status notification (RFC 3464) that came back for this mail.
    bounced_at: datetime | None = utc_field(nullable=True)
    bounce_reason: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )


class ImapLedgerEntry(SQLModel, table=True):
    """One IMAP message seen by the gateway, keyed as the server names it (DESIGN §1.1).

    ``status``: ``spooled`` (in our spool, still in the mailbox), ``committed`` (the
    register holds it; to be moved), ``moved`` (in the processed or failed folder).
    """

    __tablename__ = "imap_ledger"
    __table_args__ = (
        UniqueConstraint("account", "folder", "uidvalidity", "uid", name="uq_imap_message"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=200)
    folder: str = Field(max_length=500)
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    uid: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: str | None = Field(default=None, max_length=998, index=True)
    spool_id: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(max_length=16, index=True)
    target_folder: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
    last_error: str = ""


class NumberCounter(SQLModel, table=True):
    """The last incoming number given per year; updated in the registering transaction."""

    __tablename__ = "number_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class AssignmentStatus(StrEnum):
    """One assignee's progress on one document (R-TRACK; QCVN 102 codes 04/05/06)."""

    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    RETURNED = "returned"  # given back to the clerk ("trả lại …")
    REASSIGNED = "reassigned"  # replaced by an assignment to another unit ("chuyển …")


# Still owed by the unit: reminded, escalated and counted overdue once the deadline passed.
OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)


class AssignmentRecord(SQLModel, table=True):
    """One unit or officer routed one register entry (R-ASSIGN, R-LEAD).

    ``token`` is the per-assignment secret in the Reply-To address (``vanthu+TOKEN@…``);
    ``routed_message_id`` is the Message-ID of the routed copy (replies' In-Reply-To).
    """

    __tablename__ = "assignment"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    unit_code: str = Field(max_length=64, index=True)
    unit_name: str = ""
    role: str = Field(max_length=16)  # lead | cooperate | inform (rules.routing_types.Role)
    mailbox: str = Field(max_length=320)
    person: str | None = Field(default=None, max_length=320)
    due_at: datetime | None = utc_field(nullable=True, index=True)
    status: str = Field(default=AssignmentStatus.ASSIGNED, max_length=16, index=True)
    token: str = Field(unique=True, max_length=64)
    routed_message_id: str | None = Field(default=None, max_length=998, index=True)
    created_at: datetime = utc_field()
    updated_at: datetime = utc_field()
    acknowledged_at: datetime | None = utc_field(nullable=True)
    done_at: datetime | None = utc_field(nullable=True)


class ClockEvent(SQLModel, table=True):
    """A reminder or escalation that fired; ``key`` is unique, so each fires once even when
    several gateway instances share the database (the insert is the claim)."""

    __tablename__ = "clock_event"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)  # e.g. "reminder:<assignment id>"
    kind: str = Field(max_length=32, index=True)  # reminder | overdue | unassigned | …
    entry_id: int | None = Field(default=None, foreign_key="register_entry.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    fired_at: datetime = utc_field()
    instance: str = Field(default="", max_length=200)  # host:pid that fired it
