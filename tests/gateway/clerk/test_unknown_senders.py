"""A department outside the directory on a real agency's first day (DESIGN §4.9): held for a
clerk, accepted and added to the directory in one step, then received like any agency.

A real ``gateway serve`` process over SMTP; the clerk's step is ``gateway held release ID
--add-sender CODE --name NAME`` from a shell, as the console's form does the same call.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

DEPARTMENT = "vanthu@snv.kiengiang.gov.vn"  # a Sở: under gov.vn, not in the sample directory
CODE = "000.00.31.H33"
GATEWAY = "vanthu@example.gov.vn"


@pytest.fixture
def gateway(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    process = GatewayProcess(tmp_path / "deploy", pki.root_pem()).start(timeout=120)
    try:
        yield process
    finally:
        process.stop()


def send(gateway: GatewayProcess, sender: str, pdf: bytes, message_id: str) -> None:
    raw = official_mail(
        sender=sender,
        message_id=message_id,
        attachments=[("cv.pdf", pdf, "application/pdf")],
    )
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(sender, [GATEWAY], raw)


def wait_until(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def inbound(gateway: GatewayProcess) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = gateway.cli_json("inbound", "list")
    return rows


def test_a_department_is_held_accepted_with_one_action_then_goes_straight_through(
    gateway: GatewayProcess, pki: TestPki
) -> None:
    """GIVEN a running gateway with the default policy (review, gov.vn)
    WHEN a Sở outside the directory sends a signed document
    THEN it is held unknown-sender, without number or answer;
    WHEN the clerk accepts it adding the sender to the directory (one command)
    THEN it is registered under the new code and receipted (03);
    WHEN the Sở sends its next document THEN it is registered at once, never held;
    and a stranger outside gov.vn is refused, not held."""
    send(gateway, DEPARTMENT, numbered_signed_pdf(7, pki), "<cv7@snv.kiengiang.gov.vn>")
    rows = wait_until(lambda: inbound(gateway), lambda r: bool(r) and r[0]["outcome"] == "held")
    assert [(r["outcome"], r["reasons"]) for r in rows] == [("held", ["unknown-sender"])]
    assert gateway.outbox() == []
    [held] = gateway.cli_json("held", "list")

    accepted = gateway.cli(
        "held",
        "release",
        str(held["id"]),
        "--add-sender",
        CODE,
        "--name",
        "Sở Nội vụ tỉnh Kiên Giang",
    )
    assert accepted.returncode == 0, accepted.stderr
    assert f"mã {CODE}" in accepted.stdout

    [receipt] = gateway.wait_for_outbox(1, timeout=30.0)
    assert (receipt["X-Document-Status"], receipt["To"]) == ("03", DEPARTMENT)
    [entry] = gateway.cli_json("register", "list")
    assert entry["sender_agency"] == {"code": CODE, "name": "Sở Nội vụ tỉnh Kiên Giang"}
    listed = {a["code"]: a for a in gateway.cli_json("directory", "list")}
    assert listed[CODE]["addresses"] == [DEPARTMENT]
    assert listed[CODE]["source"] == "database"

    send(gateway, DEPARTMENT, numbered_signed_pdf(8, pki), "<cv8@snv.kiengiang.gov.vn>")
    receipts = gateway.wait_for_outbox(2, timeout=30.0)
    assert [r["X-Document-Status"] for r in receipts] == ["03", "03"], gateway.log_text()
    assert len(gateway.cli_json("register", "list")) == 2
    assert gateway.cli_json("held", "list") == []

    send(gateway, "ai.do@elsewhere.example.com", numbered_signed_pdf(9, pki), "<x@example.com>")
    rows = wait_until(lambda: inbound(gateway), lambda r: len(r) >= 3)
    stranger = next(r for r in rows if r["sender_address"] == "ai.do@elsewhere.example.com")
    assert (stranger["outcome"], stranger["reasons"]) == ("rejected", ["unknown-sender"])


def test_the_clerk_can_refuse_a_held_unknown_sender(gateway: GatewayProcess, pki: TestPki) -> None:
    """GIVEN a held document of an unknown Sở WHEN the clerk refuses it THEN the sender gets
    a rejection (02) naming unknown-sender, and the directory is unchanged."""
    send(gateway, DEPARTMENT, numbered_signed_pdf(7, pki), "<cv7@snv.kiengiang.gov.vn>")
    wait_until(lambda: gateway.cli_json("held", "list"), bool)
    [held] = gateway.cli_json("held", "list")
    refused = gateway.cli("held", "reject", str(held["id"]), "--reason", "unknown-sender")
    assert refused.returncode == 0, refused.stderr
    [answer] = gateway.wait_for_outbox(1, timeout=30.0)
    assert (answer["X-Document-Status"], answer["X-Reject-Reasons"]) == ("02", "unknown-sender")
    assert CODE not in {a["code"] for a in gateway.cli_json("directory", "list")}
