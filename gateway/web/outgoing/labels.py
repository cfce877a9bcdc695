"""What a clerk reads for the states of an issued document's recipients (DESIGN §4.7).

The console groups the six recipient states in four at a glance — received, refused,
waiting (queued or sent, not yet answered), overdue — plus "could not be delivered"; the
document page names every state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from registry.outgoing.models import DeliveryStatus
from registry.outgoing.views import OutgoingView
from templates.reasons import REASONS

STATE_LABELS = {
    DeliveryStatus.QUEUED: "Đang chờ gửi",
    DeliveryStatus.SENT: "Đã gửi, chờ xác nhận",
    DeliveryStatus.RECEIVED: "Đã nhận",
    DeliveryStatus.REFUSED: "Từ chối nhận",
    DeliveryStatus.BOUNCED: "Không chuyển được",
    DeliveryStatus.OVERDUE: "Quá hạn xác nhận",
}
SOURCE_LABELS = {
    "issue": "Phát hành",
    "relay": "Máy chủ thư",
    "receipt": "Biên nhận của nơi nhận",
    "edxml": "Gói trạng thái edXML",
    "reply": "Thư trả lời của nơi nhận",
    "dsn": "Thông báo thư không chuyển được",
    "clock": "Nhắc hạn xác nhận",
}
STATUS_CODE_LABELS = {
    "01": "Đã gửi",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận, vào sổ",
    "04": "Đã phân công",
    "05": "Đang xử lý",
    "06": "Đã hoàn thành",
}


class Glance(StrEnum):
    """The four (and one) columns of the list."""

    RECEIVED = "received"
    REFUSED = "refused"
    WAITING = "waiting"
    OVERDUE = "overdue"
    BOUNCED = "bounced"


GLANCE_LABELS = {
    Glance.RECEIVED: "Đã nhận",
    Glance.REFUSED: "Từ chối",
    Glance.WAITING: "Đang chờ",
    Glance.OVERDUE: "Quá hạn",
    Glance.BOUNCED: "Không chuyển được",
}
_GLANCE_OF = {
    DeliveryStatus.QUEUED: Glance.WAITING,
    DeliveryStatus.SENT: Glance.WAITING,
    DeliveryStatus.RECEIVED: Glance.RECEIVED,
    DeliveryStatus.REFUSED: Glance.REFUSED,
    DeliveryStatus.BOUNCED: Glance.BOUNCED,
    DeliveryStatus.OVERDUE: Glance.OVERDUE,
}


_STATES = frozenset(s.value for s in DeliveryStatus)


def glance_of(status: str) -> Glance:
    return _GLANCE_OF[DeliveryStatus(status)] if status in _STATES else Glance.WAITING


def state_label(status: str) -> str:
    return STATE_LABELS[DeliveryStatus(status)] if status in _STATES else "Chưa rõ"


@dataclass(frozen=True)
class GlanceRow:
    """One document of the list with its recipients counted by :class:`Glance`."""

    document: OutgoingView
    counts: dict[Glance, int]
    exceptions: tuple[tuple[str, Glance], ...]  # (recipient name, state) not received/waiting

    @property
    def total(self) -> int:
        return len(self.document.recipients)


def glance(document: OutgoingView) -> GlanceRow:
    counts = Counter(glance_of(r.status) for r in document.recipients)
    exceptions = tuple(
        (r.name or r.address, glance_of(r.status))
        for r in document.recipients
        if glance_of(r.status) in (Glance.REFUSED, Glance.OVERDUE, Glance.BOUNCED)
    )
    return GlanceRow(document, {g: counts.get(g, 0) for g in Glance}, exceptions)


DSN_ACTIONS = {
    "failed": "không chuyển được thư",
    "delayed": "thư đang bị chậm",
    "delivered": "đã chuyển thư",
    "relayed": "đã chuyển tiếp thư",
    "expanded": "đã chuyển thư",
}


def event_note(note: str) -> str:
    """The Vietnamese of an event's note (the registry keeps short technical notes)."""
    text = note.strip()
    if not text or text.startswith("status "):
        return ""  # the status code is shown by its own label
    if text == "reminder":
        return "Đã gửi thư nhắc nơi nhận xác nhận."
    if text == "reply without a recognised keyword":
        return "Thư trả lời không ghi rõ đã nhận hay từ chối; văn thư cần xem thư."
    if text.startswith("DSN"):
        parts = text.split()
        action = DSN_ACTIONS.get(parts[1] if len(parts) > 1 else "", "báo về việc chuyển thư")
        code = f" (mã {parts[2]})" if len(parts) > 2 else ""
        return f"Máy chủ thư báo: {action}{code}."
    return text  # the recipient's own words (an edXML description, a reply's line)


def reason_line(reason: str) -> str:
    """A recipient's reason: a reason code of ours (DESIGN §4.5) in words, else its text."""
    return REASONS[reason].summary if reason in REASONS else reason
