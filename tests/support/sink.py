"""A real SMTP sink on loopback (aiosmtpd), for delivery tests and the bare-sink benchmark.

``SinkRelay`` stores every accepted message exactly as received (dot-unstuffed DATA
bytes, CRLF kept) with the client's address and port (one per connection). Queue replies
in ``replies`` to make the next DATA commands fail, e.g. ``"451 4.3.0 try later"`` or
``"550 5.7.1 refused"``, to exercise retries (``ACCEPT`` takes one as usual); set
``hang_up_after_each`` to close every connection right after a message, as a relay with
a limit of one mail per connection. ``quits`` counts the clients that said QUIT.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
REPLY_OK = "250 2.0.0 OK"
REPLY_INTERNAL = "451 4.3.0 Internal error, try later"
ACCEPT = ""  # in ``replies``: take this message as usual


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """One message the sink accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    peer: str = ""  # the client's "address:port": one per connection


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (right now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class _SinkHandler:
    """aiosmtpd handler: accept everything, or answer with the next queued reply."""

    def __init__(self, sink: SinkRelay) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        reply = self._sink._next_reply()
        if reply is not None and reply != ACCEPT:
            return reply
        raw = envelope.original_content
        self._sink._store(
            ReceivedMessage(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(str(rcpt) for rcpt in envelope.rcpt_tos),
                raw=bytes(raw) if raw is not None else b"",
                peer=":".join(str(part) for part in session.peer[:2]),
            )
        )
        if self._sink.hang_up_after_each:  # after the reply has gone out
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return REPLY_OK

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._sink._cond:
            self._sink.quits += 1
            self._sink._cond.notify_all()
        return "221 Bye"

    async def handle_exception(self, error: Exception) -> str:
        # Never aiosmtpd's "500 Error: (Class) text": transient, and no internals.
        log.warning("sink: session failed (%s)", type(error).__name__)
        return REPLY_INTERNAL


class SinkRelay:
    """An SMTP server on 127.0.0.1 and a free port, collecting what it receives."""

    def __init__(self, *, port: int | None = None) -> None:
        self.port = port if port is not None else free_port()
        self.replies: collections.deque[str] = collections.deque()
        self.hang_up_after_each = False
        self.quits = 0
        self._messages: list[ReceivedMessage] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMessage]:
        """A snapshot of the accepted messages, in arrival order."""
        with self._cond:
            return list(self._messages)

    def start(self) -> SinkRelay:
        if self._controller is None:
            controller = Controller(_SinkHandler(self), hostname=HOST, port=self.port)
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            controller, self._controller = self._controller, None
            controller.stop()

    def __enter__(self) -> SinkRelay:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least ``count`` messages arrived; ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"sink: {len(self._messages)} of {count} messages after {timeout}s"
                    )
                self._cond.wait(remaining)
            return list(self._messages)

    def wait_for_quits(self, count: int, timeout: float = 5.0) -> None:
        """Block until ``count`` clients said QUIT; ``TimeoutError`` otherwise."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.quits >= count, timeout):
                raise TimeoutError(f"sink: {self.quits} of {count} QUITs after {timeout}s")

    def _next_reply(self) -> str | None:
        try:
            return self.replies.popleft()
        except IndexError:
            return None

    def _store(self, message: ReceivedMessage) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()
