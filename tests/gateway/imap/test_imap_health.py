"""The IMAP health board alerts the administrator once per incident — and never loses it."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.imap.health import ALERT_AFTER_FAILURES, HealthBoard


def _alerted(data_dir: Path) -> bool:
    [status] = list(data_dir.rglob("*.json"))
    return bool(json.loads(status.read_text())["accounts"]["vanthu"]["alerted"])


def test_an_alert_that_could_not_be_queued_is_tried_again(tmp_path: Path) -> None:
    """GIVEN an account failing permanently while the alert cannot be queued (database down)
    WHEN it fails again after the database is back
    THEN the alert is queued then, exactly once, and only then marked as sent."""
    sent: list[tuple[str, str]] = []
    database_up = False

    def alert(account: str, error: str) -> None:
        if not database_up:
            raise ConnectionError("database is down")
        sent.append((account, error))

    board = HealthBoard(tmp_path, ["vanthu"], alert)
    board.failed("vanthu", "INBOX", "login refused", permanent=True)
    assert sent == []
    assert not _alerted(tmp_path)

    database_up = True
    board.failed("vanthu", "INBOX", "login refused", permanent=True)
    board.failed("vanthu", "INBOX", "login refused", permanent=True)
    assert sent == [("vanthu", "login refused")]
    assert _alerted(tmp_path)


def test_transient_failures_alert_once_after_the_threshold(tmp_path: Path) -> None:
    """GIVEN transient failures WHEN they reach the threshold THEN one alert, not one each."""
    sent: list[str] = []
    board = HealthBoard(tmp_path, ["vanthu"], lambda account, error: sent.append(error))
    for _ in range(ALERT_AFTER_FAILURES + 3):
        board.failed("vanthu", "INBOX", "timeout", permanent=False)
    assert sent == ["timeout"]
