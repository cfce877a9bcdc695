"""What the register pages show, read from the database for one person's scope.

Clerks, leaders and administrators see the whole register. An officer sees only the
documents assigned to their unit (an ``assignment`` row with their unit code); an officer
without a unit, or before any routing, sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.accounts import Person
from registry.accounts import Role
from registry.models import (
    AssignmentRecord,
    AttachmentRecord,
    AuditEvent,
    InboundMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.queries import signatures_of
from registry.search import text_filter

PAGE_SIZE = 50


class ForbiddenError(Exception):
    """The person may not see this document (another unit's)."""


@dataclass(frozen=True)
class RegisterFilters:
    """The register page's query string, validated."""

    q: str = ""
    year: int | None = None
    status: str = ""
    document_type: str = ""
    urgency: str = ""
    sender: str = ""
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def query_string(self, page: int) -> dict[str, Any]:
        """The filters as query parameters, for links to other pages."""
        values: dict[str, Any] = {
            "q": self.q,
            "year": self.year or "",
            "status": self.status,
            "type": self.document_type,
            "urgency": self.urgency,
            "sender": self.sender,
            "page": page,
        }
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class RegisterPage:
    entries: tuple[RegisterEntry, ...]
    filters: RegisterFilters
    has_more: bool


@dataclass(frozen=True)
class DocumentView:
    entry: RegisterEntry
    inbound: InboundMessage | None
    signatures: tuple[SignatureResult, ...]
    attachments: tuple[AttachmentRecord, ...]
    assignments: tuple[AssignmentRecord, ...]
    history: tuple[AuditEvent, ...]


def parse_filters(params: Any) -> RegisterFilters:
    """From a query string mapping; anything malformed is ignored, never an error."""

    def text(name: str) -> str:
        return str(params.get(name, "")).strip()[:200]

    def number(name: str) -> int | None:
        value = text(name)
        return int(value) if value.isdigit() and len(value) <= 6 else None

    return RegisterFilters(
        q=text("q"),
        year=number("year"),
        status=text("status"),
        document_type=text("type"),
        urgency=text("urgency"),
        sender=text("sender"),
        page=max(1, number("page") or 1),
    )


def _scope(person: Person) -> ColumnElement[bool] | None:
    if person.role is not Role.OFFICER:
        return None
    return exists().where(
        col(AssignmentRecord.entry_id) == col(RegisterEntry.id),
        col(AssignmentRecord.unit_code) == (person.unit_code or ""),
    )


def may_see(session: Session, person: Person, entry: RegisterEntry) -> bool:
    scope = _scope(person)
    if scope is None:
        return True
    found = session.scalar(
        select(col(RegisterEntry.id)).where(scope, col(RegisterEntry.id) == entry.id)
    )
    return found is not None


def register_page(session: Session, person: Person, filters: RegisterFilters) -> RegisterPage:
    query = filtered_query(session, person, filters)
    rows = list(session.scalars(query.limit(PAGE_SIZE + 1).offset(filters.offset)))
    return RegisterPage(tuple(rows[:PAGE_SIZE]), filters, len(rows) > PAGE_SIZE)


def filtered_query(session: Session, person: Person, filters: RegisterFilters) -> Any:
    """The person's entries matching ``filters``, newest first (the page and the export)."""
    query = select(RegisterEntry).order_by(col(RegisterEntry.id).desc())
    conditions = [_scope(person), text_filter(session, filters.q)]
    if filters.year is not None:
        conditions.append(col(RegisterEntry.year) == filters.year)
    if filters.status:
        conditions.append(col(RegisterEntry.status) == filters.status)
    if filters.document_type:
        conditions.append(col(RegisterEntry.document_type) == filters.document_type)
    if filters.urgency:
        conditions.append(col(RegisterEntry.urgency) == filters.urgency)
    if filters.sender:
        like = filters.sender
        conditions.append(
            or_(
                col(RegisterEntry.sender_agency_code) == like,
                col(RegisterEntry.sender_agency_name).contains(like, autoescape=True),
                col(RegisterEntry.sender_address).contains(like, autoescape=True),
            )
        )
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


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
        raise ForbiddenError(f"{entry.year}/{entry.incoming_number}")
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
