"""What a clerk does to one register entry (DESIGN §4.6): assign, reassign, correct a
field, add a note. Each is ONE transaction: the assignment row, its routed copy in the
outbox (:func:`gateway.routing.reassign.queue_routed_copy`), the 04 status notice when the entry
becomes assigned (:func:`gateway.tracking.status_notice.queue_status_notice`), and the audit event
with the clerk's user name. A correction keeps the old value in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError

from gateway.clerk.dates import DateError, parse_day
from gateway.errors import GatewayError
from gateway.routing.reassign import queue_routed_copy
from gateway.routing.withdrawal import queue_withdrawal
from gateway.tracking.status_notice import queue_status_notice
from gateway.wiring import Components
from registry.console.todo import open_assignments_of_entry
from registry.database import write_session
from registry.links import document_key
from registry.models import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRecord,
    AssignmentStatus,
    EntryStatus,
    RegisterEntry,
)
from registry.recorder import Recorder
from registry.search import entry_search_text
from registry.tracking.assignments import AssignmentDraft, new_assignment
from rules.deadlines import DeadlineKind
from rules.routing_types import Role, Unit
from templates import URGENCY_LABELS

END_OF_OFFICE_DAY = time(17, 0)  # a deadline given as a date is due at the day's close
NOTE_CHARS = 2000


class ActionError(GatewayError):
    """A clerk's action that cannot be done; the message is Vietnamese, for the page."""


class Field(StrEnum):
    """The register fields a clerk may correct (the others come from the signed file)."""

    DOCUMENT_NUMBER = "document_number"
    ISSUED_ON = "issued_on"
    DOCUMENT_TYPE = "document_type"
    SUMMARY = "summary"
    ISSUER_NAME = "issuer_name"
    URGENCY = "urgency"


KEY_FIELDS = frozenset({Field.DOCUMENT_NUMBER, Field.ISSUED_ON, Field.ISSUER_NAME})


@dataclass(frozen=True)
class Assign:
    unit_code: str
    role: Role
    due_on: date | None = None


