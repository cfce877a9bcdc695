"""An officer's request to transfer a document to another unit (R-TRACK, R-DISTRIB):
"đề nghị chuyển" on the progress page or in a reply mail.

The request is recorded against the assignment (which stays open: the unit keeps the
document until someone re-decides) and puts the document back in the queue of the leader
who distributed it — or of the clerk, when the rules assigned it directly — flagged
"Đơn vị đề nghị chuyển" with the reason. One open request per assignment. It is resolved
once (a conditional update): transferred to another unit, or kept as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, CursorResult, Text, select, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.models import AssignmentRecord, RegisterEntry
from registry.types import utc_field


class TransferOutcome(StrEnum):
    TRANSFERRED = "transferred"
    KEPT = "kept"


class TransferRequest(SQLModel, table=True):
    """One "đề nghị chuyển" of an assignment (migration 0020)."""

    __tablename__ = "transfer_request"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_code: str = Field(max_length=64)
    unit_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    suggested_unit: str | None = Field(default=None, max_length=64)
    requested_by: str = Field(max_length=320)
    channel: str = Field(max_length=16)  # console | mail
    requested_at: datetime = utc_field()
    leader_code: str | None = Field(default=None, max_length=64)  # None: the clerk decides
    resolved_at: datetime | None = utc_field(nullable=True)
    resolved_by: str | None = Field(default=None, max_length=320)
    outcome: str | None = Field(default=None, max_length=16)  # TransferOutcome
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


def add_request(
    session: Session,
    assignment: AssignmentRecord,
    *,
    reason: str,
    suggested_unit: str | None,
    requested_by: str,
    channel: str,
    leader_code: str | None,
    now: datetime,
) -> TransferRequest:
    row = TransferRequest(
        entry_id=assignment.entry_id,
        assignment_id=assignment.id or 0,
        unit_code=assignment.unit_code,
        unit_name=assignment.unit_name or assignment.unit_code,
        reason=reason,
        suggested_unit=suggested_unit,
        requested_by=requested_by,
        channel=channel,
        requested_at=now,
        leader_code=leader_code,
        note="",
    )
    session.add(row)
    session.flush()
    return row


def open_request(session: Session, assignment_id: int) -> TransferRequest | None:
    return session.scalars(
        select(TransferRequest)
        .where(col(TransferRequest.assignment_id) == assignment_id)
        .where(col(TransferRequest.resolved_at).is_(None))
    ).first()


def open_requests(
    session: Session, *, entry_id: int | None = None
) -> list[tuple[RegisterEntry, TransferRequest]]:
    """Unresolved requests (with their entries), most urgent entry first, then oldest."""
    query = (
        select(RegisterEntry, TransferRequest)
        .join(TransferRequest, col(TransferRequest.entry_id) == col(RegisterEntry.id))
        .where(col(TransferRequest.resolved_at).is_(None))
        .order_by(
            col(RegisterEntry.priority).desc(),
            col(TransferRequest.requested_at),
            col(TransferRequest.id),
        )
    )
    if entry_id is not None:
        query = query.where(col(TransferRequest.entry_id) == entry_id)
    return [(entry, row) for entry, row in session.execute(query)]


def requests_of(session: Session, entry_ids: Sequence[int]) -> list[TransferRequest]:
    if not entry_ids:
        return []
    return list(
        session.scalars(
            select(TransferRequest)
            .where(col(TransferRequest.entry_id).in_(list(entry_ids)))
            .order_by(col(TransferRequest.id))
        )
    )


def claim_resolution(
    session: Session, request_id: int, *, by: str, at: datetime, outcome: TransferOutcome, note: str
) -> bool:
    """Resolve the request once; False when someone resolved it first."""
    result = session.execute(
        update(TransferRequest)
        .where(col(TransferRequest.id) == request_id)
        .where(col(TransferRequest.resolved_at).is_(None))
        .values(resolved_at=at, resolved_by=by, outcome=str(outcome), note=note)
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount if isinstance(result, CursorResult) else 0) == 1
