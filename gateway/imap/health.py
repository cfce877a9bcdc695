"""How each IMAP account is doing: a small JSON file for ``gateway status``, and alerts.

Every folder poller reports here; the board keeps one state per account (``connecting``,
``ok`` or ``failing`` — the worst of its folders) and rewrites ``<data_dir>/imap-status.json``
atomically on every change. An **incident** starts when an account fails with an
account error (wrong password, TLS) or keeps failing (``ALERT_AFTER_FAILURES`` in a row),
and ends at the next successful login; the administrator gets one mail per incident. The
file remembers that the mail went out, so a restart during an incident does not repeat it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATUS_FILE = "imap-status.json"
ALERT_AFTER_FAILURES = 3

Alert = Callable[[str, str], None]  # (account name, error text)


def read_status(data_dir: Path) -> dict[str, Any]:
    """The last written board, or an empty one (no poller has run yet)."""
    try:
        data = json.loads((data_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"accounts": {}}
    return (
        data
        if isinstance(data, dict) and isinstance(data.get("accounts"), dict)
        else {"accounts": {}}
    )


class HealthBoard:
    """Thread-safe; one per service, shared by every folder poller."""

    def __init__(self, data_dir: Path, accounts: list[str], alert: Alert | None) -> None:
        self.path = data_dir / STATUS_FILE
        self._alert = alert
        self._lock = threading.Lock()
        earlier = read_status(data_dir)["accounts"]
        self._accounts: dict[str, dict[str, Any]] = {}
        for name in accounts:
            before = earlier.get(name, {})
            self._accounts[name] = {
                "state": "connecting",
                "error": before.get("error", ""),
                "since": before.get("since"),
                "failures": int(before.get("failures", 0)),
                "alerted": bool(before.get("alerted", False)),
                "folders": {},
            }
        if accounts:
            with self._lock:
                self._write()

    def connected(self, account: str, folder: str, uidvalidity: int) -> None:
        with self._lock:
            entry = self._accounts[account]
            entry["folders"][folder] = {"state": "ok", "uidvalidity": uidvalidity, "error": ""}
            if all(f["state"] == "ok" for f in entry["folders"].values()):
                if entry["state"] == "failing":
                    log.warning("IMAP %s: working again", account)
                entry.update(state="ok", error="", failures=0, alerted=False, since=_now())
            self._write()

    def failed(self, account: str, folder: str, error: str, *, permanent: bool) -> None:
        alert = False
        with self._lock:
            entry = self._accounts[account]
            entry["folders"][folder] = {"state": "failing", "error": error}
            if entry["state"] != "failing":
                entry["since"] = _now()
            entry.update(state="failing", error=error, failures=entry["failures"] + 1)
            alert = not entry["alerted"] and (
                permanent or entry["failures"] >= ALERT_AFTER_FAILURES
            )
            self._write()
        if not alert:
            return
        log.error("ALERT IMAP %s: %s", account, error)
        try:
            if self._alert is not None:
                self._alert(account, error)
        except Exception:  # the database is down too: the next failure tries again
            log.exception("IMAP %s: the alert could not be queued; will try again", account)
            return
        with self._lock:  # marked only once the alert row is committed
            self._accounts[account]["alerted"] = True
            self._write()

    def stopped(self) -> None:
        with self._lock:
            for entry in self._accounts.values():
                if entry["state"] != "failing":
                    entry["state"] = "stopped"
            self._write()

    def _write(self) -> None:
        data = {"updated_at": _now(), "pid": os.getpid(), "accounts": self._accounts}
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            log.exception("cannot write %s", self.path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
