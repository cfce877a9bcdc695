"""Two instances watching one Dovecot mailbox (DESIGN §3): each message filed once.

Both instances list the same ``[[imap]]`` account; the folder's lease in the shared
PostgreSQL lets one read it at a time, and when that one is killed the other takes the
folder over after the lease runs out.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.gateway.storage.test_two_instances import shared_database  # noqa: F401 - fixture
from tests.support.documents import numbered_signed_pdf
from tests.support.dovecot import HOST, Dovecot
from tests.support.gateway_process import GatewayProcess
from tests.support.imap_deploy import PROCESSED, folder_uids, wait_until, watch
from tests.support.messages import official_mail
from tests.support.pki import TestPki

# A socket another test on this worker left for the garbage collector may be reported
# while this long test runs; it says nothing about this test's instances.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

AGENCY = "vanthu@vp.rachgia.example.gov.vn"


def _instance(root: Path, pki: TestPki, database_url: str, dovecot: Dovecot) -> GatewayProcess:
    instance = GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_GATEWAY__DATABASE_URL": database_url,
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__WORKERS": "1",
        },
    )
    watch(instance, dovecot, "vanthu", processed_folder=PROCESSED)
    return instance


def _mail(number: int, pki: TestPki) -> bytes:
    return official_mail(
        sender=AGENCY,
        message_id=f"<imap-two-{number}@vp.rachgia.example.gov.vn>",
        attachments=[
            (f"{200 + number}.pdf", numbered_signed_pdf(200 + number, pki), "application/pdf")
        ],
    )


def _session(dovecot: Dovecot) -> IMAPClient:
    """A short session of the test's own (closed by ``with``), none left open for long."""
    client = IMAPClient(HOST, port=dovecot.port, ssl=False, timeout=30)
    client.login("vanthu", dovecot.users["vanthu"])
    return client


def _append(dovecot: Dovecot, raw: bytes) -> None:
    with _session(dovecot) as client:
        client.append("INBOX", raw)


def _uids(dovecot: Dovecot, folder: str) -> list[int]:
    with _session(dovecot) as client:
        return folder_uids(client, folder)


def test_one_mailbox_two_instances_each_message_registered_once(
    tmp_path: Path,
    pki: TestPki,
    shared_database: str,  # noqa: F811 - the fixture imported above
) -> None:
    """GIVEN two instances on one PostgreSQL watching the same Dovecot INBOX
    WHEN messages arrive, the instance reading the folder is killed, and more arrive
    THEN every message is registered exactly once and moved to the processed folder."""
    dovecot = Dovecot({"vanthu": "s3cret-vanthu"}).start()
    a = _instance(tmp_path / "a", pki, shared_database, dovecot)
    b = _instance(tmp_path / "b", pki, shared_database, dovecot)
    try:
        a.start(timeout=120)
        b.start(timeout=120)
        for number in range(4):
            _append(dovecot, _mail(number, pki))
        try:
            wait_until(lambda: len(b.cli_json("inbound", "list")) >= 4, 180, "the first four")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{a.log_text()}\n{b.log_text()}") from exc
        polling = "IMAP vanthu/INBOX: watching (UIDVALIDITY"
        assert (polling in a.log_text()) != (polling in b.log_text()), "one reader at a time"
        reader, other = (a, b) if polling in a.log_text() else (b, a)
        reader.kill9()  # its lease runs out; the other instance takes the folder over
        for number in range(4, 7):
            _append(dovecot, _mail(number, pki))
        wait_until(lambda: len(other.cli_json("inbound", "list")) >= 7, 240, "all seven")
        time.sleep(3)  # a duplicate, if any, would arrive now

        assert polling in other.log_text(), "the other instance took the folder over"
        inbound = other.cli_json("inbound", "list")
        ids = Counter(row["message_id"] for row in inbound)
        expected = {f"<imap-two-{n}@vp.rachgia.example.gov.vn>" for n in range(7)}
        assert ids == Counter(dict.fromkeys(expected, 1)), a.log_text() + b.log_text()
        assert {row["outcome"] for row in inbound} == {"accepted"}
        entries = other.cli_json("register", "list")
        assert sorted(e["incoming_number"] for e in entries) == list(range(1, 8))
        wait_until(lambda: len(_uids(dovecot, PROCESSED)) == 7, 120, "the moves")
        assert _uids(dovecot, "INBOX") == []
    finally:
        a.stop()
        b.stop()
        dovecot.cleanup()
