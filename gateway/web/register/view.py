"""What the register pages show, read from the database for one person's scope.

Clerks, leaders and administrators see the whole register. An officer sees only the
documents assigned to their unit (an ``assignment`` row with their unit code); an officer
without a unit, or before any routing, sees none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.clerk.accounts import Person
from gateway.reports.export import ExportColumn
from gateway.web.register.filters import DEFAULT_ZONE, PAGE_SIZE, RegisterFilters, filtered_query
from gateway.web.register.filters import scope as person_scope
from registry.cancellations import EntryCancellation, cancellations_of
from registry.models import (
    AssignmentRecord,
    AssignmentStatus,
    AttachmentRecord,
    AuditEvent,
    InboundMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.numbering import register_label
from registry.queries import signatures_of
from registry.search import COUNT_CAP


class ForbiddenError(Exception):
    """The person may not see this document (another unit's)."""


@dataclass(frozen=True)
class RegisterPage:
    entries: tuple[RegisterEntry, ...]
    filters: RegisterFilters
    has_more: bool
    units: dict[int, list[str]] = field(default_factory=dict)  # entry id → units in force
    total: int = 0  # entries matching the filters, counted up to COUNT_CAP
    cancelled: dict[int, EntryCancellation] = field(default_factory=dict)  # entry id → why

    @property
    def total_text(self) -> str:
        """e.g. "1.234 văn bản", "hơn 10.000 văn bản" (Vietnamese thousands separator)."""
        shown = f"{min(self.total, COUNT_CAP):,}".replace(",", ".")
        return f"hơn {shown} văn bản" if self.total >= COUNT_CAP else f"{shown} văn bản"

    def units_of(self, entry: RegisterEntry) -> str:
        return "; ".join(self.units.get(entry.id or 0, []))


@dataclass(frozen=True)
class DocumentView:
    entry: RegisterEntry
    inbound: InboundMessage | None
    signatures: tuple[SignatureResult, ...]
    attachments: tuple[AttachmentRecord, ...]
    assignments: tuple[AssignmentRecord, ...]
    history: tuple[AuditEvent, ...]


def may_see(session: Session, person: Person, entry: RegisterEntry) -> bool:
    scope = person_scope(person)
    if scope is None:
        return True
    found = session.scalar(
        select(col(RegisterEntry.id)).where(scope, col(RegisterEntry.id) == entry.id)
    )
    return found is not None


def register_page(
    session: Session,
    person: Person,
    filters: RegisterFilters,
    now: datetime | None = None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> RegisterPage:
    query = filtered_query(session, person, filters, now, zone)
    rows = list(session.scalars(query.limit(PAGE_SIZE + 1).offset(filters.offset)))
    entries = tuple(rows[:PAGE_SIZE])
    ids = [e.id for e in entries if e.id is not None]
    units = units_in_force(session, ids) if filters.shown(ExportColumn.UNITS) else {}
    capped = query.order_by(None).limit(COUNT_CAP).with_only_columns(col(RegisterEntry.id))
    total = int(session.scalar(select(func.count()).select_from(capped.subquery())) or 0)
    return RegisterPage(
        entries,
        filters,
        len(rows) > PAGE_SIZE,
        units,
        total=total,
        cancelled=cancellations_of(session, ids),
    )


def units_in_force(session: Session, entry_ids: list[int]) -> dict[int, list[str]]:
    """Entry id → the names of the units it is assigned to (reassigned ones left out)."""
    rows = session.execute(
        select(
            col(AssignmentRecord.entry_id),
            col(AssignmentRecord.unit_name),
            col(AssignmentRecord.unit_code),
        )
        .where(col(AssignmentRecord.entry_id).in_(entry_ids))
        .where(col(AssignmentRecord.status) != AssignmentStatus.REASSIGNED)
        .order_by(col(AssignmentRecord.id))
    )
    units: dict[int, list[str]] = {}
    for entry_id, name, code in rows:
        units.setdefault(entry_id, []).append(name or code)
    return units


def unit_choices(session: Session, configured: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, name) of every unit the filter offers: the units of the rules file in force
    and any other unit that has assignments (a unit since removed from the rules)."""
    names = dict(configured)
    code = col(AssignmentRecord.unit_code)
    for unit in session.scalars(select(code).distinct()):  # the unit_code index alone
        if unit not in names:  # rare: one lookup by that index for its name
            name = session.scalar(
                select(col(AssignmentRecord.unit_name))
                .where(code == unit, col(AssignmentRecord.unit_name).is_not(None))
                .limit(1)
            )
            names[unit] = name or unit
    return sorted(names.items())


def document_types(session: Session) -> list[str]:
    """The document types present, for the filter's choices."""
    rows = session.scalars(
        select(col(RegisterEntry.document_type))
        .where(col(RegisterEntry.document_type).is_not(None))
        .distinct()
        .order_by(col(RegisterEntry.document_type))
    )
    return [r for r in rows if r]


def document_view(session: Session, person: Person, entry: RegisterEntry) -> DocumentView:
    if not may_see(session, person, entry):
        raise ForbiddenError(register_label(entry.year, entry.incoming_number))
    return DocumentView(
        entry=entry,
        inbound=session.get(InboundMessage, entry.inbound_id),
        signatures=tuple(signatures_of(session, [entry]).get(entry.id or 0, ())),
        attachments=tuple(
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
        ),
        assignments=tuple(
            session.scalars(
                select(AssignmentRecord)
                .where(col(AssignmentRecord.entry_id) == entry.id)
                .order_by(col(AssignmentRecord.id))
            )
        ),
        history=tuple(
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
        ),
    )


def attachment_of(view: DocumentView, attachment_id: int) -> AttachmentRecord:
    for attachment in view.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise LookupError(attachment_id)


def year_choices(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))
