"""Plain values the gateway hands to the registry: what to write, decided elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry.numbering import register_label


@dataclass(frozen=True)
class SignatureDraft:
    field_name: str
    signer: str | None
    organization: str | None
    signed_at: datetime | None
    verdict: str
    reasons: tuple[str, ...] = ()
    serial: str | None = None
    issuer: str | None = None
    indication: str | None = None  # TOTAL-PASSED | TOTAL-FAILED | INDETERMINATE
    sub_indication: str | None = None
    coverage: str | None = None
    modification_level: str | None = None
    timestamp_trusted: bool | None = None
    revocation: str | None = None  # good | revoked | not-checked | unknown
    chain: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentDraft:
    filename: str
    content_type: str
    size: int
    sha256: str
    role: str  # "document" | "appendix" | "other"
    original_filename: str | None = None  # as sent, when it had to be made safe


@dataclass(frozen=True)
class InboundDraft:
    spool_id: str
    message_id: str | None
    sha256: str
    fingerprint: str
    received_at: datetime
    protocol: str
    envelope_from: str
    sender_address: str | None
    sender_agency_code: str | None
    subject: str
    outcome: str
    reasons: tuple[str, ...]
    trace: tuple[dict[str, Any], ...]
    answered: bool
    note: str = ""
    duplicate_of: int | None = None
    scan: dict[str, Any] = field(default_factory=dict)  # the virus scan, as recorded
    sender_auth: dict[str, Any] = field(default_factory=dict)  # DKIM, SPF, DMARC results


@dataclass(frozen=True)
class ConflictDraft:
    """A field on which the document and another source disagree (the document's value is
    the one registered)."""

    field: str
    document_value: str
    other_source: str  # "subject" | "edxml" | "certificate"
    other_value: str


@dataclass(frozen=True)
class EdxmlDraft:
    """What the register keeps of an edXML envelope (QCVN 102:2016)."""

    document_id: str | None
    sender_organ_id: str | None
    business: str  # new | recall | update | replace
    references: tuple[str, ...] = ()  # DocumentIds of the earlier document
    priority: int | None = None
    page_amount: int | None = None


@dataclass(frozen=True)
class EntryDraft:
    """One document to register; the number is given by the registry."""

    received_at: datetime
    year: int
    sender_address: str | None
    sender_agency_code: str | None
    sender_agency_name: str | None
    document_number: str | None
    issued_on: date | None
    document_type: str | None
    summary: str | None
    issuer_code: str | None
    issuer_name: str | None
    signer_name: str | None
    urgency: str
    reference_only: bool
    paper_required: bool
    needs_review: bool
    pages: int | None
    message_id: str | None
    sha256: str
    filename: str
    document_sha256: str
    search_text: str
    signatures: tuple[SignatureDraft, ...] = ()
    attachments: tuple[AttachmentDraft, ...] = ()
    flags: tuple[str, ...] = ()  # e.g. active PDF content ("javascript", "launch")
    document_key: str | None = None  # issuer|number|date (registry.links.document_key)
    edxml_document_id: str | None = None  # the edXML DocumentId, when one came with it
    # Read from the document (migration 0006)
    number: str | None = None
    symbol: str | None = None
    place: str | None = None
    secrecy: str | None = None
    issuer_parent: str | None = None
    signer_mark: str | None = None
    signer_position: str | None = None
    catalogue_code: str | None = None  # CV144 annex row; None outside the catalogue (R-EXCL)
    paper_reason: str | None = None  # R-PAPER: "nhân sự: bổ nhiệm"
    text_source: str = "text"  # "text" (text layer) | "ocr" | "none"
    conflicts: tuple[ConflictDraft, ...] = ()
    edxml: EdxmlDraft | None = None


@dataclass(frozen=True)
class OutboxDraft:
    kind: str
    message_id: str
    sender: str
    recipient: str
    raw: bytes


@dataclass(frozen=True)
class RegisteredNumber:
    year: int
    number: int

    def __str__(self) -> str:
        return register_label(self.year, self.number)
