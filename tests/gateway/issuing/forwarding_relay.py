"""The mail system between two deployments, for the interoperability test: an SMTP relay
on loopback (aiosmtpd) that forwards each recipient's copy to that recipient's gateway,
refuses unknown recipients at RCPT (``550 5.1.1``: the sender's outbox sees a bounce) and
can tamper with the PDF of one recipient's copy on the way (a byte flipped inside the
signed range: the receiving gateway must refuse it)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.signing import flip_byte_in_signed_range
from tests.support.sink import HOST, free_port

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    port: int  # the receiving gateway's SMTP port
    tamper: bool = False


def tampered(raw: bytes) -> bytes:
    """``raw`` with one byte of its PDF's signed range flipped."""
    message = BytesParser(policy=policy.SMTP).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    for part in message.iter_attachments():
        if isinstance(part, EmailMessage) and part.get_content_type() == "application/pdf":
            data = part.get_content()
            name = part.get_filename()
            part.set_content(
                flip_byte_in_signed_range(data),
                maintype="application",
                subtype="pdf",
                disposition="attachment",
                filename=name,
            )
    return message.as_bytes(policy=policy.SMTP)


class _Handler:
    def __init__(
        self, routes: dict[str, Route], on_forwarded: Callable[[str, bytes], None]
    ) -> None:
        self._routes = routes
        self._on_forwarded = on_forwarded

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() not in self._routes:
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = bytes(envelope.original_content)
        loop = asyncio.get_running_loop()
        for rcpt in envelope.rcpt_tos:
            route = self._routes[rcpt.lower()]
            copy = tampered(raw) if route.tamper else raw
            try:
                await loop.run_in_executor(
                    None, _forward, route.port, str(envelope.mail_from), rcpt, copy
                )
            except (OSError, smtplib.SMTPException):
                log.warning("relay: forwarding to %s failed", rcpt)
                return "451 4.4.1 Next hop not reachable, try later"
            self._on_forwarded(rcpt, copy)
        return "250 2.0.0 OK"

    async def handle_exception(self, error: Exception) -> str:
        return "451 4.3.0 Internal error, try later"


def _forward(port: int, mail_from: str, rcpt: str, raw: bytes) -> None:
    with smtplib.SMTP(HOST, port, timeout=30) as client:
        client.sendmail(mail_from, [rcpt], raw)


class ForwardingRelay:
    """``routes``: recipient address (lower case) → where its copy goes; ``on_forwarded``
    is given each recipient whose copy was handed on, with the copy (the issuing bench
    times them)."""

    def __init__(
        self,
        routes: dict[str, Route],
        on_forwarded: Callable[[str, bytes], None] = lambda _rcpt, _raw: None,
    ) -> None:
        self.port = free_port()
        handler = _Handler(routes, on_forwarded)
        self._controller = Controller(handler, hostname=HOST, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> ForwardingRelay:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
