"""SMTP and LMTP intake on a real loopback listener (our aiosmtpd protocol classes)."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.smtp.listener import IntakeHandler, RecipientPolicy, start_listener
from gateway.smtp.replies import REPLY_QUEUED
from gateway.spool.queue import Spool
from tests.support.sink import free_port

ADDRESSES = ("vanthu@example.gov.vn",)
RAW = "Subject: thử\r\nFrom: a@vp.example.gov.vn\r\n\r\nNội dung có dấu.\r\n".encode()


@dataclass
class Listener:
    port: int
    spool: Spool
    spooled: list[str]


@contextmanager
def serve(tmp_path: Path, *, lmtp: bool = False, max_bytes: int = 10_000) -> Iterator[Listener]:
    spool = Spool(tmp_path / "spool")
    spooled: list[str] = []
    port = free_port()
    loop = asyncio.new_event_loop()
    handler = IntakeHandler(
        spool,
        RecipientPolicy(ADDRESSES),
        max_bytes,
        on_spooled=spooled.append,
        protocol="lmtp" if lmtp else "smtp",
    )
    server = loop.run_until_complete(
        start_listener(
            handler,
            f"127.0.0.1:{port}",
            max_message_bytes=max_bytes,
            hostname="gateway.test",
            lmtp=lmtp,
        )
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield Listener(port, spool, spooled)
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(server.wait_closed())
        loop.close()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    with serve(tmp_path) as running:
        yield running


def test_250_comes_after_the_bytes_are_in_the_spool_unchanged(listener: Listener) -> None:
    """GIVEN a listener WHEN a message is sent THEN 250 names the queue id, and that spool
    item holds the exact bytes and the envelope (peer, HELO, MAIL FROM, RCPT TO)."""
    with smtplib.SMTP("127.0.0.1", listener.port) as client:
        client.ehlo("agency.example.gov.vn")
        client.mail("a@vp.example.gov.vn")
        client.rcpt("VanThu@Example.gov.vn")
        code, reply = client.data(RAW)
    assert code == 250
    assert reply.startswith(b"2.0.0 Ok: queued as ")
    item_id = reply.decode().rsplit(" ", 1)[1]
    assert listener.spooled == [item_id]
    item = listener.spool.claim()
    assert item is not None and item.id == item_id
    assert item.raw() == RAW
    env = item.envelope()
    assert (env.mail_from, env.rcpt_tos, env.helo) == (
        "a@vp.example.gov.vn",
        ("VanThu@Example.gov.vn",),
        "agency.example.gov.vn",
    )
    assert env.peer.startswith("127.0.0.1:")


def test_foreign_recipients_are_refused_at_rcpt_and_plus_forms_accepted(listener: Listener) -> None:
    """GIVEN the gateway's addresses WHEN a foreign recipient is given THEN 550 5.1.1
    (never an open relay); the plus-addressed form of our own address is accepted."""
    with smtplib.SMTP("127.0.0.1", listener.port) as client:
        client.ehlo("x")
        client.mail("a@vp.example.gov.vn")
        assert client.rcpt("victim@elsewhere.example.com") == (550, b"5.1.1 No such recipient here")
        assert client.rcpt("vanthu@example.gov.vn.evil.com")[0] == 550
        assert client.rcpt("vanthu+abc123@example.gov.vn")[0] == 250


def test_oversized_message_gets_552_with_enhanced_code(tmp_path: Path) -> None:
    """GIVEN a 10 kB limit WHEN the SIZE is announced too big / the data is too big
    THEN 552 5.3.4 both times and nothing is spooled."""
    with serve(tmp_path, max_bytes=10_000) as listener:
        with smtplib.SMTP("127.0.0.1", listener.port) as client:
            client.ehlo("x")
            assert client.mail("a@vp.example.gov.vn", ["SIZE=20000"])[0] == 552
            client.rset()
            client.mail("a@vp.example.gov.vn")
            client.rcpt("vanthu@example.gov.vn")
            code, reply = client.data(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 20)
            assert (code, reply[:5]) == (552, b"5.3.4")
        assert listener.spool.waiting() == []


def test_spool_failure_answers_451_without_internal_text(listener: Listener) -> None:
    """GIVEN a spool that cannot be written WHEN a message is sent
    THEN 451 4.3.0 (the sender retries later) and no exception text reaches the peer."""
    tmp = listener.spool.root / "tmp"
    tmp.rmdir()
    tmp.write_text("in the way")
    with smtplib.SMTP("127.0.0.1", listener.port) as client:
        client.ehlo("x")
        client.mail("a@vp.example.gov.vn")
        client.rcpt("vanthu@example.gov.vn")
        code, reply = client.data(RAW)
    assert (code, reply) == (451, b"4.3.0 Temporary failure, please try again later")


def test_lmtp_answers_once_per_recipient(tmp_path: Path) -> None:
    """GIVEN an LMTP listener WHEN a message for two of our recipients is delivered
    THEN LMTP gives one 250 per recipient after DATA (RFC 2033) and spools it once.

    (smtplib's LMTP client reads a single DATA reply, so the dialogue is spoken by hand.)
    """
    with serve(tmp_path, lmtp=True) as listener:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
            stream = sock.makefile("rwb")

            def say(line: bytes) -> None:
                stream.write(line + b"\r\n")
                stream.flush()

            def reply() -> bytes:
                while True:
                    line = stream.readline()
                    if line[3:4] != b"-":
                        return line

            assert reply().startswith(b"220")
            say(b"LHLO agency.example.gov.vn")
            assert reply().startswith(b"250")
            say(b"MAIL FROM:<a@vp.example.gov.vn>")
            assert reply().startswith(b"250")
            for rcpt in (b"vanthu@example.gov.vn", b"vanthu+x@example.gov.vn"):
                say(b"RCPT TO:<" + rcpt + b">")
                assert reply().startswith(b"250")
            say(b"DATA")
            assert reply().startswith(b"354")
            stream.write(RAW + b".\r\n")
            stream.flush()
            answers = [reply(), reply()]
            assert all(a.startswith(REPLY_QUEUED.split("{")[0].encode()) for a in answers)
            say(b"QUIT")
            assert reply().startswith(b"221")
        assert len(listener.spool.waiting()) == 1
