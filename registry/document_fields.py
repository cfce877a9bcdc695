"""The fields read from a registered document (R-REG, DESIGN §4.3), and the clerk's
correction of the paper flag (R-PAPER: "the topic read from the type and the summary,
correctable by a clerk"). Every correction is an audit event with the clerk's name and note."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from registry.models import AuditEvent, RegisterEntry
from registry.numbering import register_label
from registry.queries import get_entry


@dataclass(frozen=True)
class DocumentDetails:
    """What the document says beyond the DESIGN §4.3 fields, and how it was read."""

    incoming: str
    document_number: str | None
    number: str | None
    symbol: str | None
    place: str | None
    issuer_parent: str | None
    issuer: str | None
    signer_mark: str | None
    signer_position: str | None
    signer_name: str | None
    document_type: str | None
    catalogue_code: str | None
    paper_required: bool
    paper_reason: str | None
    needs_review: bool
    text_source: str
    conflicts: list[dict[str, str]]
    edxml: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def document_details(entry: RegisterEntry) -> DocumentDetails:
    return DocumentDetails(
        incoming=register_label(entry.year, entry.incoming_number),
        document_number=entry.document_number,
        number=entry.number,
        symbol=entry.symbol,
        place=entry.place,
        issuer_parent=entry.issuer_parent,
        issuer=entry.issuer_name,
        signer_mark=entry.signer_mark,
        signer_position=entry.signer_position,
        signer_name=entry.signer_name,
        document_type=entry.document_type,
        catalogue_code=entry.catalogue_code,
        paper_required=entry.paper_required,
        paper_reason=entry.paper_reason,
        needs_review=entry.needs_review,
        text_source=entry.text_source,
        conflicts=list(entry.conflicts),
        edxml=dict(entry.edxml),
    )


def correct_paper(
    session: Session,
    year: int,
    number: int,
    *,
    required: bool,
    note: str,
    actor: str,
    now: datetime,
) -> RegisterEntry:
    """Set the paper flag of entry YEAR/NUMBER as a clerk decided; the reason becomes the
    clerk's note, the earlier flag and reason go into the audit trail."""
    entry = get_entry(session, year, number)
    before = {"paper_required": entry.paper_required, "paper_reason": entry.paper_reason}
    entry.paper_required = required
    entry.paper_reason = f"văn thư: {note}" if note else "văn thư đã điều chỉnh"
    session.add(entry)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="entry.paper_corrected",
            inbound_id=entry.inbound_id,
            entry_id=entry.id,
            details={"before": before, "paper_required": required, "note": note},
        )
    )
    return entry
