"""The gateway end to end: a real `gateway serve` process, spoken to over SMTP with smtplib.

Each test starts its own deployment (``gateway init``) with the test PKI's root trusted,
and reads results the way a user does: ``gateway register list --json``, ``gateway inbound
list --json`` and the receipts in var/outbox (maildir).
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import flip_byte_in_signed_range
from tests.support.sink import free_port

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.slow


def send(port: int, raw: bytes, sender: str = AGENCY, to: str = GATEWAY) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("agency.example.gov.vn")
        client.mail(sender)
        code, reply = client.rcpt(to)
        assert code == 250, reply
        return client.data(raw)


def mail_with(pdf: bytes, message_id: str, subject: str | None = None) -> bytes:
    extra = {"subject": subject} if subject else {}
    return official_mail(
        sender=AGENCY,
        message_id=message_id,
        attachments=[("54-UBND-VP.pdf", pdf, "application/pdf")],
        **extra,  # type: ignore[arg-type]
    )


def test_signed_document_is_registered_and_receipted(
    gateway: GatewayProcess, signed_pdf: bytes
) -> None:
    """GIVEN a running gateway and a directory agency
    WHEN the agency mails a signed công văn over SMTP
    THEN 250 names the queue id, the register holds it as YEAR/1 with its fields, and the
    receipt (03, X-Incoming-Number) is in var/outbox within 5 seconds."""
    code, reply = send(gateway.port, mail_with(signed_pdf, "<cv54@vp.rachgia.example.gov.vn>"))
    assert code == 250
    assert b"queued as" in reply
    year = datetime.now(ZONE).year

    receipts = gateway.wait_for_outbox(1, timeout=5.0)
    assert len(receipts) == 1, gateway.log_text()
    receipt = receipts[0]
    assert receipt["X-Document-Status"] == "03"
    assert receipt["X-Incoming-Number"] == f"{year}/1"
    assert receipt["To"] == AGENCY
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == "<cv54@vp.rachgia.example.gov.vn>"
    assert str(receipt["Subject"]).startswith("Biên nhận: Công văn số 54/UBND-VP")

    [entry] = gateway.cli_json("register", "list")
    assert (entry["year"], entry["incoming_number"]) == (year, 1)
    assert entry["document_number"] == "54/UBND-VP"
    assert entry["issued_on"] == "2026-11-20"
    assert entry["document_type"] == "Công văn"
    assert entry["summary"] == "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    assert entry["sender_agency"]["code"] == "VP"
    assert entry["reference_only"] is False
    assert [s["verdict"] for s in entry["signatures"]] == ["valid", "valid"]
    assert entry["received_at"].endswith("+07:00")
    assert entry["status"] == "assigned"  # the sample rules.yaml: everything to VP
    assert [(a["unit"], a["role"]) for a in entry["assignments"]] == [("VP", "lead")]

    shown = gateway.cli_json("register", "show", f"{year}/1")
    assert shown == entry


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("no-document", "no-document"),
        ("malformed", "malformed-message"),
        ("unknown-sender", "unknown-sender"),
        ("tampered", "signature-invalid"),
    ],
)
def test_bad_input_gets_a_rejection_with_its_reason(
    gateway: GatewayProcess, signed_pdf: bytes, name: str, reason: str
) -> None:
    """GIVEN a running gateway WHEN a message it cannot accept arrives
    THEN the sender gets one rejection (02) naming the reason, the inbound log records it,
    and no incoming number is used."""
    sender = AGENCY
    if name == "no-document":
        raw = official_mail(sender=AGENCY, message_id="<nodoc@vp>")
    elif name == "malformed":
        raw = b"this is not an e-mail message at all\r\n"
    elif name == "unknown-sender":
        sender = "someone@unknown.example.com"
        raw = official_mail(
            sender=sender,
            message_id="<unknown@x>",
            attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        )
    else:
        raw = mail_with(flip_byte_in_signed_range(signed_pdf), "<tampered@vp>")
    code, _ = send(gateway.port, raw, sender=sender)
    assert code == 250
    if name == "unknown-sender":  # outside the directory, unauthenticated: no backscatter
        _assert_rejection_withheld(gateway, reason)
        return

    [rejection] = gateway.wait_for_outbox(1)
    assert rejection["X-Document-Status"] == "02"
    assert rejection["X-Reject-Reasons"] == reason
    assert rejection["To"] == sender
    assert rejection["X-Incoming-Number"] is None
    assert str(rejection["Subject"]).startswith("Từ chối tiếp nhận")

    [inbound] = gateway.cli_json("inbound", "list")
    assert inbound["outcome"] == "rejected"
    assert inbound["reasons"] == [reason]
    assert inbound["entries"] == []
    assert gateway.cli_json("register", "list") == []


def _assert_rejection_withheld(gateway: GatewayProcess, reason: str) -> None:
    """The rejection of an unauthenticated stranger is recorded, never mailed (R-CHANNEL)."""
    deadline = time.monotonic() + 10
    inbound: list[dict[str, object]] = []
    while not inbound and time.monotonic() < deadline:
        inbound = gateway.cli_json("inbound", "list")
        time.sleep(0.2)
    [record] = inbound
    assert (record["outcome"], record["reasons"]) == ("rejected", [reason])
    assert record["answered"] is False
    assert "no backscatter" in str(record["note"])
    # Tests run with [auth] resolver = "off": nothing was checked, so nothing authenticated
    # the stranger's domain (DKIM/SPF/DMARC themselves are tested with the fake resolver).
    assert record["sender_auth"] == {}
    time.sleep(0.5)
    assert gateway.outbox() == []


def test_recipient_policy_and_size_limit_at_the_smtp_level(tmp_path: Path, pki: TestPki) -> None:
    """GIVEN a gateway limited to 64 KiB WHEN a foreign recipient is given / a larger
    message is sent THEN 550 5.1.1 at RCPT (never an open relay) / 552 5.3.4."""
    process = GatewayProcess(
        tmp_path / "deploy", pki.root_pem(), env={"GATEWAY_SMTP__MAX_MESSAGE_BYTES": "65536"}
    ).start()
    try:
        with smtplib.SMTP("127.0.0.1", process.port, timeout=30) as client:
            client.ehlo("agency.example.gov.vn")
            client.mail(AGENCY)
            code, reply = client.rcpt("someone@elsewhere.example.com")
            assert (code, reply[:5]) == (550, b"5.1.1")
            assert client.rcpt("vanthu+reply-token@example.gov.vn")[0] == 250
            code, reply = client.data(
                b"Subject: big\r\n\r\n" + b"x" * 200 + (b"\r\n" + b"y" * 900) * 100
            )
            assert (code, reply[:5]) == (552, b"5.3.4")
    finally:
        process.stop()


def test_kill_9_right_after_250_ends_with_one_entry_and_one_answer(
    tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a gateway that acknowledged messages with 250
    WHEN it is killed with SIGKILL at once, then started again
    THEN each message is registered exactly once and answered exactly once."""
    process = GatewayProcess(tmp_path / "deploy", pki.root_pem()).start()
    try:
        messages = [  # each its own document: one document sent twice is a duplicate by law
            mail_with(
                numbered_signed_pdf(n, pki),
                f"<crash-{n}@vp>",
                subject=f"Công văn số {n}/UBND-VP V/v thử {n}",
            )
            for n in range(4)
        ]
        with smtplib.SMTP("127.0.0.1", process.port, timeout=30) as client:
            for raw in messages:
                client.sendmail(AGENCY, [GATEWAY], raw)
            process.kill9()
        process.start()
        answers = process.wait_for_outbox(4, timeout=20)
        assert len(answers) == 4, process.log_text()
        # Give a duplicate the chance to appear before counting.
        assert process.terminate() == 0
        answers = process.outbox()
        assert sorted(a["In-Reply-To"] for a in answers) == sorted(
            f"<crash-{n}@vp>" for n in range(4)
        )
        entries = process.cli_json("register", "list")
        assert sorted(e["message_id"] for e in entries) == sorted(
            f"<crash-{n}@vp>" for n in range(4)
        )
        assert sorted(e["incoming_number"] for e in entries) == [1, 2, 3, 4]
        assert len(process.cli_json("inbound", "list")) == 4
    finally:
        process.stop()


