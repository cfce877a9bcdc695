"""``gateway status``: the spool, the outbox and each IMAP account, at a glance.

Reads what the running gateway leaves behind — the spool directories, the outbox rows and
``<data_dir>/imap-status.json`` (written by the IMAP pollers) — so it works whether or not
the gateway is running. Accounts configured but never reported show ``unknown``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from gateway.config.settings import Deployment
from gateway.imap.health import read_status
from gateway.spool.queue import Spool
from gateway.storage.heartbeat import SILENT_AFTER
from gateway.wiring import open_database
from registry.console.alerts import open_alerts
from registry.database import read_session
from registry.mail.outbox_views import counts_by_status
from registry.models import OutboxStatus
from registry.storage.instances import instances

INSTANCE_STATES = {"alive": "đang chạy", "silent": "KHÔNG CÒN TÍN HIỆU", "stopped": "đã dừng"}


def collect_status(deployment: Deployment) -> dict[str, Any]:
    engine = open_database(deployment)
    try:
        return status_of(deployment, engine)
    finally:
        engine.dispose()


def status_of(deployment: Deployment, engine: Engine) -> dict[str, Any]:
    """Spool, outbox and IMAP accounts, read with an engine the caller owns (the console)."""
    spool = Spool(deployment.data_dir / "spool")
    with read_session(engine) as session:
        counts = counts_by_status(session)
        alerts = [  # R-SECRET, R-VIRUS: until an administrator acknowledges them
            {
                "id": a.id,
                "kind": a.kind,
                "created_at": a.created_at.astimezone(deployment.zone).isoformat(),
                "summary": a.summary,
                "mailed_to": a.mailed_to,
            }
            for a in open_alerts(session)
        ]
    now = datetime.now(UTC)
    running = [  # every instance sharing this database (DESIGN §3)
        {
            "name": i.name,
            "host": i.host,
            "pid": i.pid,
            "state": i.state,
            "seen_at": i.seen_at.astimezone(deployment.zone).isoformat(),
            "spool_waiting": i.spool_waiting,
            "spool_quarantined": i.spool_quarantined,
        }
        for i in instances(engine, silent_after=SILENT_AFTER, now=now)
    ]
    return {
        "spool": {"waiting": len(spool.waiting()), "quarantined": len(spool.quarantined())},
        "outbox": {
            "pending": int(counts.get(OutboxStatus.PENDING, 0)),
            "failed": int(counts.get(OutboxStatus.FAILED, 0)),
        },
        "imap": imap_accounts(deployment),
        "alerts": alerts,
        "instances": running,
    }


def imap_accounts(deployment: Deployment) -> list[dict[str, Any]]:
    """Each configured account as the pollers last reported it (``unknown``: never)."""
    reported = read_status(deployment.data_dir)["accounts"]
    accounts = []
    for account in deployment.settings.imap:
        entry = reported.get(account.name, {})
        accounts.append(
            {
                "name": account.name,
                "host": account.host,
                "folders": list(account.folders),
                "state": entry.get("state", "unknown"),
                "since": entry.get("since"),
                "error": entry.get("error", ""),
                "alerted": bool(entry.get("alerted", False)),
            }
        )
    return accounts


def status_text(status: dict[str, Any]) -> str:
    spool, outbox = status["spool"], status["outbox"]
    lines = [
        f"Hàng đợi (spool): {spool['waiting']} đang chờ, {spool['quarantined']} bị cách ly",
        f"Thư đi (outbox): {outbox['pending']} đang chờ gửi, {outbox['failed']} gửi lỗi",
    ]
    for instance in status.get("instances", []):
        seen = datetime.fromisoformat(instance["seen_at"]).strftime("%d/%m/%Y %H:%M:%S")
        lines.append(
            f"Máy chủ {instance['name']}: {INSTANCE_STATES.get(instance['state'], '?')}"
            f" (lần cuối {seen}), hàng đợi {instance['spool_waiting']} đang chờ,"
            f" {instance['spool_quarantined']} bị cách ly"
        )
    if not status["imap"]:
        lines.append("IMAP: không cấu hình hộp thư nào")
    alerts = status.get("alerts", [])
    if alerts:
        lines.append(f"⚠ {len(alerts)} cảnh báo chờ quản trị viên xác nhận (trang /system):")
    for alert in alerts:
        moment = datetime.fromisoformat(alert["created_at"]).strftime("%d/%m/%Y %H:%M")
        lines.append(f"  - {moment}: {alert['summary']}")
    for account in status["imap"]:
        line = f"IMAP {account['name']} ({', '.join(account['folders'])}): {account['state']}"
        if account["since"]:
            line += f" từ {account['since']}"
        if account["error"] and account["state"] == "failing":
            line += f" — {account['error']}"
        lines.append(line)
    return "\n".join(lines)
