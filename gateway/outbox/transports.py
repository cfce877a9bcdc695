"""Transports that hand a finished mail over: a local maildir or an SMTP relay.

Both are synchronous (the outbox calls them from a worker thread) and raise only
:class:`~gateway.errors.TransientDeliveryError` (retry with backoff) or
:class:`~gateway.errors.PermanentDeliveryError` (give up, record the reason); smtplib and
OS errors are translated here, at the boundary.

Guarantees (DESIGN §4.4): maildir delivery is exactly-once per Message-ID (the file name
is derived from it); relay delivery is at-least-once (a retry after a lost reply may
deliver a second copy with the same Message-ID, which receivers can de-duplicate).

A delivery round hands over its mails in one :meth:`Transport.session`: to a relay, over
one connection (connecting, EHLO and QUIT once per round, not per mail), which is kept for
the next round while it follows within ``KEEP_SECONDS`` (under load a round starts after
each registered message: one or two mails each).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from gateway.errors import ConfigError, PermanentDeliveryError, TransientDeliveryError
from gateway.storage.durable import link_new

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}

# A relay connection idle for longer is closed (QUIT) rather than used again: far below
# the idle timeouts relays apply (Postfix's smtpd_timeout: 300 s).
KEEP_SECONDS = 10.0


class Delivery(Protocol):
    """Hands ``raw`` (RFC 5322 bytes, CRLF) to ``recipients`` on behalf of ``sender``."""

    def deliver(
        self, raw: bytes, *, sender: str, recipients: Sequence[str], message_id: str
    ) -> None: ...


class Transport(Delivery, Protocol):
    """A :class:`Delivery` of one mail at a time, or of several in a :meth:`session`."""

    def session(self) -> AbstractContextManager[Delivery]: ...

    def tidy(self) -> None:
        """Let go of what a session kept that has been idle too long (a relay connection)."""

    def close(self) -> None:
        """Let go of everything kept (at stop)."""


def maildir_name(message_id: str) -> str:
    """The maildir base name for ``message_id`` (with or without angle brackets)."""
    key = message_id.strip().strip("<>").strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + ".gateway"


class MaildirTransport:
    """Writes each mail into ``root/new/``; exactly-once per Message-ID.

    The file is written to ``tmp/`` and fsynced, then hard-linked into ``new/`` and the
    directory fsynced. A name already present in ``new/`` or in ``cur/`` (with any
    ``:2,FLAGS`` suffix a mail reader added) means the mail was delivered before.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def session(self) -> Iterator[Delivery]:
        yield self  # each file stands alone

    def tidy(self) -> None:
        """Nothing is kept between mails."""

    def close(self) -> None:
        """Nothing is kept between mails."""

    def deliver(
        self, raw: bytes, *, sender: str, recipients: Sequence[str], message_id: str
    ) -> None:
        name = maildir_name(message_id)
        try:
            self._ensure_dirs()
            if self._delivered(name):
                log.info("maildir: %s already delivered, skipped", message_id)
                return
            self._write(name, raw)
        except OSError as exc:
            code = errno.errorcode.get(exc.errno or 0, "error")
            raise TransientDeliveryError(f"maildir write failed ({code})") from exc
        log.debug("maildir: delivered %s as %s", message_id, name)

    def _ensure_dirs(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def _delivered(self, name: str) -> bool:
        if (self.root / "new" / name).exists() or (self.root / "cur" / name).exists():
            return True
        return any((self.root / "cur").glob(f"{name}:*"))

    def _write(self, name: str, raw: bytes) -> None:
        # False: a concurrent delivery of the same Message-ID won, which is as good.
        link_new(self.root / "new" / name, raw, scratch=self.root / "tmp", mode=0o640)


class RelayTransport:
    """Sends through an SMTP relay (``smtp://host:port`` or ``smtps://host:port``).

    At-least-once: a reply lost after the relay accepted the data leads to a retry and a
    second copy with the same Message-ID. 4xx replies and network failures are transient,
    5xx replies permanent.
    """

    def __init__(
        self, url: str, *, timeout: float = 30.0, local_hostname: str | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ConfigError(f"relay: expected smtp://HOST:PORT or smtps://HOST:PORT, got {url!r}")
        try:
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
        except ValueError as exc:
            raise ConfigError(f"relay: invalid port in {url!r}") from exc
        self.url = url
        self.host = parts.hostname
        self.port = port
        self.tls = parts.scheme == "smtps"
        self.timeout = timeout
        self.local_hostname = local_hostname
        self._kept: RelaySession | None = None  # the last session's connection, and when
        self._kept_at = 0.0
        self._lock = threading.Lock()

    def deliver(
        self, raw: bytes, *, sender: str, recipients: Sequence[str], message_id: str
    ) -> None:
        """One mail over a connection of its own, closed after it."""
        session = RelaySession(self)
        try:
            session.deliver(raw, sender=sender, recipients=recipients, message_id=message_id)
        finally:
            session.close()

    @contextmanager
    def session(self) -> Iterator[Delivery]:
        """One connection for the mails delivered in the block, opened at the first: the
        previous session's, when it ended less than ``KEEP_SECONDS`` ago (one the relay
        closed meanwhile is opened again, as between two mails of a session)."""
        with self._lock:
            session, self._kept = self._kept, None
        if session is None or time.monotonic() - self._kept_at > KEEP_SECONDS:
            if session is not None:
                session.close()
            session = RelaySession(self)
        try:
            yield session
        except BaseException:
            session.close()
            raise
        with self._lock:
            earlier, self._kept, self._kept_at = self._kept, session, time.monotonic()
        if earlier is not None:  # two threads had sessions at once: the later one is kept
            earlier.close()

    def tidy(self) -> None:
        """QUIT the kept connection once it has been idle for ``KEEP_SECONDS``."""
        with self._lock:
            if self._kept is None or time.monotonic() - self._kept_at <= KEEP_SECONDS:
                return
            session, self._kept = self._kept, None
        session.close()

    def close(self) -> None:
        """QUIT the kept connection, if any."""
        with self._lock:
            session, self._kept = self._kept, None
        if session is not None:
            session.close()

    def connect(self) -> smtplib.SMTP:
        if self.tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        return smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )


class RelaySession:
    """Mails to a relay over one connection; a failed mail closes it (the next reconnects).

    A connection the relay closed between two mails (its limit of mails per connection, an
    idle timeout) is opened again for the next mail, once, before that mail counts as failed.
    """

    def __init__(self, relay: RelayTransport) -> None:
        self.relay = relay
        self._client: smtplib.SMTP | None = None

    def deliver(
        self, raw: bytes, *, sender: str, recipients: Sequence[str], message_id: str
    ) -> None:
        try:
            refused = self._send(raw, sender, recipients)
        except smtplib.SMTPServerDisconnected:  # a reused connection: once more, a new one
            refused = self._send(raw, sender, recipients)
        if refused:
            # Some recipients accepted, some refused: report the refused ones. A retry
            # may repeat the mail to the accepted ones (at-least-once).
            raise _refusal_error(refused)
        log.info("relay: delivered %s via %s:%s", message_id, self.relay.host, self.relay.port)

    def _send(
        self, raw: bytes, sender: str, recipients: Sequence[str]
    ) -> dict[str, tuple[int, bytes]]:
        """``sendmail`` on the open connection (opened if none); errors translated, except
        a disconnection of a reused connection, which :meth:`deliver` retries."""
        reused = self._client is not None
        try:
            if self._client is None:
                self._client = self.relay.connect()
            return self._client.sendmail(sender, list(recipients), raw)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            raise _refusal_error(exc.recipients) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            if reused:
                raise
            raise TransientDeliveryError("451 4.4.2 relay closed the connection") from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _reply_error(exc.smtp_code, exc.smtp_error) from exc
        except smtplib.SMTPException as exc:
            self._drop()
            raise TransientDeliveryError(f"451 4.3.0 relay error ({type(exc).__name__})") from exc
        except OSError as exc:  # refused, reset, timeout, TLS failure, name resolution
            self._drop()
            if reused:  # a kept connection the relay reset meanwhile: deliver() tries anew
                raise smtplib.SMTPServerDisconnected(str(exc)) from exc
            raise TransientDeliveryError(
                f"451 4.4.1 relay unreachable ({type(exc).__name__})"
            ) from exc

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        """QUIT, politely; a relay gone already is no error here."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _reply_error(code: int, text: bytes | str) -> TransientDeliveryError | PermanentDeliveryError:
    """A 5xx reply is permanent; 4xx and anything unexpected are transient."""
    reply = _reply_text(code, text)
    if 500 <= code <= 599:
        return PermanentDeliveryError(reply)
    return TransientDeliveryError(reply)


def _refusal_error(
    refused: dict[str, tuple[int, bytes]],
) -> TransientDeliveryError | PermanentDeliveryError:
    replies = [f"{rcpt}: {_reply_text(code, text)}" for rcpt, (code, text) in refused.items()]
    summary = "recipients refused: " + "; ".join(replies)
    if all(500 <= code <= 599 for code, _ in refused.values()):
        return PermanentDeliveryError(summary)
    return TransientDeliveryError(summary)


def transport_for(relay: str, maildir: Path) -> Transport:
    """The relay transport when ``relay`` is set, else the local maildir (DESIGN §4.2)."""
    if relay.strip():
        return RelayTransport(relay.strip())
    return MaildirTransport(maildir)
