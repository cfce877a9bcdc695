"""Officers report progress in the console (R-TRACK): the same transitions and the same
04/05/06 notices as the reply keywords ("đã nhận", "đang xử lý", "hoàn thành", "trả lại
<lý do>"), made by :func:`gateway.tracking.reply_actions.apply_intent` in one transaction
with the notice to the sender and, for a return, the clerk's notice. An officer acts only
on an assignment of their own unit; the audit trail names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.distribution.decide import Desk
from gateway.errors import GatewayError
from gateway.tracking.followups import build_follow_up, returned_mail
from gateway.tracking.reply_actions import Applied, apply_intent
from gateway.tracking.status_notice import queue_status_notice
from registry.database import write_session
from registry.models import AssignmentRecord, RegisterEntry
from registry.numbering import register_label
from registry.recorder import Recorder
from rules.progress import Intent, ReplyIntent

REASON_CHARS = 1000
CONSOLE_INTENTS = (Intent.ACKNOWLEDGED, Intent.IN_PROGRESS, Intent.DONE, Intent.RETURN)


class ProgressError(GatewayError):
    """A progress report that cannot be made; the message is Vietnamese, for the page."""


@dataclass(frozen=True)
class Progress:
    """Progress reports of ``actor`` (a console user), limited to ``unit_code`` when set."""

    desk: Desk
    actor: str
    unit_code: str | None

    def report(self, assignment_id: int, intent: Intent, reason: str = "") -> Applied:
        if intent not in CONSOLE_INTENTS:
            raise ProgressError("Thao tác không hợp lệ.")
        reason = " ".join(reason.split())[:REASON_CHARS]
        if intent is Intent.RETURN and not reason:
            raise ProgressError("Hãy ghi lý do trả lại văn bản.")
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
                ReplyIntent(intent, reason, line="console"),
                actor=self.actor,
                units=desk.units,
            )
            if applied.note.startswith("no change"):
                raise ProgressError("Phân công này đã kết thúc, không cập nhật được nữa.")
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
