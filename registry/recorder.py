"""Writes one processed message in ONE transaction (DESIGN §1.7).

The gateway opens :func:`registry.database.write_session`, wraps it in a Recorder, and
adds the inbound record, the entries (numbered here), signatures, attachments, audit
events and outbox rows; the commit happens when the session block ends, and only then
is the spool item finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.drafts import (
    AttachmentDraft,
    EntryDraft,
    InboundDraft,
    OutboxDraft,
    RegisteredNumber,
    SignatureDraft,
)
from registry.models import (
    AttachmentRecord,
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.numbering import next_number


class Recorder:
    """The registering transaction's operations; nothing is committed here."""

    def __init__(
        self,
        session: Session,
        now: datetime | None = None,
        sign: Callable[[bytes], bytes] | None = None,
    ) -> None:
        self.session = session
        self._now = now or datetime.now(UTC)
        self._sign = sign  # DKIM-signs each outbox mail as it is queued (given by gateway)

    @property
    def now(self) -> datetime:
        """The time this transaction records its rows and events at."""
        return self._now

    def find_inbound(self, spool_id: str) -> InboundMessage | None:
        """The record of a spool item already committed (re-processing changes nothing)."""
        return self.session.scalars(
            select(InboundMessage).where(col(InboundMessage.spool_id) == spool_id)
        ).first()

    def find_redelivery(self, message_id: str | None, fingerprint: str) -> InboundMessage | None:
        """The first delivery of a message with the same Message-ID and content (DESIGN
        §4.4) — whatever its outcome: a duplicate by law re-delivered gets nothing new either
        (later re-deliveries point at it, never at each other: it has the lowest id)."""
        if not message_id:
            return None
        return self.session.scalars(
            select(InboundMessage)
            .where(col(InboundMessage.message_id) == message_id)
            .where(col(InboundMessage.fingerprint) == fingerprint)
            .order_by(col(InboundMessage.id))
        ).first()

    def entries_of(self, inbound: InboundMessage) -> list[RegisterEntry]:
        return list(
            self.session.scalars(
                select(RegisterEntry)
                .where(col(RegisterEntry.inbound_id) == inbound.id)
                .order_by(col(RegisterEntry.id))
            )
        )

    def add_inbound(self, draft: InboundDraft) -> InboundMessage:
        record = InboundMessage(
            **_columns(draft), reasons=list(draft.reasons), trace=list(draft.trace)
        )
        self.session.add(record)
        self.session.flush()
        self.audit("inbound." + draft.outcome, inbound=record, reasons=list(draft.reasons))
        return record

    def add_entry(self, inbound: InboundMessage, draft: EntryDraft) -> RegisteredNumber:
        """Register one document under the next incoming number of its year."""
        number = next_number(self.session, draft.year)
        entry = RegisterEntry(
            inbound_id=_id(inbound),
            incoming_number=number,
            **_columns(
                draft,
                exclude={"signatures", "attachments", "flags", "search_text", "conflicts", "edxml"},
            ),
            flags=list(draft.flags),
            conflicts=[asdict(c) for c in draft.conflicts],
            edxml=asdict(draft.edxml) if draft.edxml else {},
            # The incoming number as a clerk types it ("2026/17") is searchable too.
            search_text=f"{draft.search_text} {draft.year}/{number}".strip(),
        )
        self.session.add(entry)
        self.session.flush()
        self.add_signatures(inbound, draft.document_sha256, draft.signatures, entry)
        for attachment in draft.attachments:
            self.add_attachment(inbound, attachment, entry)
        registered = RegisteredNumber(draft.year, number)
        self.audit("entry.registered", inbound=inbound, entry=entry, number=str(registered))
        return registered

    def add_signatures(
        self,
        inbound: InboundMessage,
        document_sha256: str,
        signatures: tuple[SignatureDraft, ...],
        entry: RegisterEntry | None = None,
    ) -> None:
        """Signature verdicts are kept for refused documents too (explainable later)."""
        for position, signature in enumerate(signatures, start=1):
            self.session.add(
                SignatureResult(
                    inbound_id=_id(inbound),
                    entry_id=entry.id if entry else None,
                    document_sha256=document_sha256,
                    position=position,
                    **_columns(signature, exclude={"chain"}),
                    reasons=list(signature.reasons),
                    chain=list(signature.chain),
                )
            )

    def add_attachment(
        self, inbound: InboundMessage, draft: AttachmentDraft, entry: RegisterEntry | None = None
    ) -> None:
        self.session.add(
            AttachmentRecord(
                inbound_id=_id(inbound), entry_id=entry.id if entry else None, **_columns(draft)
            )
        )

    def add_outbox(self, inbound: InboundMessage | None, draft: OutboxDraft) -> None:
        self.session.add(
            OutboxMessage(
                inbound_id=inbound.id if inbound else None,
                kind=draft.kind,
                message_id=draft.message_id,
                sender=draft.sender,
                recipient=draft.recipient,
                raw=draft.raw if self._sign is None else self._sign(draft.raw),
                created_at=self._now,
                next_attempt_at=self._now,
            )
        )
        self.audit("outbox.queued", inbound=inbound, kind=draft.kind, message_id=draft.message_id)

    def audit(
        self,
        action: str,
        *,
        inbound: InboundMessage | None = None,
        entry: RegisterEntry | None = None,
        actor: str = "system",
        **details: Any,
    ) -> None:
        self.session.add(
            AuditEvent(
                at=self._now,
                actor=actor,
                action=action,
                inbound_id=inbound.id if inbound else None,
                entry_id=entry.id if entry else None,
                details=details,
            )
        )


def _columns(draft: object, exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """A draft's fields as column values (lists and nested drafts are handled by callers)."""
    return {
        f.name: getattr(draft, f.name)
        for f in fields(draft)  # type: ignore[arg-type]
        if f.name not in exclude and f.name not in {"reasons", "trace"}
    }


def _id(record: InboundMessage) -> int:
    if record.id is None:
        raise ValueError("record has not been flushed")
    return record.id
