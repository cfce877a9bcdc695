"""``gateway ingest``: deliver what the ingested files queued before exiting (DESIGN §4.1).

The outbox sender delivers one batch per call; ingest used to call it once and exit with
answers and routed copies still queued. Here it runs until nothing is due any more: each
mail is then sent, failed for good, or handed to the retry schedule (``gateway serve``
retries it), and the clerk is told which, in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from gateway.outbox.sender import OutboxSender
from registry.database import read_session
from registry.mail.outbox_views import mail_of_spool_items
from registry.models import OutboxStatus

MAX_ROUNDS = 1000  # a bound on batches; each round sends, fails or reschedules its rows


@dataclass(frozen=True)
class DeliveryReport:
    """What became of the mail queued for the ingested messages."""

    sent: int
    retrying: tuple[str, ...]  # local times of the next attempt ("dd/mm/yyyy HH:MM")
    failed: int

    def text(self) -> str:
        """One Vietnamese line for the clerk."""
        if not (self.sent or self.retrying or self.failed):
            return "Thư đi: không có thư nào cần gửi."
        parts = [f"đã gửi {self.sent} thư"]
        if self.retrying:
            first = min(self.retrying)
            parts.append(
                f"{len(self.retrying)} thư chưa gửi được, sẽ tự gửi lại (lần tới lúc {first})"
                " khi dịch vụ (gateway serve) chạy"
            )
        if self.failed:
            parts.append(f"{self.failed} thư gửi lỗi (xem: gateway outbox list)")
        return "Thư đi: " + "; ".join(parts) + "."


def deliver_queued(
    outbox: OutboxSender, engine: Engine, spool_ids: Iterable[str], zone: ZoneInfo
) -> DeliveryReport:
    """Deliver until nothing is due, then report on the mail of ``spool_ids``."""
    try:
        for _ in range(MAX_ROUNDS):
            if outbox.run_once() == 0:
                break
    finally:
        outbox.close()
    wanted = list(spool_ids)
    with read_session(engine) as session:
        rows = mail_of_spool_items(session, wanted)
    return DeliveryReport(
        sent=sum(r.status == OutboxStatus.SENT for r in rows),
        retrying=tuple(
            sorted(
                r.next_attempt_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
                for r in rows
                if r.status == OutboxStatus.PENDING
            )
        ),
        failed=sum(r.status == OutboxStatus.FAILED for r in rows),
    )
