"""Mail to the administrator (``[alerts] administrator``) when an IMAP account fails.

An alert is an outbox row of kind ``alert``, written through the registry like every
other mail the gateway sends, marked ``Auto-Submitted: auto-generated`` (DESIGN §4.4),
with a Message-ID of its own. It names the account and the error, never the password.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from gateway.outbox import alerts
from registry.database import write_session
from registry.drafts import OutboxDraft
from registry.recorder import Recorder

log = logging.getLogger(__name__)

ALERT_KIND = alerts.ALERT_KIND


def compose_alert(
    *, from_address: str, to_address: str, account: str, error: str, now: datetime
) -> OutboxDraft:
    return alerts.compose_alert(
        from_address=from_address,
        to_address=to_address,
        subject=f"[Cảnh báo] Không đọc được hộp thư IMAP {account}",
        body=(
            "Cổng tiếp nhận văn bản điện tử không đọc được hộp thư IMAP.\n\n"
            f"Tài khoản: {account}\n"
            f"Lỗi: {error}\n"
            f"Thời điểm: {now.isoformat(timespec='seconds')}\n\n"
            "Các hộp thư khác vẫn được xử lý. Thư này chỉ gửi một lần cho mỗi sự cố;\n"
            "xem tình trạng hiện tại bằng lệnh: gateway status\n"
        ),
        message_id=alerts.alert_message_id("imap", from_address),
        now=now,
    )


def outbox_alert(
    engine: Engine,
    from_address: str,
    administrator: str,
    sign: Callable[[bytes], bytes] | None = None,
) -> Callable[[str, str], None] | None:
    """The alert callback for the IMAP health board; None when no administrator is
    configured. ``sign`` DKIM-signs the alert as it is queued (``[outgoing] dkim_*``).
    A failure to queue raises: the board marks the incident alerted only after the row
    is committed, so the alert is tried again at the next failure instead of being lost."""
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
        with write_session(engine) as session:
            Recorder(session, now=now, sign=sign).add_outbox(None, draft)

    return alert
