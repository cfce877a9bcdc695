"""Timed SMTP sending for the benchmarks: per-message accept latency, parallel connections."""

from __future__ import annotations

import contextlib
import re
import smtplib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from zoneinfo import ZoneInfo

from bench.support.signed_mail import GATEWAY_ADDRESS, SENDER, Document
from tests.support.sink import HOST, ReceivedMessage, SinkRelay

HELO = "bench.vp.rachgia.example.gov.vn"
SMTP_TIMEOUT = 120.0


class BenchmarkError(Exception):
    """The run did not do what it measures (wrong receipts, refused mail): exit 1."""


def _dot_stuffed(raw: bytes) -> bytes:
    """What smtplib's ``data()`` puts on the wire for ``raw`` (CRLF already)."""
    payload = re.sub(rb"(?m)^\.", b"..", raw)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    return payload + b".\r\n"


@dataclass
class SendTimes:
    """Per message: end of DATA → 250, and MAIL FROM → 250 (seconds)."""

    accept: list[float] = field(default_factory=list)
    transaction: list[float] = field(default_factory=list)
    first_mail: float = 0.0
    last_reply: float = 0.0


def _expect(code: int, reply: bytes, wanted: int, what: str) -> None:
    if code != wanted:
        raise BenchmarkError(f"{what}: expected {wanted}, got {code} {reply!r}")


def _send_one(client: smtplib.SMTP, raw: bytes, times: SendTimes) -> None:
    started = time.perf_counter()
    _expect(*client.mail(SENDER), 250, "MAIL FROM")
    _expect(*client.rcpt(GATEWAY_ADDRESS), 250, "RCPT TO")
    client.putcmd("data")
    _expect(*client.getreply(), 354, "DATA")
    client.send(_dot_stuffed(raw))
    data_end = time.perf_counter()
    _expect(*client.getreply(), 250, "end of DATA")
    done = time.perf_counter()
    times.accept.append(done - data_end)
    times.transaction.append(done - started)
    times.last_reply = done


def send_messages(port: int, messages: Sequence[bytes], connections: int = 1) -> SendTimes:
    """Send ``messages`` (round-robin over ``connections``), all starting together."""
    shares = [list(messages[i::connections]) for i in range(connections)]
    per_connection = [SendTimes() for _ in shares]
    ready = threading.Barrier(connections + 1)
    go = threading.Event()
    errors: list[BaseException] = []

    def run(share: list[bytes], times: SendTimes) -> None:
        try:
            with smtplib.SMTP(HOST, port, timeout=SMTP_TIMEOUT) as client:
                client.ehlo(HELO)
                ready.wait()
                go.wait()
                for raw in share:
                    _send_one(client, raw, times)
        except BaseException as exc:
            errors.append(exc)
            ready.abort()

    threads = [
        threading.Thread(target=run, args=(share, times), daemon=True)
        for share, times in zip(shares, per_connection, strict=True)
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    first_mail = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchmarkError(f"sending failed: {errors[0]!r}") from errors[0]
    merged = SendTimes(first_mail=first_mail)
    for times in per_connection:
        merged.accept += times.accept
        merged.transaction += times.transaction
        merged.last_reply = max(merged.last_reply, times.last_reply)
    return merged


class TimedSink(SinkRelay):
    """A ``SinkRelay`` that notes when each answer arrived (``time.perf_counter``).

    The answers (receipts, rejections) go back to the sending agency, ``SENDER``; routed
    copies go to the assigned units' mailboxes and are kept apart (``routed``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []  # answers only
        self.answers: list[ReceivedMessage] = []
        self.routed: list[ReceivedMessage] = []

    def _store(self, message: ReceivedMessage) -> None:
        with self._cond:
            if SENDER in message.rcpt_tos:
                self.arrivals.append(time.perf_counter())
                self.answers.append(message)
            else:
                self.routed.append(message)
        super()._store(message)

    def wait_for_answers(self, count: int, timeout: float) -> list[ReceivedMessage]:
        """Block until ``count`` answers arrived; ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.answers) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"sink: {len(self.answers)} of {count} answers "
                        f"(+ {len(self.routed)} routed copies) after {timeout}s"
                    )
                self._cond.wait(remaining)
            return list(self.answers)


GATEWAY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the timezone `gateway init` writes
START_SECONDS = 120.0  # a loaded machine starts Python slowly


def check_receipts(received: Sequence[ReceivedMessage], documents: Sequence[Document]) -> int:
    """Raise unless there is one 03 receipt per document, numbered YEAR/1..YEAR/N.

    Returns how many extra copies (same Message-ID) arrived: relay delivery is at least once.
    """
    answers: dict[str, EmailMessage] = {}
    for message in received:
        parsed = BytesParser(policy=policy.default).parsebytes(message.raw)
        assert isinstance(parsed, EmailMessage)
        answers.setdefault(str(parsed["Message-ID"]), parsed)
    problems: list[str] = []
    statuses = sorted({str(a["X-Document-Status"]) for a in answers.values()})
    if statuses != ["03"]:
        reasons = sorted({str(a["X-Reject-Reasons"]) for a in answers.values()})
        problems.append(f"X-Document-Status values {statuses} (reject reasons: {reasons})")
    numbers: list[str] = []
    for answer in answers.values():
        numbers += [n.strip() for n in str(answer["X-Incoming-Number"] or "").split(",")]
    year = datetime.now(GATEWAY_ZONE).year
    expected = [f"{year}/{n}" for n in range(1, len(documents) + 1)]
    if sorted(numbers) != sorted(expected):
        missing = sorted(set(expected) - set(numbers))[:10]
        extra = sorted(set(numbers) - set(expected))[:10]
        problems.append(
            f"X-Incoming-Number: {len(numbers)} numbers, {len(set(numbers))} distinct; "
            f"missing {missing}, unexpected {extra}"
        )
    replied_to = sorted(str(a["In-Reply-To"]) for a in answers.values())
    if replied_to != sorted(d.message_id for d in documents):
        problems.append("In-Reply-To values are not exactly the Message-IDs sent")
    if problems:
        raise BenchmarkError("receipts are wrong:\n  " + "\n  ".join(problems))
    return len(received) - len(answers)
