"""The SMTP listeners as the outside world meets them: TLS, AUTH, limits per client IP.

Two listeners, one handler class:

- ``[smtp] listen``: the public port (MX). STARTTLS when a certificate is configured; AUTH
  only when ``listen_auth`` is set (after STARTTLS unless ``require_tls_for_auth = false``).
- ``[smtp] submission_listen``: implicit TLS (RFC 8314), AUTH required before any RCPT.

On both, and with or without AUTH, only the gateway's own addresses are accepted: the
gateway is never a relay. Limits per client IP (``[limits]``) answer 421 4.7.0 (too many
connections, then close), 451 4.7.1 (too many messages a minute) and 452 4.5.3 (too many
recipients). LMTP (a local MTA) stays in :mod:`gateway.smtp.listener`, without these.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from gateway.config.settings import Deployment
from gateway.smtp.auth import AuthenticatingSMTP
from gateway.smtp.listener import IntakeHandler, RecipientPolicy
from gateway.smtp.ratelimit import ClientLimits, Limits, peer_ip
from gateway.smtp.replies import (
    REPLY_AUTH_REQUIRED,
    REPLY_RATE_LIMITED,
    REPLY_SENDER_OK,
    REPLY_TOO_MANY_CONNECTIONS,
    REPLY_TOO_MANY_RECIPIENTS,
)
from gateway.smtp.tls import tls_context
from gateway.smtp.users import UserFile
from gateway.spool.queue import Spool

log = logging.getLogger(__name__)


class GuardedHandler(IntakeHandler):
    """The intake handler plus per-IP limits and, on submission, AUTH before RCPT."""

    def __init__(
        self,
        spool: Spool,
        recipients: RecipientPolicy,
        max_message_bytes: int,
        *,
        limits: ClientLimits,
        on_spooled: Callable[[str], None],
        require_auth: bool,
        offers_auth: bool,
    ) -> None:
        super().__init__(spool, recipients, max_message_bytes, on_spooled=on_spooled)
        self._limits = limits
        self._require_auth = require_auth
        self._offers_auth = offers_auth

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self._offers_auth:
            return responses
        return [line for line in responses if not line.startswith("250-AUTH")]

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        ip = peer_ip(session.peer)
        if not self._limits.admit_message(ip):
            log.warning("rate limit: %s sent too many messages this minute", ip)
            return REPLY_RATE_LIMITED
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return REPLY_SENDER_OK

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self._recipients.accepts(address):  # a foreign address: 550 below, AUTH or not
            if self._require_auth and not session.authenticated:
                return REPLY_AUTH_REQUIRED
            if not self._limits.admit_recipient(peer_ip(session.peer), len(envelope.rcpt_tos)):
                return REPLY_TOO_MANY_RECIPIENTS
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class GuardedSMTP(AuthenticatingSMTP):
    """Refuses a client over its connection limit with 421 before the greeting."""

    def __init__(self, handler: Any, *, limits: ClientLimits, **options: Any) -> None:
        self._limits = limits
        super().__init__(handler, **options)

    async def _handle_client(self) -> None:
        ip = peer_ip(self.session.peer if self.session is not None else None)
        if not self._limits.open_connection(ip):
            log.warning("connection limit: %s has too many connections open", ip)
            await self.push(REPLY_TOO_MANY_CONNECTIONS)
            if self.transport is not None:
                self.transport.close()
            return
        try:
            await super()._handle_client()
        finally:
            self._limits.close_connection(ip)


async def start_guarded_listener(
    handler: GuardedHandler,
    listen: str,
    *,
    limits: ClientLimits,
    max_message_bytes: int,
    hostname: str | None,
    tls: ssl.SSLContext | None,
    implicit_tls: bool,
    users: UserFile | None,
    require_tls_for_auth: bool = True,
) -> asyncio.Server:
    """Start one SMTP listener on HOST:PORT inside the running loop."""
    host, _, port = listen.rpartition(":")

    def factory() -> SMTP:
        return GuardedSMTP(
            handler,
            limits=limits,
            users=users,
            data_size_limit=max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=hostname or None,
            ident="official-mail gateway",
            tls_context=None if implicit_tls else tls,
            # The whole connection is TLS on an implicit-TLS listener.
            auth_require_tls=False if implicit_tls else require_tls_for_auth,
        )

    loop = asyncio.get_running_loop()
    return await loop.create_server(
        factory, host=host.strip("[]"), port=int(port), ssl=tls if implicit_tls else None
    )


async def start_smtp_listeners(
    deployment: Deployment,
    spool: Spool,
    on_spooled: Callable[[str], None],
    limits: ClientLimits | None = None,
) -> list[asyncio.Server]:
    """The submission listener (when configured), then the public one (when configured)."""
    smtp = deployment.settings.smtp
    limits = limits or ClientLimits(Limits.from_settings(deployment.settings.limits))
    tls = tls_context(deployment)
    users = UserFile(deployment.path(smtp.auth_users_file)) if smtp.auth_users_file else None
    recipients = RecipientPolicy(smtp.addresses)
    servers = []
    for listen, submission in ((smtp.submission_listen, True), (smtp.listen, False)):
        if not listen:
            continue
        offers_auth = users is not None and (submission or smtp.listen_auth)
        handler = GuardedHandler(
            spool,
            recipients,
            smtp.max_message_bytes,
            limits=limits,
            on_spooled=on_spooled,
            require_auth=submission,
            offers_auth=offers_auth,
        )
        server = await start_guarded_listener(
            handler,
            listen,
            limits=limits,
            max_message_bytes=smtp.max_message_bytes,
            hostname=smtp.hostname or None,
            tls=tls,
            implicit_tls=submission,
            users=users if offers_auth else None,
            require_tls_for_auth=smtp.require_tls_for_auth,
        )
        servers.append(server)
        kind = "submission (implicit TLS, AUTH)" if submission else "SMTP"
        log.info("listening for %s on %s%s", kind, listen, " with STARTTLS" if tls else "")
    return servers
