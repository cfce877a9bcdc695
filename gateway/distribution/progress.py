"""Officers report progress in the console (R-TRACK): the same transitions and the same
04/05/06 notices as the reply keywords ("đã nhận", "đang xử lý", "hoàn thành", "trả lại
<lý do>", "đề nghị chuyển [<đơn vị>:] <lý do>"), made by
:func:`gateway.tracking.reply_actions.apply_intent` in one transaction with the notice to
the sender and, for a return, the clerk's notice. An officer acts only on an assignment of
their own unit; the audit trail names them.

"Hoàn thành" may carry the result file (:class:`ResultFile`: PDF, Word, Excel,
OpenDocument, at most :data:`MAX_RESULT_BYTES`): its bytes go to the archive — files or
the database, whichever the deployment stores documents in (decision 0003) — before the
transaction, its row (:class:`registry.tracking.results.AssignmentResult`) in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.distribution.decide import Desk
from gateway.distribution.transfer import queue_request_notice
from gateway.errors import GatewayError
from gateway.tracking.followups import build_follow_up, returned_mail
from gateway.tracking.reply_actions import Applied, apply_intent, find_unit
from gateway.tracking.status_notice import queue_status_notice
from mailparse.filenames import safe_filename
from registry.database import write_session
from registry.models import AssignmentRecord, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from registry.tracking.results import AssignmentResult
from rules.progress import Intent, ReplyIntent

REASON_CHARS = 1000
CONSOLE_INTENTS = (
    Intent.ACKNOWLEDGED,
    Intent.IN_PROGRESS,
    Intent.DONE,
    Intent.RETURN,
    Intent.TRANSFER_REQUEST,
)
MAX_RESULT_BYTES = 20 * 1024 * 1024
# extension → (media type, the file's first bytes)
RESULT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


@dataclass(frozen=True)
class ResultFile:
    """The file an officer attaches to "Hoàn thành" (the name as uploaded)."""

    filename: str
    data: bytes


def checked_result(result: ResultFile) -> tuple[str, str]:
    """(the safe file name, its media type); ProgressError (Vietnamese) when refused."""
    name = safe_filename(result.filename)
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in RESULT_TYPES:
        raise ProgressError(
            "Tệp kết quả phải là PDF, Word (doc, docx), Excel (xls, xlsx) hoặc "
            "OpenDocument (odt, ods)."
        )
    if len(result.data) > MAX_RESULT_BYTES:
        raise ProgressError(f"Tệp kết quả quá lớn (tối đa {MAX_RESULT_BYTES // (1024 * 1024)} MB).")
    media_type, magic = RESULT_TYPES[extension]
    if not result.data or not result.data.startswith(magic):
        raise ProgressError(f"Tệp “{name}” không đúng định dạng {extension.upper()}.")
    return name, media_type


class ProgressError(GatewayError):
    """A progress report that cannot be made; the message is Vietnamese, for the page."""


@dataclass(frozen=True)
class Progress:
    """Progress reports of ``actor`` (a console user), limited to ``unit_code`` when set."""

    desk: Desk
    actor: str
    unit_code: str | None

    def _argument(self, intent: Intent, reason: str, unit: str) -> str:
        """The reply keyword's argument for ``intent``: the reason, ``unit: reason``."""
        if intent not in CONSOLE_INTENTS:
            raise ProgressError("Thao tác không hợp lệ.")
        reason = " ".join(reason.split())[:REASON_CHARS]
        if intent is Intent.RETURN and not reason:
            raise ProgressError("Hãy ghi lý do trả lại văn bản.")
        if intent is not Intent.TRANSFER_REQUEST:
            return reason
        if not reason:
            raise ProgressError("Hãy ghi lý do đề nghị chuyển văn bản.")
        if not unit.strip():
            return reason
        found = find_unit(self.desk.units, unit)
        if found is None:
            raise ProgressError(f"Không có đơn vị “{unit.strip()}” trong danh sách đơn vị.")
        return f"{found.code}: {reason}"

    def report(
        self,
        assignment_id: int,
        intent: Intent,
        reason: str = "",
        *,
        unit: str = "",
        result: ResultFile | None = None,
    ) -> Applied:
        argument = self._argument(intent, reason, unit)
        stored: tuple[str, str, str, int] | None = None  # sha256, name, media type, size
        if result is not None and intent is Intent.DONE:
            name, media_type = checked_result(result)
            stored = (self.desk.archive.store(result.data), name, media_type, len(result.data))
        desk = self.desk
        with write_session(desk.engine) as session:
            recorder = Recorder(session)
            assignment = session.get(AssignmentRecord, assignment_id, with_for_update=True)
            if assignment is None:
                raise ProgressError("Không tìm thấy phân công này.")
            if self.unit_code is not None and assignment.unit_code != self.unit_code:
                raise ProgressError("Văn bản này không giao cho đơn vị của bạn.")
            entry = session.get_one(RegisterEntry, assignment.entry_id)
            applied = apply_intent(
                recorder,
                assignment,
                entry,
                ReplyIntent(intent, argument, line="console"),
                actor=self.actor,
                units=desk.units,
            )
            if applied.note.startswith("no change: a transfer"):
                raise ProgressError(
                    "Đơn vị đã đề nghị chuyển văn bản này; đang chờ lãnh đạo (hoặc văn thư) "
                    "quyết định."
                )
            if applied.note.startswith("no change"):
                raise ProgressError("Phân công này đã kết thúc, không cập nhật được nữa.")
            if stored is not None:
                _keep_result(recorder, assignment, entry, stored, by=self.actor)
            if applied.transfer_request is not None:
                queue_request_notice(recorder, desk, applied.transfer_request)
            unit = assignment.unit_name or assignment.unit_code
            if applied.entry_status is not None:
                queue_status_notice(
                    recorder,
                    env=desk.templates,
                    entry=entry,
                    status=applied.entry_status,
                    unit_name=unit,
                    from_address=desk.from_address,
                    timezone=desk.zone.key,
                )
            if applied.returned_reason is not None:
                recorder.add_outbox(
                    None,
                    build_follow_up(
                        returned_mail(
                            to_address=desk.clerk,
                            assignment_id=assignment_id,
                            incoming=register_label(entry.year, entry.incoming_number),
                            unit=unit,
                            by=self.actor,
                            reason=applied.returned_reason,
                        ),
                        env=desk.templates,
                        from_address=desk.from_address,
                        now=recorder.now,
                        timezone=desk.zone.key,
                    ),
                )
            return applied


def _keep_result(
    recorder: Recorder,
    assignment: AssignmentRecord,
    entry: RegisterEntry,
    stored: tuple[str, str, str, int],
    *,
    by: str,
) -> None:
    sha256, name, media_type, size = stored
    row = AssignmentResult(
        entry_id=entry.id or 0,
        assignment_id=assignment.id or 0,
        sha256=sha256,
        filename=name,
        media_type=media_type,
        size=size,
        uploaded_by=by,
        uploaded_at=recorder.now,
    )
    recorder.session.add(row)
    recorder.session.flush()
    recorder.audit(
        "assignment.result_file",
        entry=entry,
        actor=by,
        assignment=assignment.id,
        unit=assignment.unit_code,
        text=name,
        sha256=sha256,
        size=size,
    )
