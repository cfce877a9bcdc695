"""The outgoing relay down for a while (R-CHANNEL): refusing connections, then
answering 451, then accepting. Every receipt is delivered afterwards, exactly once, and
``gateway outbox list`` shows in between what waits and why."""

from __future__ import annotations

import smtplib
import time
from collections import Counter
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import SinkRelay, free_port

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
MESSAGES = 5
# The relay answers 451 until every receipt has been seen waiting on it; then it accepts.
# (A fixed number of 451s left too short a window to observe: flaky.)
TEMPFAILS = 10_000

pytestmark = pytest.mark.slow


def wait_until(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def test_receipts_wait_through_a_relay_outage_and_go_out_once(tmp_path: Path, pki: TestPki) -> None:
    """GIVEN a relay that refuses connections WHEN documents arrive THEN their receipts wait
    (outbox list: pending, the connection error); WHEN the relay answers 451 THEN they still
    wait with that answer; WHEN it accepts THEN each receipt arrives exactly once."""
    relay = SinkRelay(port=free_port())  # not started: connections are refused
    gateway = GatewayProcess(
        tmp_path / "deploy",
        pki.root_pem(),
        env={
            "GATEWAY_OUTGOING__RELAY": relay.url,
            "GATEWAY_OUTGOING__RETRY_BASE_SECONDS": "0.2",
            "GATEWAY_OUTGOING__RETRY_MAX_SECONDS": "0.5",
            "GATEWAY_OUTGOING__MAX_ATTEMPTS": "1000",
        },
    ).start()
    ids = [f"<outage-{n}@vp.rachgia.example.gov.vn>" for n in range(MESSAGES)]
    try:
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=10) as client:
            for n, message_id in enumerate(ids):
                raw = official_mail(
                    sender=AGENCY,
                    subject=f"Công văn số {n}/UBND-VP",
                    message_id=message_id,
                    # each its own document: one document sent twice is a duplicate by law
                    attachments=[(f"cv-{n}.pdf", numbered_signed_pdf(n, pki), "application/pdf")],
                )
                client.sendmail(AGENCY, [GATEWAY], raw)

        def waiting(error: str) -> Callable[[], list[dict[str, Any]]]:
            def check() -> list[dict[str, Any]]:
                rows: list[dict[str, Any]] = [
                    r for r in gateway.cli_json("outbox", "list") if r["kind"] == "receipt"
                ]
                ok = len(rows) == MESSAGES and all(
                    r["status"] == "pending"
                    and error in r["last_error"].lower()
                    and r["attempts"] >= 1
                    for r in rows
                )
                return rows if ok else []

            return check

        refused = wait_until(
            "receipts waiting on a refused connection", waiting("connectionrefused")
        )
        print(f"relay down: {len(refused)} waiting, e.g. {refused[0]['last_error']!r}")
        relay.replies.extend(["451 4.3.0 try again later"] * TEMPFAILS)
        relay.start()
        try:
            tempfailed = wait_until("receipts waiting on 451", waiting("try again later"))
            print(f"relay 451: {len(tempfailed)} waiting, e.g. {tempfailed[0]['last_error']!r}")
            tempfails_met = TEMPFAILS - len(relay.replies)
            relay.replies.clear()  # the relay is back
            delivered = relay.wait_for(2 * MESSAGES, timeout=30)  # receipts + routed copies
            time.sleep(1.0)  # anything delivered twice would arrive now
            delivered = relay.messages
            rows = gateway.cli_json("outbox", "list")
        finally:
            relay.stop()
        assert gateway.terminate() == 0
    finally:
        gateway.stop()
        relay.stop()

    answers = [message_from_bytes(m.raw) for m in delivered]
    received = Counter(a["In-Reply-To"] for a in answers if a["Auto-Submitted"] == "auto-replied")
    print(
        f"relay outage: {MESSAGES} receipts, {tempfails_met} 451 answers met, "
        f"{sum(received.values())} delivered, "
        f"{sum(1 for n in received.values() if n > 1)} duplicated"
    )
    assert received == Counter(ids)
    assert {r["status"] for r in rows} == {"sent"}
    assert tempfails_met >= MESSAGES  # every receipt met a 451 before it went out
