"""DATA taken into one buffer (gateway/smtp/data.py): the same bytes and replies as
aiosmtpd's own DATA, in a fraction of the memory."""

from __future__ import annotations

import smtplib
import socket
import tracemalloc
from pathlib import Path

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


def test_a_large_message_is_taken_in_within_three_times_its_size(tmp_path: Path) -> None:
    """GIVEN a 4 MiB message of 76-character lines WHEN it is sent THEN the listener (this
    process: its loop thread, and the sending client with its copy of the message) peaks
    under 3 × the message, where a bytearray per line took 4 × in the listener alone."""
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
    assert peak < 3 * len(raw), f"{peak / len(raw):.1f} × the message"
