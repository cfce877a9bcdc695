"""A recipient that never answers, end to end (R-DELIVERY, DESIGN §4.7): a running city
gateway issues over SMTP to a relay that takes the mail and nothing ever comes back; its
own clock sends ONE reminder after ``[outgoing] confirm_within`` working hours, then marks
the delivery overdue and tells the clerk — once each, as the relay sees it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.gateway.issuing.conftest import CITY, UNIT, city_document
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki
from tests.support.sink import SinkRelay

pytestmark = pytest.mark.slow

CONFIRM_WITHIN_HOURS = 0.002  # 7.2 s of working time
ROUND_THE_CLOCK = {  # every hour of every day a working hour: the test runs at any time
    "GATEWAY_OFFICE_HOURS__SESSIONS": json.dumps(["00:00-23:59"]),
    "GATEWAY_OFFICE_HOURS__WEEKDAYS": json.dumps([1, 2, 3, 4, 5, 6, 7]),
}


@pytest.fixture
def relay() -> Iterator[SinkRelay]:
    sink = SinkRelay().start()
    try:
        yield sink
    finally:
        sink.stop()


def _mails(relay: SinkRelay) -> list[EmailMessage]:
    parsed = [BytesParser(policy=policy.default).parsebytes(m.raw) for m in relay.messages]
    return [m for m in parsed if isinstance(m, EmailMessage)]


def _wait(relay: SinkRelay, count: int, timeout: float = 90.0) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while len(found := _mails(relay)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_r_delivery_silence_brings_one_reminder_then_overdue_and_the_clerk_told(
    tmp_path: Path, pki: TestPki, relay: SinkRelay
) -> None:
    """GIVEN a running city gateway (its clock every second, confirm_within 0.002 working
    hours, office hours round the clock) relaying to a mail system that never answers
    WHEN the clerk runs ``gateway issue cv.pdf --to QLDT``
    THEN the relay gets the document, then ONE reminder to QLDT threaded to it, then ONE
    alert to the city's own mailbox; ``outgoing list --json`` shows QLDT overdue; and no
    further mail follows while the clock keeps running."""
    city = GatewayProcess(
        tmp_path / "city",
        pki.root_pem(),
        env={
            "GATEWAY_OUTGOING__AGENCY": json.dumps(["VP"]),
            "GATEWAY_OUTGOING__FROM_ADDRESS": CITY,
            "GATEWAY_SMTP__ADDRESSES": json.dumps([CITY]),
            "GATEWAY_OUTGOING__RELAY": relay.url,
            "GATEWAY_OUTGOING__CONFIRM_WITHIN": str(CONFIRM_WITHIN_HOURS),
            "GATEWAY_GATEWAY__CLOCK_INTERVAL_SECONDS": "1",
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            **ROUND_THE_CLOCK,
        },
    )
    pdf = tmp_path / "cv-40.pdf"
    pdf.write_bytes(city_document(pki, 40))
    city.start(timeout=120)
    try:
        issued = city.cli("issue", str(pdf), "--to", "QLDT", "--json")
        assert issued.returncode == 0, issued.stderr
        mails = _wait(relay, 3)
        assert len(mails) == 3, (len(mails), city.log_text()[-3000:])
        document, reminder, alert = mails
        assert document["X-Document-Number"] == "40/UBND-VP" and document["To"] == UNIT
        assert reminder["To"] == UNIT
        assert reminder["In-Reply-To"] == document["Message-ID"]
        assert reminder["Subject"] == "Đề nghị xác nhận đã nhận văn bản số 40/UBND-VP"
        assert alert["To"] == CITY and "40/UBND-VP" in str(alert["Subject"])
        [listed] = city.cli_json("outgoing", "list")
        [recipient] = listed["recipients"]
        assert recipient["status"] == "overdue"
        time.sleep(5)  # five more clock rounds
        assert len(_mails(relay)) == 3
    finally:
        city.stop()
