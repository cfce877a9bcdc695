"""Typed values for one parsed e-mail message (built by :func:`mailparse.mime.parse`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    """A mailbox: display name decoded to NFC, address with the domain lower-cased."""

    address: str
    display_name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0]


@dataclass(frozen=True)
class Attachment:
    """One file carried by the message, with its decoded bytes."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)
    # The name as sent, when it had to be made safe (mailparse.filenames); else None.
    original_filename: str | None = None

    @property
    def is_pdf(self) -> bool:
        """PDF by declared type, by name, or by its magic bytes (senders mislabel often)."""
        return (
            self.content_type == "application/pdf"
            or self.filename.lower().endswith(".pdf")
            or self.data[:1024].lstrip().startswith(b"%PDF-")
        )


@dataclass(frozen=True)
class ParsedMessage:
    """Everything the gateway reads from a message's bytes; text fields are NFC."""

    message_id: str | None
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    auto_submitted: str | None
    precedence: str | None
    authentication_results: tuple[str, ...]
    body_text: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...] = ()

    @property
    def is_automatic(self) -> bool:
        """Mail that must never be answered automatically (RFC 3834 §2)."""
        if self.auto_submitted and self.auto_submitted.strip().lower() != "no":
            return True
        if self.precedence and self.precedence.strip().lower() in {"bulk", "junk", "list"}:
            return True
        local = self.sender.local_part.lower() if self.sender else ""
        return local in {"mailer-daemon", "postmaster"} or local.startswith("owner-")
