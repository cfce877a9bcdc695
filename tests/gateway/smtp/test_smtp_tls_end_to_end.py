"""A real `gateway serve` taking a signed công văn over implicit-TLS submission with AUTH.

The users file is written with `gateway smtp-user add`, the certificate by trustme; the
document must come out registered and receipted exactly as over plain SMTP.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import free_port
from tests.support.smtp_tls import client_context, write_server_files

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
USER, PASSWORD = "vanphong", "Mat-khau-Gui-1"

pytestmark = pytest.mark.slow


@pytest.fixture
def tls_gateway(tmp_path: Path, pki: TestPki) -> Iterator[tuple[GatewayProcess, int, trustme.CA]]:
    ca = trustme.CA()
    submission_port = free_port()
    process = GatewayProcess(
        tmp_path / "deploy",
        pki.root_pem(),
        env={
            "GATEWAY_SMTP__SUBMISSION_LISTEN": f"127.0.0.1:{submission_port}",
            "GATEWAY_SMTP__TLS_CERT": "tls/cert.pem",
            "GATEWAY_SMTP__TLS_KEY": "tls/key.pem",
            "GATEWAY_SMTP__AUTH_USERS_FILE": "smtp-users",
            "GATEWAY_LIMITS__LIMIT_LOOPBACK": "true",
        },
    )
    write_server_files(ca, process.root / "tls")
    secret = process.root / "password.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    added = process.cli("smtp-user", "add", USER, "--password-file", str(secret))
    assert added.returncode == 0, added.stderr
    process.start()  # waits for the public port; submission is started before it
    try:
        yield process, submission_port, ca
    finally:
        process.stop()


def test_signed_document_over_implicit_tls_submission_is_registered_and_receipted(
    tls_gateway: tuple[GatewayProcess, int, trustme.CA], signed_pdf: bytes
) -> None:
    """GIVEN `gateway serve` with submission_listen (implicit TLS), a trustme certificate and
    a user added with `gateway smtp-user add`
    WHEN the agency logs in and mails a signed công văn; and a relay probe follows
    THEN 250 queued, the register holds the document, the receipt is in var/outbox, and
    the foreign recipient got 550 5.1.1 although the session was authenticated."""
    process, port, ca = tls_gateway
    raw = official_mail(
        sender=AGENCY,
        message_id="<tls-submission@vp.rachgia.example.gov.vn>",
        attachments=[("54-UBND-VP.pdf", signed_pdf, "application/pdf")],
    )
    with smtplib.SMTP_SSL("127.0.0.1", port, context=client_context(ca), timeout=30) as client:
        client.ehlo("agency.example.gov.vn")
        client.login(USER, PASSWORD)
        client.mail(AGENCY)
        assert client.rcpt("victim@elsewhere.example.com") == (
            550,
            b"5.1.1 No such recipient here",
        )
        assert client.rcpt(GATEWAY)[0] == 250
        code, reply = client.data(raw)
    assert code == 250, reply
    assert b"queued as" in reply

    receipts = process.wait_for_outbox(1, timeout=10.0)
    assert len(receipts) == 1, process.log_text()
    assert receipts[0]["X-Document-Status"] == "03"
    entries = process.cli_json("register", "list")
    assert [e["message_id"] for e in entries] == ["<tls-submission@vp.rachgia.example.gov.vn>"]
    assert "submission (implicit TLS, AUTH)" in process.log_text()
