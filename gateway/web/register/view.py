"""What the register pages show, read from the database for one person's scope.

Clerks, leaders and administrators see the whole register. An officer sees only the
documents assigned to their unit (an ``assignment`` row with their unit code); an officer
without a unit, or before any routing, sees none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gateway.clerk.accounts import Person
from gateway.reports.export import ExportColumn
from gateway.web.register.filters import (
    DEFAULT_ZONE,
    PAGE_SIZE,
    RegisterFilters,
    criteria,
    unit_scope,
)
from registry.cancellations import EntryCancellation, cancellations_of
from registry.console.documents import (
    assigned_unit_codes,
    assigned_unit_name,
    attachments_of_entry,
    history_of_entry,
    units_in_force,
)
from registry.console.register_filter import count_matching, entry_in_scope, matching_entries
from registry.console.todo import assignments_of_entry
from registry.models import (
    AssignmentRecord,
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
    return entry_in_scope(session, entry.id, unit_scope(person))


def register_page(
    session: Session,
    person: Person,
    filters: RegisterFilters,
    now: datetime | None = None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> RegisterPage:
    selection = criteria(person, filters, now or datetime.now(UTC), zone)
    rows = matching_entries(session, selection, offset=filters.offset, limit=PAGE_SIZE + 1)
    entries = tuple(rows[:PAGE_SIZE])
    ids = [e.id for e in entries if e.id is not None]
    units = units_in_force(session, ids) if filters.shown(ExportColumn.UNITS) else {}
    return RegisterPage(
        entries,
        filters,
        len(rows) > PAGE_SIZE,
        units,
        total=count_matching(session, selection, COUNT_CAP),
        cancelled=cancellations_of(session, ids),
    )


def unit_choices(session: Session, configured: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, name) of every unit the filter offers: the units of the rules file in force
    and any other unit that has assignments (a unit since removed from the rules)."""
    names = dict(configured)
    for unit in assigned_unit_codes(session):
        if unit not in names:  # rare: one lookup by that index for its name
            names[unit] = assigned_unit_name(session, unit) or unit
    return sorted(names.items())


def document_view(session: Session, person: Person, entry: RegisterEntry) -> DocumentView:
    if not may_see(session, person, entry):
        raise ForbiddenError(register_label(entry.year, entry.incoming_number))
    return DocumentView(
        entry=entry,
        inbound=session.get(InboundMessage, entry.inbound_id),
        signatures=tuple(signatures_of(session, [entry]).get(entry.id or 0, ())),
        attachments=tuple(attachments_of_entry(session, entry)),
        assignments=tuple(assignments_of_entry(session, entry.id or 0)),
        history=tuple(history_of_entry(session, entry)),
    )


def attachment_of(view: DocumentView, attachment_id: int) -> AttachmentRecord:
    for attachment in view.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise LookupError(attachment_id)


def year_choices(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))
