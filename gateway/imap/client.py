"""One IMAP connection (imapclient, blocking): connect, log in, select, search, fetch, idle.

This is the boundary where imapclient, imaplib, ssl and socket errors become ours:
:class:`ImapConnectionError` (transient: dropped, timed out, unreachable — reconnect with
backoff) or :class:`ImapAccountError` (wrong password, TLS failure, a folder we may not
create — an incident for the administrator). Folder names go through imapclient's
modified UTF-7 encoding, so "Đã xử lý" is sent as ``&ARA-a x&Ex0- l&AP0-``.

Only ASCII search criteria are ever sent (``UID n:*``); anything else is filtered in
Python after decoding. Messages are fetched with ``BODY.PEEK[]``: nothing is marked
\\Seen before the register holds it.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from gateway.config.sections import ImapAccount
from gateway.errors import ImapAccountError, ImapConnectionError

log = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 60.0
FETCH_ITEM = "BODY.PEEK[]"
FETCHED_KEY = b"BODY[]"


@contextmanager
def translated(account: str, doing: str) -> Iterator[None]:
    """Translate third-party failures into our error tree (never with the password)."""
    try:
        yield
    except LoginError as exc:
        raise ImapAccountError(f"{account}: login refused while {doing}: {_text(exc)}") from exc
    except ssl.SSLError as exc:
        raise ImapAccountError(f"{account}: TLS failure while {doing}: {exc}") from exc
    except (IMAPClientAbortError, imaplib.IMAP4.abort, OSError, EOFError) as exc:
        raise ImapConnectionError(f"{account}: connection lost while {doing}: {exc}") from exc
    except (IMAPClientError, imaplib.IMAP4.error) as exc:
        raise ImapConnectionError(f"{account}: server refused while {doing}: {exc}") from exc


def _text(exc: BaseException) -> str:
    value = exc.args[0] if exc.args else exc
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class ImapSession:
    """A logged-in connection of one account, with one folder selected at a time."""

    def __init__(self, account: ImapAccount, password: str) -> None:
        self.account = account
        name = account.name
        with translated(name, "connecting"):
            context = ssl.create_default_context() if account.tls != "none" else None
            self.client = IMAPClient(
                account.host,
                port=account.effective_port,
                ssl=account.tls == "implicit",
                ssl_context=context,
                timeout=SOCKET_TIMEOUT_SECONDS,
            )
        try:
            with translated(name, "logging in"):
                if account.tls == "starttls":
                    self.client.starttls(context)
                self.client.login(account.username, password)
                self.capabilities = {bytes(c).upper() for c in self.client.capabilities()}
        except BaseException:
            self.close()
            raise

    def has(self, capability: bytes) -> bool:
        return capability.upper() in self.capabilities

    def ensure_folder(self, folder: str) -> None:
        with translated(self.account.name, f"creating folder {folder!r}"):
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)
                log.info("%s: created folder %r", self.account.name, folder)

    def select(self, folder: str) -> int:
        """Select ``folder`` read-write; returns its UIDVALIDITY."""
        with translated(self.account.name, f"selecting {folder!r}"):
            info = self.client.select_folder(folder)
        return int(info[b"UIDVALIDITY"])

    def uids_after(self, uid: int) -> list[int]:
        """UIDs above ``uid`` (``n:*`` always names the last message: filter it here)."""
        with translated(self.account.name, "searching"):
            found = self.client.search(["UID", f"{uid + 1}:*"])
        return sorted(u for u in (int(x) for x in found) if u > uid)

    def fetch(self, uids: Sequence[int]) -> dict[int, bytes]:
        """The raw bytes of each message, exactly as stored, without setting \\Seen."""
        with translated(self.account.name, "fetching"):
            found: dict[int, dict[bytes, Any]] = self.client.fetch(list(uids), [FETCH_ITEM])
        return {int(uid): data[FETCHED_KEY] for uid, data in found.items() if FETCHED_KEY in data}

    def move(self, uids: Sequence[int], folder: str) -> None:
        """MOVE, or COPY + \\Deleted + UID EXPUNGE where the server has no MOVE."""
        with translated(self.account.name, f"moving to {folder!r}"):
            if self.has(b"MOVE"):
                self.client.move(list(uids), folder)
                return
            self.client.copy(list(uids), folder)
            self.client.add_flags(list(uids), [b"\\Deleted"])
            # UID EXPUNGE touches only ours; plain EXPUNGE is the last resort (no UIDPLUS)
            self.client.expunge(list(uids) if self.has(b"UIDPLUS") else None)

    def flag(self, uids: Sequence[int], keyword: str) -> None:
        with translated(self.account.name, f"setting {keyword}"):
            self.client.add_flags(list(uids), [keyword.encode("ascii")])

    def idle_start(self) -> None:
        with translated(self.account.name, "starting IDLE"):
            self.client.idle()

    def idle_wait(self, timeout: float) -> bool:
        """Wait in IDLE; True when the server announced new or expunged messages."""
        with translated(self.account.name, "idling"):
            responses = self.client.idle_check(timeout=timeout)
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    def idle_stop(self) -> None:
        with translated(self.account.name, "ending IDLE"):
            self.client.idle_done()

    def noop(self) -> None:
        with translated(self.account.name, "polling"):
            self.client.noop()

    def close(self) -> None:
        """Log out politely when the connection still works; never raises."""
        try:
            self.client.logout()
        except (IMAPClientError, imaplib.IMAP4.error, OSError, EOFError, AttributeError):
            try:
                self.client.shutdown()
            except (OSError, AttributeError):
                log.debug("%s: connection already gone", self.account.name)
