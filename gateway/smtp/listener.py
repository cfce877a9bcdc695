"""SMTP and LMTP intake with aiosmtpd (DESIGN §1.1).

The handler does three things only: refuse recipients that are not ours (never an open
relay), spool the DATA durably as it arrives (gateway/smtp/data.py), and answer. No
parsing and no database work happens in the session; the worker does that from the spool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from gateway.errors import SpoolError
from gateway.smtp.data import ArrivingData
from gateway.smtp.replies import (
    REPLY_NO_SUCH_USER,
    REPLY_QUEUED,
    REPLY_RECIPIENT_OK,
    REPLY_TOO_BIG,
    REPLY_TRY_LATER,
)
from gateway.spool.envelope import Envelope
from gateway.spool.queue import Arrival, Spool

log = logging.getLogger(__name__)

# Replies are named constants with enhanced status codes and never carry exception text.


class RecipientPolicy:
    """Which recipients the gateway accepts: its own addresses and their plus forms."""

    def __init__(self, addresses: Iterable[str]) -> None:
        self._addresses = frozenset(a.lower() for a in addresses)

    def accepts(self, address: str) -> bool:
        local, at, domain = address.strip().lower().rpartition("@")
        if not at:
            return False
        base = local.split("+", 1)[0]
        return f"{base}@{domain}" in self._addresses


class Unwritable:
    """The arrival of a message the spool cannot take: counted, dropped, refused."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)

    def discard(self) -> None:
        pass

    def commit(self, envelope: Envelope) -> str:
        raise SpoolError("the spool could not be written when DATA began")


class IntakeHandler:
    """aiosmtpd handler: RCPT policy, size limit, spool before 250."""

    def __init__(
        self,
        spool: Spool,
        recipients: RecipientPolicy,
        max_message_bytes: int,
        on_spooled: Callable[[str], None] = lambda _item_id: None,
        protocol: str = "smtp",
    ) -> None:
        self._spool = spool
        self._recipients = recipients
        self._max_bytes = max_message_bytes
        self._on_spooled = on_spooled
        self._protocol = protocol

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self._recipients.accepts(address):
            log.info("refused recipient %s from %s", address, session.peer)
            return REPLY_NO_SUCH_USER
        envelope.rcpt_tos.append(address)
        return REPLY_RECIPIENT_OK

    def arrival(self) -> Arrival | Unwritable:
        """Where DATA goes as it arrives: a new spool item, or, when the spool cannot be
        written, nowhere (the message is read to its end and answered 451)."""
        try:
            return self._spool.arrival()
        except SpoolError:
            log.exception("spool failure at DATA")
            return Unwritable()

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        arrival: Arrival | Unwritable,
    ) -> str:
        if arrival.size > self._max_bytes:
            arrival.discard()
            return REPLY_TOO_BIG
        facts = Envelope(
            received_at=datetime.now(UTC),
            protocol=self._protocol,
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            peer=_peer_text(session.peer),
            helo=session.host_name or "",
            tls=session.ssl is not None,
            auth_user=_auth_user(session),
        )
        try:
            item_id = await asyncio.to_thread(arrival.commit, facts)
        except SpoolError:
            log.exception("spool failure; answering 451 to %s", facts.peer)
            return self._replies(REPLY_TRY_LATER, envelope)
        log.info("queued %s from <%s> (%d bytes)", item_id, facts.mail_from, arrival.size)
        self._on_spooled(item_id)
        return self._replies(REPLY_QUEUED.format(item_id=item_id), envelope)

    async def handle_exception(self, error: Exception) -> str:
        """Never aiosmtpd's default ``500 Error: (Class) text``: log, answer transiently."""
        log.error("SMTP session error: %s", type(error).__name__, exc_info=error)
        return REPLY_TRY_LATER

    def _replies(self, reply: str, envelope: SmtpEnvelope) -> str:
        """LMTP answers DATA once per accepted recipient (RFC 2033 §4.2)."""
        if self._protocol != "lmtp":
            return reply
        return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))


def _peer_text(peer: Any) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer or "")


def _auth_user(session: Session) -> str | None:
    data = getattr(session, "auth_data", None)
    login = getattr(data, "login", None)
    if isinstance(login, bytes):
        return login.decode("utf-8", "replace")
    return login if isinstance(login, str) else None


class _EnhancedCodes:
    """Rewrite aiosmtpd's own size replies to carry enhanced status codes."""

    async def push(self, status: str | bytes) -> None:
        if isinstance(status, str) and status.startswith("552 Error"):  # AUTH challenges: bytes
            status = REPLY_TOO_BIG
        await super().push(status)  # type: ignore[misc]


class GatewaySMTP(_EnhancedCodes, ArrivingData):
    """aiosmtpd's SMTP with our size replies, DATA into the spool as it arrives."""


class GatewayLMTP(_EnhancedCodes, ArrivingData, LMTP):
    """aiosmtpd's LMTP with our size replies, DATA into the spool as it arrives."""


async def start_listener(
    handler: IntakeHandler,
    listen: str,
    *,
    max_message_bytes: int,
    hostname: str | None,
    lmtp: bool = False,
) -> asyncio.Server:
    """Start an SMTP (or LMTP) server on HOST:PORT inside the running loop."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    protocol_class = GatewayLMTP if lmtp else GatewaySMTP

    def factory() -> SMTP:
        return protocol_class(
            handler,
            data_size_limit=max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=hostname or None,
            ident="official-mail gateway",
        )

    loop = asyncio.get_running_loop()
    return await loop.create_server(factory, host=host, port=int(port))
