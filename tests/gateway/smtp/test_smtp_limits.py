"""Limits per client IP on the SMTP listeners: 421 4.7.0, 451 4.7.1, 452 4.5.3.

The tests run on loopback, so they set ``limit_loopback = true``; one test shows loopback
is exempt by default (a local MTA hands mail over on loopback, DESIGN §4.4).
"""

from __future__ import annotations

import smtplib
import time
from pathlib import Path

import pytest
import trustme

from gateway.smtp.ratelimit import ClientLimits, Limits
from tests.support.smtp_tls import GATEWAY_ADDRESS, running_listeners, write_deployment

SENDER = "a@vp.example.gov.vn"
RAW = b"Subject: limits\r\nFrom: a@vp.example.gov.vn\r\n\r\nbody\r\n"
SMALL = """max_connections_per_ip = 2
messages_per_minute_per_ip = 3
recipients_per_message = 2
"""


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def connect(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=10)
    client.ehlo("agency.example.gov.vn")
    return client


def test_too_many_connections_get_421_and_are_closed(ca: trustme.CA, tmp_path: Path) -> None:
    """GIVEN max_connections_per_ip = 2 and limit_loopback = true
    WHEN a third connection opens while two are open
    THEN it is greeted with 421 4.7.0 and closed; once one closes, a new one is served."""
    deployment, ports = write_deployment(ca, tmp_path, limits=SMALL + "limit_loopback = true")
    with running_listeners(deployment):
        first, second = connect(ports.public), connect(ports.public)
        with pytest.raises(smtplib.SMTPConnectError) as refused:
            smtplib.SMTP("127.0.0.1", ports.public, timeout=10)
        assert refused.value.smtp_code == 421
        assert refused.value.smtp_error[:6] == b"4.7.0 "
        first.quit()
        deadline = time.monotonic() + 5
        while True:  # the server notices the QUIT asynchronously
            try:
                third = connect(ports.public)
                break
            except smtplib.SMTPConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert third.noop()[0] == 250
        third.quit()
        second.quit()


def test_too_many_messages_a_minute_get_451(ca: trustme.CA, tmp_path: Path) -> None:
    """GIVEN messages_per_minute_per_ip = 3 WHEN a client starts a fourth message within
    the minute THEN MAIL FROM answers 451 4.7.1 (try later) and nothing more is spooled;
    a minute later the client is served again."""
    deployment, ports = write_deployment(ca, tmp_path, limits=SMALL + "limit_loopback = true")
    clock = FakeClock()
    limits = ClientLimits(Limits.from_settings(deployment.settings.limits), clock=clock)
    with running_listeners(deployment, limits) as running, connect(ports.public) as client:
        for _ in range(3):
            client.mail(SENDER)
            client.rcpt(GATEWAY_ADDRESS)
            assert client.data(RAW)[0] == 250
        code, reply = client.mail(SENDER)
        assert (code, reply[:5]) == (451, b"4.7.1")
        assert len(running.spool.waiting()) == 3
        clock.now += 61
        assert client.mail(SENDER)[0] == 250


def test_too_many_recipients_get_452(ca: trustme.CA, tmp_path: Path) -> None:
    """GIVEN recipients_per_message = 2 WHEN a third recipient is given
    THEN 452 4.5.3 and the message goes to the first two only."""
    deployment, ports = write_deployment(ca, tmp_path, limits=SMALL + "limit_loopback = true")
    with running_listeners(deployment) as running, connect(ports.public) as client:
        client.mail(SENDER)
        assert client.rcpt("vanthu+1@example.gov.vn")[0] == 250
        assert client.rcpt("vanthu+2@example.gov.vn")[0] == 250
        assert client.rcpt("vanthu+3@example.gov.vn") == (452, b"4.5.3 Too many recipients")
        assert client.data(RAW)[0] == 250
        item = running.spool.claim()
        assert item is not None
        assert item.envelope().rcpt_tos == ("vanthu+1@example.gov.vn", "vanthu+2@example.gov.vn")


def test_loopback_clients_are_exempt_by_default(ca: trustme.CA, tmp_path: Path) -> None:
    """GIVEN the same small limits but limit_loopback left false
    WHEN a loopback client opens 4 connections, sends 5 messages and gives 4 recipients
    THEN nothing is refused (a local MTA hands mail over on loopback)."""
    deployment, ports = write_deployment(ca, tmp_path, limits=SMALL)
    with running_listeners(deployment) as running:
        clients = [connect(ports.public) for _ in range(4)]
        for _ in range(5):
            clients[0].mail(SENDER)
            for n in range(4):
                assert clients[0].rcpt(f"vanthu+{n}@example.gov.vn")[0] == 250
            assert clients[0].data(RAW)[0] == 250
        for client in clients:
            client.quit()
        assert len(running.spool.waiting()) == 5


def test_client_limits_count_each_address_apart() -> None:
    """GIVEN two remote clients WHEN one reaches its limits THEN the other is unaffected,
    and a closed connection frees its place."""
    limits = ClientLimits(Limits(max_connections_per_ip=1, messages_per_minute_per_ip=1))
    assert limits.open_connection("203.0.113.5")
    assert not limits.open_connection("203.0.113.5")
    assert limits.open_connection("198.51.100.7")
    limits.close_connection("203.0.113.5")
    assert limits.open_connection("203.0.113.5")
    assert limits.admit_message("203.0.113.5")
    assert not limits.admit_message("203.0.113.5")
    assert limits.admit_message("198.51.100.7")
    assert limits.exempt("127.0.0.1") and limits.exempt("::1")
    assert not limits.exempt("203.0.113.5")