def test_sigterm_stops_cleanly_and_a_redelivered_message_gets_no_second_answer(
    gateway: GatewayProcess, signed_pdf: bytes
) -> None:
    """GIVEN a registered message WHEN the very same message is delivered again
    THEN it is recorded as a duplicate with no new number and no second answer;
    and SIGTERM makes the gateway exit 0."""
    raw = mail_with(signed_pdf, "<same@vp>")
    send(gateway.port, raw)
    assert len(gateway.wait_for_outbox(1)) == 1
    send(gateway.port, raw)
    deadline = datetime.now().timestamp() + 10
    while datetime.now().timestamp() < deadline:
        inbound = gateway.cli_json("inbound", "list")
        if len(inbound) == 2:
            break
    assert [m["outcome"] for m in inbound] == ["accepted", "duplicate"]
    assert inbound[1]["entries"] == inbound[0]["entries"]
    assert gateway.terminate() == 0
    assert len(gateway.outbox()) == 1
    assert len(gateway.outbox(routed=True)) == 2  # and one routed copy, not a second one
    assert len(gateway.cli_json("register", "list")) == 1


def test_signed_pdf_fixture_is_the_expected_document(signed_pdf: bytes) -> None:
    """GIVEN the shared signed fixture THEN it really is a PDF with two signatures' worth of
    incremental updates (guards the other tests against a silently broken fixture)."""
    assert signed_pdf.startswith(b"%PDF-")
    assert signed_pdf.count(b"%%EOF") >= 3
    assert official_document_pdf(issued_on=date(2026, 11, 20)).startswith(b"%PDF-")


