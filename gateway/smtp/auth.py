"""SMTP AUTH (PLAIN, LOGIN) against the users file, and TLS facts for implicit TLS.

aiosmtpd parses the AUTH dialogue and calls ``_authenticate`` synchronously; scrypt takes
tens of milliseconds, which must not stall every other session on the loop. So
``_authenticate`` only hands the credentials back, and the password is checked in a worker
thread before the answer is given. Whether AUTH is offered at all before TLS is aiosmtpd's
``auth_require_tls``; on an implicit-TLS listener every connection is already encrypted.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword, Session

from gateway.smtp.listener import GatewaySMTP
from gateway.smtp.replies import REPLY_AUTH_FAILED, REPLY_AUTH_OK
from gateway.smtp.users import UserFile

log = logging.getLogger(__name__)

MECHANISMS = ("PLAIN", "LOGIN")


@dataclass(frozen=True)
class AuthenticatedUser:
    """What the session keeps of a successful AUTH: the name, never the password."""

    login: str


class _Session(Session):
    """aiosmtpd sets the deprecated ``login_data`` after each AUTH and logs a warning."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class AuthenticatingSMTP(GatewaySMTP):
    """Our SMTP protocol with AUTH checked off the loop and implicit-TLS session facts.

    Without ``users`` no mechanism is offered (AUTH answers 504 5.5.4).
    """

    def __init__(self, handler: Any, *, users: UserFile | None, **options: Any) -> None:
        self._users = users
        if users is None:
            options["auth_exclude_mechanism"] = MECHANISMS
        super().__init__(handler, **options)

    def _create_session(self) -> Session:
        return _Session(self.loop)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        # aiosmtpd fills session.ssl after STARTTLS only; on an implicit-TLS listener the
        # transport itself is TLS, and the envelope must say so.
        ssl_object = transport.get_extra_info("ssl_object")
        session = self.session
        assert session is not None  # made by connection_made
        if session.ssl is None and ssl_object is not None:
            session.ssl = {
                "ssl_object": ssl_object,
                "cipher": transport.get_extra_info("cipher"),
                "implicit": True,
            }

    def _authenticate(self, mechanism: str, auth_data: Any) -> AuthResult:
        """Not checked here (blocking): :meth:`_checked` does it in a thread."""
        return AuthResult(success=False, handled=False, auth_data=auth_data)

    async def auth_PLAIN(self, _: Any, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._checked(await super().auth_PLAIN(_, args))

    async def auth_LOGIN(self, _: Any, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._checked(await super().auth_LOGIN(_, args))

    async def _checked(self, result: AuthResult) -> AuthResult:
        credentials = result.auth_data
        if self._users is None or not isinstance(credentials, LoginPassword):
            return result  # the dialogue failed (bad base64, '*'): already answered
        name = credentials.login.decode("utf-8", "replace")
        peer = self.session.peer if self.session is not None else None
        valid = await asyncio.to_thread(self._users.check, name, credentials.password)
        if not valid:
            log.warning("AUTH failed for %r from %s", name, peer)
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_FAILED)
        log.info("AUTH %s from %s", name, peer)
        return AuthResult(success=True, auth_data=AuthenticatedUser(name), message=REPLY_AUTH_OK)
