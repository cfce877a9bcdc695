"""DATA written to the spool as it arrives (gateway/smtp/data.py): the same bytes and
replies as aiosmtpd's own DATA, without holding the message, and nothing left behind by a
message that is refused, cut off or failed by its handler."""

from __future__ import annotations

import smtplib
import socket
import time
import tracemalloc
from pathlib import Path

import pytest

from gateway.smtp.listener import IntakeHandler
from tests.gateway.smtp.test_smtp import Listener, serve

SMALL = b"Subject: y\r\n\r\nz\r\n"


def send_raw(port: int, data: bytes) -> bytes:
    """One SMTP transaction with ``data`` sent as written (dots as given) and the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        stream = sock.makefile("rwb")

        def command(line: bytes) -> bytes:
            stream.write(line + b"\r\n")
            stream.flush()
            reply = stream.readline()
            while reply[3:4] == b"-":
                reply = stream.readline()
            return reply

        stream.readline()  # greeting
        assert command(b"EHLO agency.example.gov.vn").startswith(b"250")
        assert command(b"MAIL FROM:<a@vp.example.gov.vn>").startswith(b"250")
        assert command(b"RCPT TO:<vanthu@example.gov.vn>").startswith(b"250")
        assert command(b"DATA").startswith(b"354")
        stream.write(data + b".\r\n")
        stream.flush()
        return stream.readline()


def spooled(listener: Listener) -> bytes:
    item = listener.spool.claim()
    assert item is not None
    return item.raw()


def test_lines_the_client_dot_stuffed_come_out_as_written(tmp_path: Path) -> None:
    """GIVEN lines that begin with dots, stuffed by the client (RFC 5321 §4.5.2)
    WHEN sent THEN the spool holds them with one dot less, the rest byte for byte."""
    with serve(tmp_path) as listener:
        reply = send_raw(
            listener.port,
            b"Subject: x\r\n\r\n..\r\n...hai cham\r\nmot.cham\r\n.. \r\nh\xe1\xba\xbft\r\n",
        )
        assert reply.startswith(b"250 2.0.0")
        assert spooled(listener) == (
            b"Subject: x\r\n\r\n.\r\n..hai cham\r\nmot.cham\r\n. \r\nh\xe1\xba\xbft\r\n"
        )


def test_a_line_over_the_limit_is_refused_after_the_whole_message(tmp_path: Path) -> None:
    """GIVEN a line of 1 100 bytes (RFC 5321 allows 1 000) WHEN sent THEN the message is
    read to its end, refused with 500, nothing spooled, and the session goes on."""
    with serve(tmp_path) as listener:
        reply = send_raw(listener.port, b"Subject: x\r\n\r\n" + b"a" * 1100 + b"\r\nok\r\n")
        assert reply.startswith(b"500")
        assert listener.spool.waiting() == []
        with smtplib.SMTP("127.0.0.1", listener.port) as client:
            client.sendmail("a@vp.example.gov.vn", ["vanthu@example.gov.vn"], SMALL)
        assert spooled(listener) == SMALL


def test_a_large_message_is_taken_in_without_holding_it(tmp_path: Path) -> None:
    """GIVEN a 4 MiB message of 76-character lines WHEN it is sent THEN this process (the
    listener's loop thread, and the sending client with its copy of the message, 1 ×)
    peaks under 1.6 × the message: the listener holds a line and the spool's 64 KiB write
    buffer, where one buffer took 2 × and a bytearray per line 4 ×."""
    line = b"S8OtbmggZ+G7rWk6IFbEg24gdGjGsCBjxqEgcXVhbi4KClbEg24gcGjDsm5nIEjEkE5EIHbDoCBV\r\n"
    raw = b"Subject: lon\r\n\r\n" + line * (4 * 2**20 // len(line))
    with serve(tmp_path, max_bytes=8 * 2**20) as listener:
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            reply = send_raw(listener.port, raw)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        assert reply.startswith(b"250 2.0.0")
        assert spooled(listener) == raw
    assert peak < 1.6 * len(raw), f"{peak / len(raw):.2f} × the message"


def test_a_refused_message_leaves_nothing_in_the_spool(tmp_path: Path) -> None:
    """GIVEN a message over the size limit, then one with a line over 1 000 bytes
    WHEN each is sent THEN each is refused and no file of it stays in the spool's tmp/."""
    with serve(tmp_path, max_bytes=10_000) as listener:
        too_much = b"Subject: x\r\n\r\n" + (b"y" * 900 + b"\r\n") * 20
        assert send_raw(listener.port, too_much).startswith(b"552")
        too_long = b"Subject: x\r\n\r\n" + b"y" * 1100 + b"\r\n"
        assert send_raw(listener.port, too_long).startswith(b"500")
        assert listener.spool.waiting() == []
        assert list((listener.spool.root / "tmp").iterdir()) == []


def test_a_message_cut_off_before_its_end_is_dropped(tmp_path: Path) -> None:
    """GIVEN a client that sends half a message and goes away WHEN the listener notices
    THEN nothing is spooled (it was never acknowledged) and tmp/ is empty again."""
    with serve(tmp_path) as listener:
        with socket.create_connection(("127.0.0.1", listener.port), timeout=30) as sock:
            stream = sock.makefile("rwb")
            stream.readline()
            for command in (b"EHLO a.example.gov.vn", b"MAIL FROM:<a@vp.example.gov.vn>"):
                stream.write(command + b"\r\n")
                stream.flush()
                while stream.readline()[3:4] == b"-":
                    pass
            stream.write(b"RCPT TO:<vanthu@example.gov.vn>\r\nDATA\r\n")
            stream.flush()
            assert stream.readline().startswith(b"250")
            assert stream.readline().startswith(b"354")
            stream.write(b"Subject: nua chung\r\n\r\nmot nua\r\n")
            stream.flush()
            deadline = time.monotonic() + 10
            while not list((listener.spool.root / "tmp").iterdir()):
                assert time.monotonic() < deadline, "the arrival was never opened"
                time.sleep(0.01)
            stream.close()  # the socket closes with its last file
        deadline = time.monotonic() + 10
        while list((listener.spool.root / "tmp").iterdir()):
            assert time.monotonic() < deadline, "the cut-off message stayed in tmp/"
            time.sleep(0.01)
        assert listener.spool.waiting() == []


def test_a_handler_that_fails_before_its_commit_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a handler that fails before it commits the arrival WHEN a message is sent
    THEN the sender is told to try later (451) and no file of it stays in tmp/."""

    async def failing(*args: object) -> str:
        raise RuntimeError("before the commit")

    monkeypatch.setattr(IntakeHandler, "handle_DATA", failing)
    with serve(tmp_path) as listener:
        assert send_raw(listener.port, SMALL).startswith(b"451")
        assert list((listener.spool.root / "tmp").iterdir()) == []
        assert listener.spool.waiting() == []
