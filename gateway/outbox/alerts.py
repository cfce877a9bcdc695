"""Mail to the administrator (``[alerts] administrator``): one outbox row of kind ``alert``.

Alerts travel like every other mail the gateway sends (the outbox, the relay or the
maildir), are marked ``Auto-Submitted: auto-generated`` (DESIGN §4.4) and never quote
document content. Callers choose the Message-ID: a stable one (from a spool id) makes the
alert exactly-once with the transaction that queues it.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from gateway.outbox.identity import MailKind, incident_key, mark_automatic, message_id
from mailparse import policies
from registry.drafts import OutboxDraft

ALERT_KIND = MailKind.ALERT


def alert_message_id(topic: str, from_address: str, key: str | None = None) -> str:
    """``<alert.TOPIC.KEY@domain>``; without ``key`` a random one (a new incident)."""
    return message_id(MailKind.ALERT, f"{topic}.{key or incident_key()}", from_address)


def compose_alert(
    *,
    from_address: str,
    to_address: str,
    subject: str,
    body: str,
    message_id: str,
    now: datetime,
) -> OutboxDraft:
    msg = EmailMessage()
    msg["From"] = from_address
    msg["To"] = to_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    mark_automatic(msg, ALERT_KIND)
    msg.set_content(body)
    return OutboxDraft(
        kind=ALERT_KIND,
        message_id=message_id,
        sender=from_address,
        recipient=to_address,
        raw=msg.as_bytes(policy=policies.SMTP),
    )


def malware_alert(
    *, from_address: str, to_address: str, spool_id: str, findings: str, now: datetime
) -> OutboxDraft:
    """The alert for an infected message (R-VIRUS); one per spool item (stable id)."""
    return compose_alert(
        from_address=from_address,
        to_address=to_address,
        subject=f"[Cảnh báo] Thư có mã độc đã bị từ chối ({spool_id})",
        body=(
            "Cổng tiếp nhận văn bản điện tử đã nhận một thư có mã độc và đã từ chối thư.\n\n"
            f"Mã thư trong hàng đợi: {spool_id}\n"
            f"Kết quả quét: {findings}\n"
            f"Thời điểm: {now.isoformat(timespec='seconds')}\n\n"
            "Thư gốc được lưu trong kho hạn chế (restricted), không lưu vào kho lưu trữ chung.\n"
            "Xem chi tiết bằng lệnh: gateway inbound list\n"
        ),
        message_id=alert_message_id("malware", from_address, spool_id),
        now=now,
    )
