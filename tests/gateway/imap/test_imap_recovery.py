"""IMAP intake when things go wrong: a killed gateway, a dropped connection, a new
UIDVALIDITY — each message must still end registered exactly once and moved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support.documents import numbered_document_pdf
from tests.support.dovecot import Dovecot
from tests.support.gateway_process import GatewayProcess
from tests.support.imap_deploy import (
    PROCESSED,
    folder_uids,
    inbound_count,
    ledger_statuses,
    mail,
    registered_message_ids,
    wait_until,
    wait_watching,
    watch,
)
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow


def start_with_burst(deployment: GatewayProcess, dovecot: Dovecot, count: int) -> IMAPClient:
    """Start the gateway watching vanthu's INBOX, then append ``count`` messages, each with
    its own document (one document sent twice is a duplicate by law, not a second entry)."""
    watch(deployment, dovecot, "vanthu")
    deployment.start()
    wait_watching(deployment, "vanthu")
    client = dovecot.client("vanthu")
    for n in range(1, count + 1):
        client.append("INBOX", mail(n, numbered_document_pdf(n)))
    return client


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot({"vanthu": "s3cret-vanthu"}).start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    process = GatewayProcess(tmp_path / "deploy", pki.root_pem())
    try:
        yield process
    finally:
        process.stop()


def expected_ids(count: int) -> list[str]:
    return sorted(f"<cv{n}@vp.rachgia.example.gov.vn>" for n in range(1, count + 1))


def assert_once_each(deployment: GatewayProcess, count: int) -> None:
    """Registered once, answered once: no duplicate entries, no second receipt."""
    assert registered_message_ids(deployment) == expected_ids(count)
    receipts = deployment.wait_for_outbox(count, timeout=20)
    assert sorted(str(r["In-Reply-To"]) for r in receipts) == expected_ids(count)
    accepted = [m for m in deployment.cli_json("inbound", "list") if m["outcome"] == "accepted"]
    assert len(accepted) == count


def test_killed_between_spool_and_move_then_restarted_registers_once(
    dovecot: Dovecot, deployment: GatewayProcess
) -> None:
    """GIVEN a gateway taking in a burst of 30 messages
    WHEN it is killed with SIGKILL while some are spooled or committed but not yet moved,
    and started again
    THEN every message ends in the processed folder, registered and answered exactly once."""
    count = 30
    client = start_with_burst(deployment, dovecot, count)
    wait_until(lambda: inbound_count(deployment) >= 3, 30.0, "the first commits")
    deployment.kill9()

    at_kill = ledger_statuses(deployment)
    in_window = at_kill.get("spooled", 0) + at_kill.get("committed", 0)
    assert in_window > 0, f"the kill missed the spool→move window: {at_kill}"
    assert len(folder_uids(client, "INBOX")) > 0

    deployment.start()
    wait_until(lambda: len(folder_uids(client, PROCESSED)) == count, 60.0, "all moves", 0.2)
    assert folder_uids(client, "INBOX") == []
    assert_once_each(deployment, count)
    assert ledger_statuses(deployment).get("moved", 0) >= count


def test_connection_dropped_mid_fetch_is_recovered(
    dovecot: Dovecot, deployment: GatewayProcess
) -> None:
    """GIVEN a gateway fetching a burst of 60 messages
    WHEN the Dovecot process serving its session is killed mid-way (and again a moment later)
    THEN the gateway reconnects and every message is registered once and moved."""
    count = 60
    client = start_with_burst(deployment, dovecot, count)
    wait_until(lambda: sum(ledger_statuses(deployment).values()) >= 1, 10.0, "the first fetch")
    assert dovecot.kill_sessions() >= 1
    client = dovecot.client("vanthu")  # ours was dropped too
    time.sleep(1.5)
    dovecot.kill_sessions()
    client = dovecot.client("vanthu")

    wait_until(lambda: len(folder_uids(client, PROCESSED)) == count, 60.0, "all moves", 0.2)
    assert folder_uids(client, "INBOX") == []
    assert_once_each(deployment, count)
    assert "connection lost" in deployment.log_text()


def test_uidvalidity_change_registers_nothing_twice(
    dovecot: Dovecot, deployment: GatewayProcess
) -> None:
    """GIVEN a gateway in flag mode on the folder "Công văn đến", which has registered and
    flagged three messages (they stay in the folder)
    WHEN, the gateway stopped, the folder is deleted and recreated with the same three
    messages (a new UIDVALIDITY) plus one new message, and the gateway is started again
    THEN only the new message is registered; the three old ones are recognised by their
    content and flagged again, not registered or answered twice."""
    folder = "Công văn đến"
    setup = dovecot.client("vanthu")
    setup.create_folder(folder)
    originals = [mail(n, numbered_document_pdf(n)) for n in range(1, 4)]
    for raw in originals:
        setup.append(folder, raw)
    watch(deployment, dovecot, "vanthu", folders=[folder], mode="flag")
    deployment.start()

    def flagged() -> int:
        setup.select_folder(folder, readonly=True)
        return len(setup.search(["KEYWORD", "$GatewayProcessed"]))

    wait_until(lambda: flagged() == 3, 20.0, "three flagged messages")
    old_validity = setup.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]
    setup.unselect_folder()
    assert deployment.terminate() == 0

    setup.delete_folder(folder)
    setup.create_folder(folder)
    for raw in originals:
        setup.append(folder, raw)
    setup.append(folder, mail(4, numbered_document_pdf(4)))
    assert setup.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"] != old_validity
    deployment.start()

    wait_until(lambda: flagged() == 4, 30.0, "all four flagged in the new folder")
    assert registered_message_ids(deployment) == expected_ids(4)
    assert inbound_count(deployment) == 4  # not even a "duplicate" record
    assert_once_each(deployment, 4)
    assert folder_uids(setup, PROCESSED) == []  # flag mode moves nothing