def test_serve_without_any_config_runs_on_the_embedded_defaults(
    tmp_path: Path, signed_pdf: bytes
) -> None:
    """GIVEN an empty folder and no gateway.toml WHEN `gateway serve` starts there
    THEN it uses ./var, SQLite and the ./var/outbox maildir, with the sample directory:
    a directory agency's message is answered (no trust roots: the signature is untrusted,
    said loudly at start)."""
    port = free_port()
    env = {**os.environ, "GATEWAY_SMTP__LISTEN": f"127.0.0.1:{port}"}
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
        send(port, mail_with(signed_pdf, "<default@vp>"))
        deadline = time.monotonic() + 10
        while not list((tmp_path / "var" / "outbox" / "new").glob("*")):
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert (tmp_path / "var" / "gateway.db").is_file()
    [answer] = (tmp_path / "var" / "outbox" / "new").iterdir()
    assert b"X-Reject-Reasons: signature-untrusted" in answer.read_bytes()
    log_text = log_path.read_text()
    assert "NO TRUST ROOTS" in log_text and "virus scanning is OFF" in log_text


def test_demo_mails_itself_the_signed_sample_and_receipts_it(tmp_path: Path) -> None:
    """GIVEN nothing set up WHEN `gateway demo DIR` runs THEN the shipped signed sample is
    registered as number 1 with valid signatures (the demo CA is trusted), its receipt is in
    the demo's outbox, the output says where to look, and SIGTERM ends it with exit 0."""
    target = tmp_path / "demo"
    out_path = tmp_path / "demo.out"
    with out_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "demo", str(target)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Nhấn Ctrl-C để dừng" not in out_path.read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, out_path.read_text()
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    output = out_path.read_text(encoding="utf-8")
    assert f"gateway register list -c {target / 'gateway.toml'}" in output
    assert "Biên nhận đã được gửi" in output
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "register",
            "list",
            "--json",
            "-c",
            str(target / "gateway.toml"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    [entry] = json.loads(listing.stdout)
    assert entry["incoming_number"] == 1
    assert entry["document_number"] == "54/UBND-VP"
    assert [s["verdict"] for s in entry["signatures"]] == ["valid", "valid"]
