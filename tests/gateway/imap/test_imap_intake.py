"""IMAP intake against a real Dovecot: a `gateway serve` process reading a mailbox.

Each test starts its own throwaway Dovecot (tests/support/dovecot.py) and its own
deployment; messages are appended with imapclient, as a mail server's delivery would put
them there, and results are read from the mailbox, the register and ``gateway status``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.documents import numbered_document_pdf
from tests.support.dovecot import Dovecot
from tests.support.gateway_process import GatewayProcess
from tests.support.imap_deploy import (
    AGENCY,
    PROCESSED,
    account_state,
    account_toml,
    folder_uids,
    mail,
    registered_message_ids,
    wait_until,
    wait_watching,
    watch,
)
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

ADMIN = "quantri@example.gov.vn"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot({"vanthu": "s3cret-vanthu", "khac": "s3cret-khac"}).start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    process = GatewayProcess(
        tmp_path / "deploy", pki.root_pem(), env={"GATEWAY_ALERTS__ADMINISTRATOR": ADMIN}
    )
    try:
        yield process
    finally:
        process.stop()


def test_message_appended_while_idling_is_registered_and_moved(
    dovecot: Dovecot, deployment: GatewayProcess, signed_pdf: bytes
) -> None:
    """GIVEN a gateway idling on an INBOX (processed folder "Đã xử lý", the default)
    WHEN a signed công văn is appended
    THEN well before the next poll (60 s: IDLE told the gateway) it is registered and moved to
    "Đã xử lý", still unread (fetched with BODY.PEEK[]), the sender is receipted, and
    `gateway status` says the account is ok."""
    watch(deployment, dovecot, "vanthu")
    deployment.start()
    wait_watching(deployment, "vanthu")
    client = dovecot.client("vanthu")

    started = time.monotonic()
    client.append("INBOX", mail(1, signed_pdf))
    wait_until(lambda: len(folder_uids(client, PROCESSED)) == 1, 30.0, "the move")
    elapsed = time.monotonic() - started

    assert folder_uids(client, "INBOX") == []
    assert PROCESSED in [name for _flags, _sep, name in client.list_folders()]
    client.select_folder(PROCESSED, readonly=True)
    [(_uid, data)] = client.fetch(client.search(["ALL"]), ["FLAGS"]).items()
    assert b"\\Seen" not in data[b"FLAGS"]
    assert registered_message_ids(deployment) == ["<cv1@vp.rachgia.example.gov.vn>"]
    [receipt] = deployment.wait_for_outbox(1)
    assert receipt["To"] == AGENCY
    assert receipt["X-Document-Status"] == "03"
    [account] = deployment.cli_json("status")["imap"]
    assert (account["name"], account["state"]) == ("vanthu", "ok")
    print(f"IDLE-to-moved latency: {elapsed:.2f}s")


def test_burst_of_200_is_registered_once_each(dovecot: Dovecot, deployment: GatewayProcess) -> None:
    """GIVEN a gateway idling on an INBOX
    WHEN 200 messages are appended in a burst
    THEN all 200 end in the processed folder and each is registered exactly once (200
    entries, 200 distinct Message-IDs, no duplicate inbound records, 200 receipts)."""
    count = 200
    watch(deployment, dovecot, "vanthu")
    deployment.start()
    wait_watching(deployment, "vanthu")
    client = dovecot.client("vanthu")
    # each its own document: one document sent twice is a duplicate by law
    messages = [mail(n, numbered_document_pdf(n)) for n in range(1, count + 1)]

    started = time.monotonic()
    for raw in messages:
        client.append("INBOX", raw)
    # A wait, not a speed check (bench/imap.py measures): 8 s alone, past 60 s once when
    # the suite's other workers were running OCR and the browser on the same two cores.
    try:
        wait_until(lambda: len(folder_uids(client, PROCESSED)) == count, 300.0, "all moves", 0.2)
    except AssertionError as timeout:  # say where they stopped: a stall is not a slow run
        moved, waiting = len(folder_uids(client, PROCESSED)), len(folder_uids(client, "INBOX"))
        entries = len(registered_message_ids(deployment))
        raise AssertionError(
            f"{timeout}: {moved} moved, {waiting} still in INBOX, {entries} registered;"
            f" gateway log tail:\n{deployment.log_text()[-6000:]}"
        ) from timeout
    elapsed = time.monotonic() - started

    assert folder_uids(client, "INBOX") == []
    expected = sorted(f"<cv{n}@vp.rachgia.example.gov.vn>" for n in range(1, count + 1))
    assert registered_message_ids(deployment) == expected
    outcomes = [m["outcome"] for m in deployment.cli_json("inbound", "list")]
    assert outcomes == ["accepted"] * count
    assert len(deployment.wait_for_outbox(count, timeout=20)) == count
    print(f"burst: {count} messages in {elapsed:.1f}s = {count / elapsed:.1f} msg/s")


def test_wrong_password_is_reported_and_other_account_goes_on(
    dovecot: Dovecot, deployment: GatewayProcess, signed_pdf: bytes
) -> None:
    """GIVEN two accounts, one with a wrong password
    WHEN the gateway runs and a message reaches the good account
    THEN the good account's message is registered and moved; `gateway status` shows the
    bad account failing with a login error; the administrator gets exactly one alert
    (Auto-Submitted: auto-generated) however often the login is retried; the password
    appears nowhere in the log or the status."""
    watch(deployment, dovecot, "vanthu")
    wrong = "not-the-password-42"
    secret = deployment.root / "khac.password"
    secret.write_text(wrong)
    deployment.add_config(account_toml(dovecot, "khac", secret))
    deployment.start()
    wait_watching(deployment, "vanthu")
    client = dovecot.client("vanthu")
    client.append("INBOX", mail(7, signed_pdf))
    wait_until(lambda: len(folder_uids(client, PROCESSED)) == 1, 5.0, "the good account's move")
    wait_until(lambda: account_state(deployment, "khac") == "failing", 10.0, "bad account")
    time.sleep(4.0)  # several login retries (backoff 1, 2, 4 s)

    status = deployment.cli("status", "--json")
    assert status.returncode == 0
    accounts = {a["name"]: a for a in json.loads(status.stdout)["imap"]}
    assert accounts["vanthu"]["state"] == "ok"
    assert accounts["khac"]["state"] == "failing"
    assert "login" in accounts["khac"]["error"].lower()
    human = deployment.cli("status").stdout
    assert "khac" in human and "failing" in human
    alerts = [m for m in deployment.wait_for_outbox(2) if m["To"] == ADMIN]
    assert len(alerts) == 1
    assert alerts[0]["Auto-Submitted"] == "auto-generated"
    assert "khac" in str(alerts[0]["Subject"])
    assert registered_message_ids(deployment) == ["<cv7@vp.rachgia.example.gov.vn>"]
    for text in (deployment.log_text(), status.stdout, human, alerts[0].as_string()):
        assert wrong not in text
        assert dovecot.users["vanthu"] not in text
