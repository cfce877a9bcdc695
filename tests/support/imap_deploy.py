"""Helpers for IMAP end-to-end tests: a gateway watching a Dovecot, and what to look at.

Observations go through the same doors a person would use: the mailbox (imapclient),
``gateway register/inbound list --json`` and ``gateway status --json``; the ledger is read
from the SQLite database only to prove that a crash really hit the spool→move window.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

from tests.support.dovecot import HOST, Dovecot
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
PROCESSED = "Đã xử lý"


def account_toml(
    dovecot: Dovecot, user: str, password_file: Path, name: str | None = None, **extra: Any
) -> str:
    """One ``[[imap]]`` table for a user of the test Dovecot (plain IMAP on loopback)."""
    values: dict[str, Any] = {
        "name": name or user,
        "host": HOST,
        "port": dovecot.port,
        "tls": "none",
        "username": user,
        "password_file": str(password_file),
        "poll_seconds": 5,
        **extra,
    }
    body = "\n".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()
    )
    return f"[[imap]]\n{body}\n"


def watch(gateway: GatewayProcess, dovecot: Dovecot, user: str, **extra: Any) -> None:
    """Configure the gateway to read ``user``'s mailbox (password in a file)."""
    secret = gateway.root / f"{user}.password"
    secret.write_text(dovecot.users[user] + "\n")
    gateway.add_config(account_toml(dovecot, user, secret, **extra))


def mail(number: int, pdf: bytes) -> bytes:
    return official_mail(
        sender=AGENCY,
        message_id=f"<cv{number}@vp.rachgia.example.gov.vn>",
        attachments=[("54-UBND-VP.pdf", pdf, "application/pdf")],
    )


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05
) -> float:
    """Seconds until ``predicate()`` held; AssertionError naming ``what`` after timeout."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - start


def folder_uids(client: IMAPClient, folder: str) -> list[int]:
    if not client.folder_exists(folder):
        return []
    client.select_folder(folder, readonly=True)
    return [int(uid) for uid in client.search(["ALL"])]


def account_state(gateway: GatewayProcess, name: str) -> str:
    try:
        data = json.loads((gateway.data_dir / "imap-status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "absent"
    return str(data.get("accounts", {}).get(name, {}).get("state", "absent"))


def wait_watching(gateway: GatewayProcess, name: str, timeout: float = 15.0) -> None:
    wait_until(lambda: account_state(gateway, name) == "ok", timeout, f"account {name} to be ok")
    time.sleep(0.3)  # from "selected" to inside IDLE


@contextmanager
def database(gateway: GatewayProcess) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{gateway.data_dir / 'gateway.db'}?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def ledger_statuses(gateway: GatewayProcess) -> dict[str, int]:
    with database(gateway) as db:
        rows = db.execute("SELECT status, count(*) FROM imap_ledger GROUP BY status").fetchall()
    return {str(status): int(count) for status, count in rows}


def inbound_count(gateway: GatewayProcess) -> int:
    try:
        with database(gateway) as db:
            return int(db.execute("SELECT count(*) FROM inbound_message").fetchone()[0])
    except sqlite3.Error:
        return 0


def registered_message_ids(gateway: GatewayProcess) -> list[str]:
    return sorted(entry["message_id"] for entry in gateway.cli_json("register", "list"))
