"""The follow-up mails of the working-hours clock and of reply handling (R-TRACK).

Help for an unrecognised reply (``auto-replied``), reminders and escalations
(``auto-generated``) and the clerk's notice of a returned document: Vietnamese text + HTML
from ``follow_up.*.j2``, composed by :func:`gateway.outbox.compose.compose_mail`. Each has a
stable Message-ID ``<alert.TOPIC.KEY@domain>`` (the pattern :mod:`gateway.senderauth.backscatter`
knows as ours), so a mail queued with its once-claim is queued once. Mail to an assignee
carries ``Reply-To: vanthu+TOKEN@…``, so answering it reports progress. Document content
is limited to the incoming number; the assignee has the routed copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.alerts import alert_message_id
from gateway.outbox.compose import MailContent, compose_mail
from gateway.outbox.identity import MailKind
from registry.drafts import OutboxDraft


class FollowUp(StrEnum):
    """The kinds of follow-up mail; also the outbox row's ``kind``."""

    HELP = "help"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    UNASSIGNED = "unassigned"
    RETURNED = "returned"


@dataclass(frozen=True)
class FollowUpMail:
    """What one follow-up says; ``key`` makes its Message-ID stable."""

    kind: FollowUp
    key: str
    to_address: str
    addressee: str
    subject: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...] = ()
    reply_to: str | None = None
    in_reply_to: str | None = None


def build_follow_up(
    mail: FollowUpMail,
    *,
    env: jinja2.Environment,
    from_address: str,
    now: datetime,
    timezone: str,
) -> OutboxDraft:
    """Render ``mail`` into an outbox row."""
    message_id = alert_message_id(mail.kind.value, from_address, mail.key)
    context = {
        "title": mail.subject,
        "addressee": mail.addressee,
        "paragraphs": list(mail.paragraphs),
        "facts": list(mail.facts),
    }
    headers: list[tuple[str, str]] = []
    if mail.reply_to:
        headers.append(("Reply-To", mail.reply_to))
    raw = compose_mail(
        MailContent(
            from_address=from_address,
            to_address=mail.to_address,
            subject=mail.subject,
            message_id=message_id,
            composed_at=now.astimezone(ZoneInfo(timezone)),
            text=env.get_template("follow_up.txt.j2").render(context),
            html=env.get_template("follow_up.html.j2").render(context),
            in_reply_to=mail.in_reply_to,
            kind=MailKind(mail.kind.value),
            headers=tuple(headers),
            boundary_tag=mail.kind.value,
        )
    )
    return OutboxDraft(
        kind=mail.kind.value,
        message_id=message_id,
        sender=from_address,
        recipient=mail.to_address,
        raw=raw,
    )


HELP_PARAGRAPHS = (
    "Hệ thống chưa nhận ra nội dung trả lời của đồng chí về văn bản được phân công.",
    "Để báo cáo tiến độ, đề nghị trả lời thư này, dòng đầu tiên ghi một trong các cụm từ sau "
    "(có dấu hoặc không dấu đều được):",
    "• “Đã nhận” hoặc “Tiếp nhận”: đã nhận văn bản;",
    "• “Đang xử lý”: đang giải quyết;",
    "• “Hoàn thành”: đã giải quyết xong;",
    "• “Chuyển <mã đơn vị>”: chuyển văn bản cho đơn vị khác;",
    "• “Đề nghị chuyển <lý do>”: đề nghị lãnh đạo (hoặc văn thư) chuyển văn bản cho đơn vị "
    "khác; có thể ghi đơn vị đề nghị trước dấu hai chấm (Đề nghị chuyển KT: <lý do>);",
    "• “Trả lại <lý do>”: trả lại văn bản cho văn thư.",
    "Thư hướng dẫn này chỉ gửi một lần cho mỗi văn bản được phân công.",
)


def help_mail(
    *, to_address: str, assignment_id: int, incoming: str, reply_to: str, in_reply_to: str | None
) -> FollowUpMail:
    return FollowUpMail(
        kind=FollowUp.HELP,
        key=str(assignment_id),
        to_address=to_address,
        addressee="đồng chí",
        subject=f"Hướng dẫn báo cáo tiến độ xử lý văn bản số {incoming}",
        paragraphs=HELP_PARAGRAPHS,
        facts=(("Số đến", incoming),),
        reply_to=reply_to,
        in_reply_to=in_reply_to,
    )


def returned_mail(
    *, to_address: str, assignment_id: int, incoming: str, unit: str, by: str, reason: str
) -> FollowUpMail:
    return FollowUpMail(
        kind=FollowUp.RETURNED,
        key=str(assignment_id),
        to_address=to_address,
        addressee="bộ phận văn thư",
        subject=f"Văn bản số {incoming} bị trả lại",
        paragraphs=(
            f"Đơn vị {unit} đã trả lại văn bản số {incoming}. "
            "Đề nghị văn thư xem xét, phân công lại hoặc xử lý theo quy định.",
        ),
        facts=(("Số đến", incoming), ("Người trả lại", by), ("Lý do", reason or "(không nêu)")),
    )


def reminder_mail(
    *,
    to_address: str,
    assignment_id: int,
    incoming: str,
    unit: str,
    role: str,
    due_at: str,
    reply_to: str,
) -> FollowUpMail:
    return FollowUpMail(
        kind=FollowUp.REMINDER,
        key=str(assignment_id),
        to_address=to_address,
        addressee="đồng chí",
        subject=f"Nhắc hạn xử lý văn bản đến số {incoming} (hạn {due_at})",
        paragraphs=(
            f"Văn bản đến số {incoming} giao {unit} ({role}) sắp đến hạn xử lý.",
            "Đề nghị đồng chí khẩn trương xử lý và báo cáo tiến độ bằng cách trả lời thư này, "
            "dòng đầu ghi “Đang xử lý” hoặc “Hoàn thành”.",
        ),
        facts=(("Số đến", incoming), ("Hạn xử lý", due_at)),
        reply_to=reply_to,
    )


def escalation_mail(
    *,
    to_address: str,
    key: str,
    incoming: str,
    unit: str,
    role: str,
    due_at: str,
    assignee: str,
) -> FollowUpMail:
    return FollowUpMail(
        kind=FollowUp.ESCALATION,
        key=key,
        to_address=to_address,
        addressee="đồng chí",
        subject=f"Văn bản đến số {incoming} đã quá hạn xử lý",
        paragraphs=(
            f"Văn bản đến số {incoming} giao {unit} ({role}) đã quá hạn xử lý "
            "mà chưa được báo cáo hoàn thành.",
            "Đề nghị đồng chí chỉ đạo, đôn đốc việc xử lý văn bản.",
        ),
        facts=(("Số đến", incoming), ("Hạn xử lý", due_at), ("Người được giao", assignee)),
    )


def unassigned_mail(
    *, to_address: str, entry_id: int, incoming: str, assign_by: str
) -> FollowUpMail:
    return FollowUpMail(
        kind=FollowUp.UNASSIGNED,
        key=str(entry_id),
        to_address=to_address,
        addressee="bộ phận văn thư",
        subject=f"Văn bản đến số {incoming} chưa được phân công xử lý",
        paragraphs=(
            f"Văn bản đến số {incoming} đã quá thời hạn phân công mà chưa được phân công xử lý.",
            "Đề nghị văn thư trình lãnh đạo phân công ngay theo quy định.",
        ),
        facts=(("Số đến", incoming), ("Hạn phân công", assign_by)),
    )
