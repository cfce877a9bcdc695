"""STARTTLS, implicit-TLS submission and SMTP AUTH on real loopback listeners (trustme certs).

Never an open relay (DESIGN §5): foreign recipients are refused on both listeners, with and
without AUTH.
"""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.smtp_tls import (
    GATEWAY_ADDRESS,
    PASSWORD,
    USER,
    Ports,
    Running,
    client_context,
    running_listeners,
    write_deployment,
)

RAW = "Subject: thử TLS\r\nFrom: a@vp.example.gov.vn\r\n\r\nNội dung.\r\n".encode()
SENDER = "a@vp.example.gov.vn"
RELAY_PROBES = (
    "victim@elsewhere.example.com",
    "vanthu@example.gov.vn.evil.example.com",
    "victim%elsewhere.example.com@example.gov.vn",
    '"vanthu@example.gov.vn"@elsewhere.example.com',
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def gateway(ca: trustme.CA, tmp_path: Path) -> Iterator[tuple[Ports, Running]]:
    deployment, ports = write_deployment(ca, tmp_path, smtp="listen_auth = true")
    with running_listeners(deployment) as running:
        yield ports, running


def submission(ca: trustme.CA, ports: Ports) -> smtplib.SMTP_SSL:
    client = smtplib.SMTP_SSL("127.0.0.1", ports.submission, context=client_context(ca), timeout=10)
    client.ehlo("agency.example.gov.vn")
    return client


def starttls(ca: trustme.CA, ports: Ports) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", ports.public, timeout=10)
    client.ehlo("agency.example.gov.vn")
    client.starttls(context=client_context(ca))
    client.ehlo("agency.example.gov.vn")
    return client


def queued_id(reply: bytes) -> str:
    assert reply.startswith(b"2.0.0 Ok: queued as "), reply
    return reply.decode().rsplit(" ", 1)[1]


def test_starttls_on_the_public_listener_spools_the_message(
    ca: trustme.CA, gateway: tuple[Ports, Running]
) -> None:
    """GIVEN a certificate in [smtp] tls_cert/tls_key WHEN an agency says STARTTLS and sends
    THEN the session is encrypted, the message is spooled byte for byte, and its envelope
    records TLS and no AUTH user."""
    ports, running = gateway
    with smtplib.SMTP("127.0.0.1", ports.public, timeout=10) as client:
        client.ehlo("agency.example.gov.vn")
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")  # never before TLS
        client.starttls(context=client_context(ca))
        client.ehlo("agency.example.gov.vn")
        assert not client.has_extn("starttls")
        client.mail(SENDER)
        assert client.rcpt(GATEWAY_ADDRESS)[0] == 250
        code, reply = client.data(RAW)
    assert code == 250
    item = running.spool.claim()
    assert item is not None and item.id == queued_id(reply)
    assert item.raw() == RAW
    envelope = item.envelope()
    assert (envelope.tls, envelope.auth_user) == (True, None)


def test_implicit_tls_submission_with_auth_plain_is_spooled_with_the_user(
    ca: trustme.CA, gateway: tuple[Ports, Running]
) -> None:
    """GIVEN the submission listener (implicit TLS) and a user in the users file
    WHEN a clerk logs in with AUTH PLAIN and sends to the gateway's address
    THEN 235, then 250 queued, and the envelope records TLS and the user's name."""
    ports, running = gateway
    with submission(ca, ports) as client:
        assert "PLAIN" in client.esmtp_features["auth"]
        assert "LOGIN" in client.esmtp_features["auth"]
        client.user, client.password = USER, PASSWORD
        assert client.auth("PLAIN", client.auth_plain)[0] == 235
        client.mail(SENDER)
        assert client.rcpt(GATEWAY_ADDRESS)[0] == 250
        code, reply = client.data(RAW)
    assert code == 250
    assert running.spooled == [queued_id(reply)]
    envelope = running.spool.claim_id(queued_id(reply)).envelope()
    assert (envelope.tls, envelope.auth_user, envelope.protocol) == (True, USER, "smtp")


def test_auth_login_works_after_starttls_on_the_public_listener(
    ca: trustme.CA, gateway: tuple[Ports, Running]
) -> None:
    """GIVEN listen_auth = true WHEN a client logs in with AUTH LOGIN after STARTTLS
    THEN 235 2.7.0."""
    ports, _ = gateway
    with starttls(ca, ports) as client:
        client.user, client.password = USER, PASSWORD
        code, reply = client.auth("LOGIN", client.auth_login, initial_response_ok=False)
    assert (code, reply[:5]) == (235, b"2.7.0")


def test_auth_is_refused_before_tls(gateway: tuple[Ports, Running]) -> None:
    """GIVEN require_tls_for_auth = true (the default) WHEN a client tries AUTH PLAIN in
    clear text THEN 538 5.7.11 (encryption required) and it stays unauthenticated."""
    ports, _ = gateway
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    with smtplib.SMTP("127.0.0.1", ports.public, timeout=10) as client:
        client.ehlo("agency.example.gov.vn")
        code, reply = client.docmd("AUTH", f"PLAIN {token}")
        assert (code, reply[:6]) == (538, b"5.7.11")
        client.mail(SENDER)
        assert client.rcpt(GATEWAY_ADDRESS)[0] == 250  # the public port takes mail anyway


@pytest.mark.parametrize("password", ["wrong", PASSWORD.upper(), ""])
def test_wrong_password_gets_535(
    ca: trustme.CA, gateway: tuple[Ports, Running], password: str
) -> None:
    """GIVEN a known user WHEN the password is wrong THEN 535 5.7.8, and RCPT to the
    gateway on submission still needs AUTH (530 5.7.0)."""
    ports, running = gateway
    with submission(ca, ports) as client:
        client.user, client.password = USER, password
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.auth("PLAIN", client.auth_plain)
        assert (refused.value.smtp_code, refused.value.smtp_error[:5]) == (535, b"5.7.8")
        client.mail(SENDER)
        assert client.rcpt(GATEWAY_ADDRESS) == (530, b"5.7.0 Authentication required")
    assert running.spool.waiting() == []


def test_unknown_user_gets_the_same_535(ca: trustme.CA, gateway: tuple[Ports, Running]) -> None:
    """GIVEN no user 'mallory' WHEN she logs in THEN the same 535 5.7.8 as a wrong password."""
    ports, _ = gateway
    with submission(ca, ports) as client:
        client.user, client.password = "mallory", PASSWORD
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.auth("LOGIN", client.auth_login)
    assert (refused.value.smtp_code, refused.value.smtp_error[:5]) == (535, b"5.7.8")


def test_open_relay_probes_are_refused_everywhere(
    ca: trustme.CA, gateway: tuple[Ports, Running]
) -> None:
    """GIVEN both listeners (public with STARTTLS and AUTH offered, submission)
    WHEN a client asks for foreign recipients — in clear text, after STARTTLS, after AUTH on
    each listener, and unauthenticated on submission
    THEN every probe gets 550 5.1.1 at RCPT and nothing is spooled: never a relay."""
    ports, running = gateway
    sessions: dict[str, smtplib.SMTP] = {}
    plain = smtplib.SMTP("127.0.0.1", ports.public, timeout=10)
    plain.ehlo("probe.example.com")
    sessions["public, clear text, no AUTH"] = plain
    sessions["public, STARTTLS, no AUTH"] = starttls(ca, ports)
    public_auth = starttls(ca, ports)
    public_auth.login(USER, PASSWORD)
    sessions["public, STARTTLS, AUTH"] = public_auth
    sessions["submission, no AUTH"] = submission(ca, ports)
    submission_auth = submission(ca, ports)
    submission_auth.login(USER, PASSWORD)
    sessions["submission, AUTH"] = submission_auth
    answers, data_codes = {}, set()
    for name, client in sessions.items():
        client.mail("spammer@elsewhere.example.com")
        for probe in RELAY_PROBES:
            answers[name, probe] = client.rcpt(probe)
        data_codes.add(client.docmd("DATA")[0])  # no recipient accepted: DATA refused too
        client.quit()
    assert set(answers.values()) == {(550, b"5.1.1 No such recipient here")}, answers
    assert data_codes == {503}
    assert running.spool.waiting() == []
    assert running.spooled == []


def test_public_listener_offers_no_auth_unless_configured(ca: trustme.CA, tmp_path: Path) -> None:
    """GIVEN listen_auth left false WHEN a client is inside STARTTLS on the public port
    THEN AUTH is not advertised and answers 504 5.5.4; the submission port offers no STARTTLS
    (it is TLS from the first byte)."""
    deployment, ports = write_deployment(ca, tmp_path)
    with running_listeners(deployment):
        with starttls(ca, ports) as client:
            assert not client.has_extn("auth")
            token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
            assert client.docmd("AUTH", f"PLAIN {token}")[0] == 504
        with submission(ca, ports) as client:
            assert client.has_extn("auth")
            assert not client.has_extn("starttls")
