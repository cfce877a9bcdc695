"""Two gateway instances, one PostgreSQL, no shared disk (DESIGN §3).

Real processes: two ``gateway serve`` with separate data folders share only the database;
both take SMTP; one is killed with SIGKILL in the middle of a stream of signed documents
and started again later. Every message answered 250 is registered once and answered once,
the incoming numbers are gap-free, and the console of the instance that did NOT receive a
document serves its file byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL_VARIABLE, REQUIRE_POSTGRES_VARIABLE
from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.scratch_database import scratch_database
from tests.support.sink import SinkRelay, free_port

pytestmark = pytest.mark.slow

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
PASSWORD = "mat-khau-hai-may-chu-1"
DOCUMENTS = 12
KILL_AFTER = 5  # documents sent to both before instance A is killed


@pytest.fixture
def shared_database() -> Iterator[str]:
    server = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not server:
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE):
            pytest.fail(f"{REQUIRE_POSTGRES_VARIABLE} is set but {POSTGRES_URL_VARIABLE} is empty")
        pytest.skip(f"two instances need PostgreSQL ({POSTGRES_URL_VARIABLE})")
    with scratch_database(server, "gw_two") as url:
        yield url


def _instance(root: Path, pki: TestPki, database_url: str, relay: str) -> GatewayProcess:
    return GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_GATEWAY__DATABASE_URL": database_url,
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__WORKERS": "1",
            "GATEWAY_OUTGOING__RELAY": relay,
            "GATEWAY_WEB__LISTEN": f"127.0.0.1:{free_port()}",
        },
    )


def _mail(number: int, pki: TestPki) -> tuple[str, bytes, bytes]:
    pdf = numbered_signed_pdf(100 + number, pki)
    message_id = f"<two-{number}@vp.rachgia.example.gov.vn>"
    raw = official_mail(
        sender=AGENCY,
        message_id=message_id,
        attachments=[(f"{100 + number}-UBND-VP.pdf", pdf, "application/pdf")],
    )
    return message_id, raw, pdf


def _send(port: int, raw: bytes) -> bool:
    """True when the instance answered 250 (it then owes the message an answer)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail(AGENCY, [GATEWAY], raw)
    except (OSError, smtplib.SMTPException):
        return False
    return True


def _answers(sink: SinkRelay) -> Counter[str]:
    """In-Reply-To → number of distinct answers (receipts, rejections) the relay received.
    The same Message-ID delivered twice is one answer (at-least-once delivery, §4.4)."""
    seen: dict[str, str] = {}
    for message in sink.messages:
        mail = BytesParser(policy=policy.default).parsebytes(message.raw)
        if str(mail["Message-ID"]).startswith(("<receipt.", "<rejection.")):
            seen[str(mail["Message-ID"])] = str(mail["In-Reply-To"])
    return Counter(seen.values())


def _console_login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None, form.text
    answer = client.post(
        "/login", data={"username": "vanthu", "password": PASSWORD, "csrf_token": token[1]}
    )
    assert answer.status_code == 303, answer.text
    return client


def test_two_instances_one_killed_every_message_registered_and_answered_once(
    tmp_path: Path, pki: TestPki, shared_database: str
) -> None:
    """GIVEN two instances on one PostgreSQL with separate data folders
    WHEN signed documents stream to both and instance A is SIGKILLed midway, then restarted
    THEN every message answered 250 is registered exactly once and answered exactly once,
    the incoming numbers are 1..N without a gap, and instance B's console serves each
    document received by A byte for byte."""
    with SinkRelay() as sink:
        a = _instance(tmp_path / "a", pki, shared_database, sink.url)
        b = _instance(tmp_path / "b", pki, shared_database, sink.url)
        b.add_user("vanthu", "clerk", PASSWORD)
        a.start(timeout=120)
        b.start(timeout=120)
        try:
            accepted: dict[str, bytes] = {}  # Message-ID → the signed PDF it carried
            received_by_a: set[str] = set()
            for number in range(DOCUMENTS):
                message_id, raw, pdf = _mail(number, pki)
                to_a = number % 2 == 0 and number < KILL_AFTER
                if _send(a.port if to_a else b.port, raw):
                    accepted[message_id] = pdf
                    if to_a:
                        received_by_a.add(message_id)
                if number == KILL_AFTER - 1:
                    a.kill9()  # whatever A had answered 250 for waits in A's spool
            time.sleep(2)
            a.start(timeout=120)  # A comes back and processes its spool

            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                inbound = b.cli_json("inbound", "list")
                answered = _answers(sink)
                if len(inbound) >= len(accepted) and len(answered) >= len(accepted):
                    break
                time.sleep(1)
            inbound = b.cli_json("inbound", "list")
            ids = Counter(row["message_id"] for row in inbound)
            assert ids == Counter(list(accepted)), a.log_text() + b.log_text()
            assert {row["outcome"] for row in inbound} == {"accepted"}, inbound

            entries = b.cli_json("register", "list")
            assert sorted(e["incoming_number"] for e in entries) == list(
                range(1, len(accepted) + 1)
            )
            assert _answers(sink) == Counter(dict.fromkeys(accepted, 1))
            assert received_by_a, "the stream must have reached instance A before the kill"

            by_message = {e["message_id"]: e for e in entries}
            with closing(_console_login(f"http://{b.env['GATEWAY_WEB__LISTEN']}")) as client:
                for message_id in received_by_a:
                    entry = by_message[message_id]
                    page = client.get(f"/register/{entry['year']}/{entry['incoming_number']}")
                    assert page.status_code == 200, page.text
                    link = re.search(r'href="(/register/\d+/\d+/attachments/\d+)"', page.text)
                    assert link is not None, page.text
                    served = client.get(link[1])
                    assert served.status_code == 200
                    assert (
                        hashlib.sha256(served.content).digest()
                        == hashlib.sha256(accepted[message_id]).digest()
                    )

            status = b.cli_json("status")
            names = {i["name"] for i in status["instances"]}
            assert len(names) == 2 and all(i["state"] == "alive" for i in status["instances"])
        finally:
            a.stop()
            b.stop()
