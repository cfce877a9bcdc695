"""Mail to the administrator (``[alerts] administrator``) when an IMAP account fails.

An alert is an outbox row of kind ``alert``, written through the registry like every
other mail the gateway sends, marked ``Auto-Submitted: auto-generated`` (DESIGN §4.4),
with a Message-ID of its own. It names the account and the error, never the password.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy.engine import Engine

from gateway.imap_health import Alert
from registry.database import write_session
from registry.drafts import OutboxDraft
from registry.recorder import Recorder

log = logging.getLogger(__name__)

ALERT_KIND = "alert"


def compose_alert(
    *, from_address: str, to_address: str, account: str, error: str, now: datetime
) -> OutboxDraft:
    domain = from_address.rpartition("@")[2] or "localhost"
    message_id = f"<alert.imap.{now:%Y%m%d%H%M%S}.{secrets.token_hex(4)}@{domain}>"
    msg = EmailMessage()
    msg["From"] = from_address
    msg["To"] = to_address
    msg["Subject"] = f"[Cảnh báo] Không đọc được hộp thư IMAP {account}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        "Cổng tiếp nhận văn bản điện tử không đọc được hộp thư IMAP.\n\n"
        f"Tài khoản: {account}\n"
        f"Lỗi: {error}\n"
        f"Thời điểm: {now.isoformat(timespec='seconds')}\n\n"
        "Các hộp thư khác vẫn được xử lý. Thư này chỉ gửi một lần cho mỗi sự cố;\n"
        "xem tình trạng hiện tại bằng lệnh: gateway status\n"
    )
    return OutboxDraft(
        kind=ALERT_KIND,
        message_id=message_id,
        sender=from_address,
        recipient=to_address,
        raw=msg.as_bytes(policy=policy.SMTP),
    )


def outbox_alert(engine: Engine, from_address: str, administrator: str) -> Alert | None:
    """The alert callback for the health board; None when no administrator is configured."""
    if not administrator:
        return None

    def alert(account: str, error: str) -> None:
        now = datetime.now(UTC)
        draft = compose_alert(
            from_address=from_address,
            to_address=administrator,
            account=account,
            error=error,
            now=now,
        )
        try:
            with write_session(engine) as session:
                Recorder(session, now=now).add_outbox(None, draft)
        except Exception:
            log.exception("IMAP %s: could not queue the alert mail", account)

    return alert
