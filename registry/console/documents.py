"""What the console shows of registered documents: one document's files and history, the
units each is assigned to, and the choices the register's filters offer (DESIGN §4.5)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    AttachmentRecord,
    AuditEvent,
    RegisterEntry,
)

IN_CHUNK = 1000  # keep IN lists of a sane size


def units_in_force(session: Session, entry_ids: Sequence[int]) -> dict[int, list[str]]:
    """Entry id → the names (else codes) of the units it is assigned to, in routing order,
    reassigned ones left out (the register page, its export)."""
    units: dict[int, list[str]] = {}
    for start in range(0, len(entry_ids), IN_CHUNK):
        rows = session.execute(
            select(
                col(AssignmentRecord.entry_id),
                col(AssignmentRecord.unit_name),
                col(AssignmentRecord.unit_code),
            )
            .where(col(AssignmentRecord.entry_id).in_(list(entry_ids[start : start + IN_CHUNK])))
            .where(col(AssignmentRecord.status) != AssignmentStatus.REASSIGNED)
            .order_by(col(AssignmentRecord.id))
        )
        for entry_id, name, code in rows:
            units.setdefault(entry_id, []).append(name or code)
    return units


def assigned_unit_codes(session: Session) -> list[str]:
    """Every unit code that has assignments (read from the unit_code index alone)."""
    return list(session.scalars(select(col(AssignmentRecord.unit_code)).distinct()))


def assigned_unit_name(session: Session, code: str) -> str | None:
    """The name an assignment gave unit ``code``, if any did."""
    return session.scalar(
        select(col(AssignmentRecord.unit_name))
        .where(col(AssignmentRecord.unit_code) == code)
        .where(col(AssignmentRecord.unit_name).is_not(None))
        .limit(1)
    )


def document_types(session: Session) -> list[str]:
    """The document types present in the register, in order."""
    rows = session.scalars(
        select(col(RegisterEntry.document_type))
        .where(col(RegisterEntry.document_type).is_not(None))
        .distinct()
        .order_by(col(RegisterEntry.document_type))
    )
    return [r for r in rows if r]


def attachments_of_entry(session: Session, entry: RegisterEntry) -> list[AttachmentRecord]:
    """The entry's own files and the message's files that belong to no entry."""
    return list(
        session.scalars(
            select(AttachmentRecord)
            .where(col(AttachmentRecord.inbound_id) == entry.inbound_id)
            .where(
                or_(
                    col(AttachmentRecord.entry_id) == entry.id,
                    col(AttachmentRecord.entry_id).is_(None),
                )
            )
            .order_by(col(AttachmentRecord.id))
        )
    )


def history_of_entry(session: Session, entry: RegisterEntry) -> list[AuditEvent]:
    """The audit events of the entry and those of its message about no entry, in order."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    col(AuditEvent.entry_id) == entry.id,
                    (col(AuditEvent.inbound_id) == entry.inbound_id)
                    & col(AuditEvent.entry_id).is_(None),
                )
            )
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
    )


def files_not_forwarded(session: Session, entry: RegisterEntry) -> set[str]:
    """SHA-256 of the message's files that are not to travel with ``entry``: the other
    entries' documents and the refused or held documents."""
    siblings = set(
        session.scalars(
            select(col(RegisterEntry.document_sha256))
            .where(col(RegisterEntry.inbound_id) == entry.inbound_id)
            .where(col(RegisterEntry.id) != entry.id)
        )
    )
    siblings |= set(
        session.scalars(
            select(col(AttachmentRecord.sha256))
            .where(col(AttachmentRecord.inbound_id) == entry.inbound_id)
            .where(col(AttachmentRecord.role) == "refused")
        )
    )
    return siblings


def recent_entries(session: Session, limit: int) -> list[RegisterEntry]:
    """The last ``limit`` entries registered, newest first."""
    return list(
        session.scalars(select(RegisterEntry).order_by(col(RegisterEntry.id).desc()).limit(limit))
    )


def events_of_entry(session: Session, entry_id: int, actions: Sequence[str]) -> list[AuditEvent]:
    """The entry's audit events whose action is one of ``actions``, in order."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.entry_id) == entry_id)
            .where(col(AuditEvent.action).in_(list(actions)))
            .order_by(col(AuditEvent.id))
        )
    )


def files_of_entries(session: Session, entry_ids: Sequence[int]) -> list[AttachmentRecord]:
    """The files recorded for these entries (each entry's own), in id order."""
    if not entry_ids:
        return []
    query = select(AttachmentRecord).where(col(AttachmentRecord.entry_id).in_(list(entry_ids)))
    return list(session.scalars(query.order_by(col(AttachmentRecord.id))))
