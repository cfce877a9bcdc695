"""Reading the register and the inbound log, in the fields of DESIGN §4.3 / §4.1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from registry.errors import NotFoundError
from registry.links import linked_numbers
from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    InboundMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.numbering import register_label
from registry.search import text_filter


def list_entries(
    session: Session, *, year: int | None = None, search: str | None = None, limit: int = 0
) -> list[RegisterEntry]:
    """Entries in register order; ``search`` matches with or without diacritics (đ = d)."""
    query = select(RegisterEntry).order_by(
        col(RegisterEntry.year), col(RegisterEntry.incoming_number)
    )
    if year is not None:
        query = query.where(col(RegisterEntry.year) == year)
    matching = text_filter(session, search)  # the full-text index (registry.search)
    if matching is not None:
        query = query.where(matching)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def get_entry(session: Session, year: int, number: int) -> RegisterEntry:
    entry = session.scalars(
        select(RegisterEntry)
        .where(col(RegisterEntry.year) == year)
        .where(col(RegisterEntry.incoming_number) == number)
    ).first()
    if entry is None:
        raise NotFoundError(f"no register entry {year}/{number}")
    return entry


RowT = TypeVar("RowT", bound=SQLModel)
ENTRY_ID = "entry_id"  # the column naming the register entry, in every per-entry table


def rows_by_entry(
    session: Session, model: type[RowT], entries: Sequence[RegisterEntry], order: Any
) -> dict[int, list[RowT]]:
    """The ``model`` rows of each entry, by entry id, each list in ``order``; one query."""
    ids = [e.id for e in entries if e.id is not None]
    found: dict[int, list[RowT]] = defaultdict(list)
    if not ids:
        return found
    entry_id = col(getattr(model, ENTRY_ID))
    for row in session.scalars(select(model).where(entry_id.in_(ids)).order_by(order)):
        found[getattr(row, ENTRY_ID)].append(row)
    return found


def signatures_of(
    session: Session, entries: Sequence[RegisterEntry]
) -> dict[int, list[SignatureResult]]:
    return rows_by_entry(session, SignatureResult, entries, col(SignatureResult.position))


def every_assignment_of(
    session: Session, entries: Sequence[RegisterEntry]
) -> dict[int, list[AssignmentRecord]]:
    """All the assignments of each entry (reassigned ones too), oldest first."""
    return rows_by_entry(session, AssignmentRecord, entries, col(AssignmentRecord.id))


def entries_received_between(
    session: Session, year: int, start: datetime, end: datetime
) -> list[RegisterEntry]:
    """The entries of ``year`` received in [start, end), in number order."""
    return list(
        session.scalars(
            select(RegisterEntry)
            .where(col(RegisterEntry.year) == year)
            .where(col(RegisterEntry.received_at) >= start)
            .where(col(RegisterEntry.received_at) < end)
            .order_by(col(RegisterEntry.incoming_number))
        )
    )


def entry_id_of(session: Session, year: int, number: int) -> int | None:
    """The id of register entry ``year``/``number``, or None when there is none."""
    found = session.scalar(
        select(col(RegisterEntry.id))
        .where(col(RegisterEntry.year) == year)
        .where(col(RegisterEntry.incoming_number) == number)
    )
    return None if found is None else int(found)


def entry_contract(
    entry: RegisterEntry,
    signatures: Sequence[SignatureResult],
    zone: tzinfo,
    assignments: Sequence[AssignmentRecord] = (),
) -> dict[str, Any]:
    """One register entry as the JSON object of DESIGN §4.3."""
    return {
        "year": entry.year,
        "incoming_number": entry.incoming_number,
        "received_at": _local(entry.received_at, zone),
        "sender_address": entry.sender_address,
        "sender_agency": _code_name(entry.sender_agency_code, entry.sender_agency_name),
        "document_number": entry.document_number,
        "issued_on": entry.issued_on.isoformat() if entry.issued_on else None,
        "document_type": entry.document_type,
        "summary": entry.summary,
        "issuer": _code_name(entry.issuer_code, entry.issuer_name),
        "urgency": entry.urgency,
        "reference_only": entry.reference_only,
        "paper_required": entry.paper_required,
        "needs_review": entry.needs_review,
        "pages": entry.pages,
        "signatures": [
            {
                "signer": s.signer,
                "organization": s.organization,
                "signed_at": _local(s.signed_at, zone) if s.signed_at else None,
                "verdict": s.verdict,
                "reasons": list(s.reasons),
                "indication": s.indication,
                "sub_indication": s.sub_indication,
                "coverage": s.coverage,
                "modification_level": s.modification_level,
                "timestamp_trusted": s.timestamp_trusted,
                "revocation": s.revocation,
                "chain": list(s.chain),
                "serial": s.serial,
                "issuer": s.issuer,
            }
            for s in signatures
        ],
        "assignments": [
            {
                "unit": a.unit_code,
                "role": a.role,
                "due_at": _local(a.due_at, zone) if a.due_at else None,
            }
            for a in assignments
            if a.status != AssignmentStatus.REASSIGNED  # replaced by the one it went to
        ],
        "status": entry.status,
        "message_id": entry.message_id,
        "sha256": entry.sha256,
    }


def list_inbound(session: Session, limit: int = 0) -> list[InboundMessage]:
    query = select(InboundMessage).order_by(col(InboundMessage.id))
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def entry_numbers_by_inbound(
    session: Session, messages: Sequence[InboundMessage]
) -> dict[int, list[str]]:
    """The entries of each message; a re-delivery shows the entries of its first delivery."""
    owner = {m.id: m.duplicate_of or m.id for m in messages if m.id is not None}
    by_owner: dict[int, list[str]] = defaultdict(list)
    if not owner:
        return {}
    rows = session.scalars(
        select(RegisterEntry)
        .where(col(RegisterEntry.inbound_id).in_(set(owner.values())))
        .order_by(col(RegisterEntry.id))
    )
    for row in rows:
        by_owner[row.inbound_id].append(register_label(row.year, row.incoming_number))
    linked = linked_numbers(session, list({*owner, *owner.values()}))  # copies, recalls…
    return {
        message: linked.get(message) or linked.get(source) or by_owner.get(source, [])
        for message, source in owner.items()
    }


def inbound_contract(
    inbound: InboundMessage, entries: Sequence[str], zone: tzinfo
) -> dict[str, Any]:
    """One inbound message as printed by ``gateway inbound list --json`` (DESIGN §4.1)."""
    return {
        "received_at": _local(inbound.received_at, zone),
        "message_id": inbound.message_id,
        "sender_address": inbound.sender_address or inbound.envelope_from or None,
        "subject": inbound.subject,
        "outcome": inbound.outcome,
        "reasons": list(inbound.reasons),
        "entries": list(entries),
        "spool_id": inbound.spool_id,
        "answered": inbound.answered,
        "note": inbound.note,
        "sender_auth": dict(inbound.sender_auth or {}),
    }


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat()


def _code_name(code: str | None, name: str | None) -> dict[str, str | None] | None:
    if code is None and name is None:
        return None
    return {"code": code, "name": name}


def entries_by_ids(session: Session, ids: Sequence[int]) -> list[RegisterEntry]:
    """The entries with these ids, in id order."""
    if not ids:
        return []
    query = select(RegisterEntry).where(col(RegisterEntry.id).in_(list(ids)))
    return list(session.scalars(query.order_by(col(RegisterEntry.id))))