@dataclass(frozen=True)
class ClerkActions:
    """The actions of ``actor`` (a console user name) on the register of ``components``."""

    components: Components
    actor: str

    def assign(self, entry_id: int, order: Assign) -> AssignmentRecord:
        """A new assignee for the entry, with its routed copy; one lead per entry."""
        with write_session(self.components.engine) as session:
            recorder = Recorder(session)
            entry = self._entry(session, entry_id)
            unit = self._unit(order.unit_code)
            current = open_assignments_of_entry(session, entry_id)
            if any(a.unit_code == unit.code for a in current):
                raise ActionError(f"{unit.name} đã được phân công văn bản này.")
            if order.role is Role.LEAD and any(a.role == Role.LEAD for a in current):
                raise ActionError("Văn bản đã có đơn vị chủ trì; hãy dùng “Chuyển đơn vị”.")
            due = self._due(order.due_on) if order.due_on else self._default_due(entry)
            record = self._new(recorder, entry, unit, order.role, due)
            recorder.audit(
                "assignment.assigned",
                entry=entry,
                actor=self.actor,
                assignment=record.id,
                unit=unit.code,
                role=str(order.role),
                due_at=record.due_at.isoformat() if record.due_at else None,
            )
            if order.role is Role.LEAD and entry.status == EntryStatus.REGISTERED:
                self._move(recorder, entry, EntryStatus.ASSIGNED, unit.name)
            return record

    def reassign(self, assignment_id: int, unit_code: str, due_on: date | None) -> AssignmentRecord:
        """Move an open assignment to another unit (same role); the old one is closed."""
        with write_session(self.components.engine) as session:
            recorder = Recorder(session)
            old = session.get(AssignmentRecord, assignment_id)
            if old is None or old.status not in OPEN_ASSIGNMENT_STATUSES:
                raise ActionError("Phân công này đã kết thúc hoặc không tồn tại.")
            entry = self._entry(session, old.entry_id)
            unit = self._unit(unit_code)
            if any(
                a.unit_code == unit.code for a in open_assignments_of_entry(session, entry.id or 0)
            ):
                raise ActionError(f"{unit.name} đã được phân công văn bản này.")
            old.status = AssignmentStatus.REASSIGNED
            old.updated_at = recorder.now
            due = self._due(due_on) if due_on else old.due_at
            record = self._new(recorder, entry, unit, Role(old.role), due)
            pipeline = self.components.pipeline
            queue_withdrawal(  # the unit taken off hears of it (R-LEAD)
                recorder,
                env=pipeline.templates,
                entry=entry,
                withdrawn=old,
                successor_name=unit.name,
                from_address=pipeline.from_address,
                timezone=pipeline.zone.key,
            )
            recorder.audit(
                "assignment.reassigned",
                entry=entry,
                actor=self.actor,
                assignment=old.id,
                successor=record.id,
                before=old.unit_code,
                unit=unit.code,
            )
            return record

    def correct(self, entry_id: int, field: Field, text: str) -> None:
        """Set one field; the audit event keeps the old value beside the new one."""
        value = _parsed(field, text.strip())
        try:
            with write_session(self.components.engine) as session:
                entry = self._entry(session, entry_id)
                before = getattr(entry, field.value)
                if before == value:
                    return
                setattr(entry, field.value, value)
                entry.search_text = entry_search_text(entry)
                if field in KEY_FIELDS:  # the document's lawful identity (registry.links)
                    entry.document_key = document_key(
                        entry.document_number, entry.issuer_name, entry.issued_on
                    )
                Recorder(session).audit(
                    "entry.corrected",
                    entry=entry,
                    actor=self.actor,
                    field=field.value,
                    before=_plain(before),
                    after=_plain(value),
                )
        except IntegrityError as exc:
            raise ActionError("Sau khi sửa, văn bản trùng với một văn bản đã vào sổ.") from exc

    def note(self, entry_id: int, text: str) -> None:
        text = text.strip()[:NOTE_CHARS]
        if not text:
            raise ActionError("Ghi chú trống.")
        with write_session(self.components.engine) as session:
            entry = self._entry(session, entry_id)
            Recorder(session).audit("entry.note", entry=entry, actor=self.actor, text=text)

    def _new(
        self,
        recorder: Recorder,
        entry: RegisterEntry,
        unit: Unit,
        role: Role,
        due_at: datetime | None,
    ) -> AssignmentRecord:
        """The assignment row, flushed, and its routed copy queued beside it."""
        record = new_assignment(
            entry,
            AssignmentDraft(unit.code, unit.name, str(role), unit.mailbox, due_at=due_at),
            recorder.now,
        )
        recorder.session.add(record)
        recorder.session.flush()
        pipeline = self.components.pipeline
        queued = queue_routed_copy(
            recorder,
            record,
            entry,
            archive=pipeline.archive,
            env=pipeline.templates,
            from_address=pipeline.from_address,
            timezone=pipeline.zone.key,
        )
        if queued is None:
            raise ActionError("Không còn bản gốc trong kho lưu trữ để gửi bản sao cho đơn vị.")
        return record

    def _move(self, recorder: Recorder, entry: RegisterEntry, to: EntryStatus, unit: str) -> None:
        before, entry.status = entry.status, to
        recorder.audit("entry.status", entry=entry, actor=self.actor, before=before, after=str(to))
        pipeline = self.components.pipeline
        queue_status_notice(
            recorder,
            env=pipeline.templates,
            entry=entry,
            status=to,
            unit_name=unit,
            from_address=pipeline.from_address,
            timezone=pipeline.zone.key,
        )

    def _entry(self, session: Any, entry_id: int) -> RegisterEntry:
        entry = session.get(RegisterEntry, entry_id)
        if entry is None:
            raise ActionError("Không tìm thấy văn bản.")
        return entry  # type: ignore[no-any-return]

    def _unit(self, code: str) -> Unit:
        router = self.components.router
        unit = router.units.get(code) if router is not None else None
        if unit is None:
            raise ActionError("Đơn vị không có trong danh sách đơn vị của tệp quy tắc.")
        return unit

    def _default_due(self, entry: RegisterEntry) -> datetime | None:
        """The rules file's ``deadline`` when the clerk gives no date: counted from the
        receipt (R-DEADLINE) on the working-hours calendar, as routing counts it."""
        router = self.components.router
        spec = router.rules.deadline if router is not None else None
        if spec is None or spec.kind is DeadlineKind.DUE_DATE:
            return None  # the document's own due date is not known to a manual assignment
        return spec.due(router.calendar, entry.received_at)  # type: ignore[union-attr]

    def _due(self, day: date | None) -> datetime | None:
        zone = self.components.deployment.zone
        return None if day is None else datetime.combine(day, END_OF_OFFICE_DAY, tzinfo=zone)


def _parsed(field: Field, text: str) -> Any:
    if field is Field.ISSUED_ON:
        try:
            return parse_day(text)
        except DateError as exc:
            raise ActionError(f"Ngày tháng văn bản: {exc}") from exc
    if field is Field.URGENCY:
        by_label = {label.casefold(): key for key, label in URGENCY_LABELS.items()}
        key = text if text in URGENCY_LABELS else by_label.get(text.casefold())
        if key is None:
            raise ActionError("Độ khẩn không hợp lệ: hãy chọn Thường, Khẩn, Thượng khẩn, Hỏa tốc.")
        return key
    if field is Field.SUMMARY and not text:
        raise ActionError("Trích yếu không được để trống.")
    return text[:2000] or None


def _plain(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value
