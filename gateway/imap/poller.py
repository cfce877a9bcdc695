"""One watched folder of one account, in its own thread (imapclient is blocking).

The loop: connect and log in → select (UIDVALIDITY) → take in every message above the
highest UID handled in this epoch → move what the register committed → wait for news in
IDLE (renewed well before the server's 29-minute limit) or, without IDLE, sleep
``poll_seconds`` → again. While messages of ours are waiting for their commit, the wait
wakes every half second to move them promptly. A dropped connection reconnects with
exponential backoff; account errors (bad password, TLS) are reported to the health
board, which alerts once per incident. Other accounts run in other threads and go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from gateway.config.sections import ImapAccount
from gateway.errors import ConfigError, ImapAccountError, ImapError, SpoolError
from gateway.imap.client import ImapSession
from gateway.imap.health import HealthBoard
from gateway.imap.intake import take_in
from gateway.imap.lease import FolderLease, LeaseLostError
from gateway.imap.mover import move_committed
from gateway.spool.queue import Spool
from registry.database import read_session
from registry.errors import DatabaseUnavailableError
from registry.mail.imap_ledger import Mailbox, highest_uid, outstanding

log = logging.getLogger(__name__)

IDLE_RENEW_SECONDS = 25 * 60  # servers may drop an IDLE after 29 minutes (RFC 2177)
WAKE_SECONDS = 0.5
FETCH_BATCH = 25
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 300.0
LEASE_RETRY_SECONDS = 5.0


@dataclass
class FolderPoller:
    """Thread body for (account, folder); stop it with ``stop.set()``."""

    account: ImapAccount
    folder: str
    password: Callable[[], str]
    engine: Engine
    spool: Spool
    health: HealthBoard
    on_spooled: Callable[[], object]
    stop: threading.Event
    committed: threading.Event = field(default_factory=threading.Event)
    backoff_first: float = BACKOFF_FIRST_SECONDS
    lease: FolderLease | None = None  # several instances: read only while holding it
    _backoff: float = field(default=BACKOFF_FIRST_SECONDS, init=False)

    def run(self) -> None:
        self._backoff = self.backoff_first
        try:
            while not self.stop.is_set():
                if self.lease is not None and not self.lease.take():
                    self.stop.wait(LEASE_RETRY_SECONDS)  # another instance reads this folder
                    continue
                self._connect_and_serve()
        finally:
            if self.lease is not None:
                self.lease.give_up()

    def _connect_and_serve(self) -> None:
        try:
            imap = ImapSession(self.account, self.password())
        except (ImapError, ConfigError) as exc:
            self._failed(exc)
            return
        try:
            self._serve(imap)
        except LeaseLostError:
            return  # another instance took the folder over; wait for the lease again
        except (ImapError, SpoolError, DatabaseUnavailableError) as exc:
            self._failed(exc)
        except Exception as exc:  # a bug: keep the other accounts and this thread alive
            log.exception("IMAP %s/%s: unexpected failure", self.account.name, self.folder)
            self._failed(exc)
        finally:
            imap.close()

    def _keep_lease(self) -> None:
        if self.lease is not None:
            self.lease.keep()

    def _failed(self, exc: Exception) -> None:
        """Report, then wait the current backoff (doubled for next time)."""
        permanent = isinstance(exc, ImapAccountError | ConfigError)
        log.warning(
            "IMAP %s/%s: %s; retrying in %.0fs", self.account.name, self.folder, exc, self._backoff
        )
        self.health.failed(self.account.name, self.folder, str(exc), permanent=permanent)
        self.stop.wait(self._backoff)
        self._backoff = min(self._backoff * 2, BACKOFF_MAX_SECONDS)

    def _serve(self, imap: ImapSession) -> None:
        if self.account.mode == "move":
            imap.ensure_folder(self.account.processed_folder)
            imap.ensure_folder(self.account.failed_folder)
        box = Mailbox(self.account.name, self.folder, imap.select(self.folder))
        self.health.connected(self.account.name, self.folder, box.uidvalidity)
        self._backoff = self.backoff_first
        log.info(
            "IMAP %s/%s: watching (UIDVALIDITY %d, %s)",
            self.account.name,
            self.folder,
            box.uidvalidity,
            "IDLE" if imap.has(b"IDLE") else f"polling every {self.account.poll_seconds:.0f}s",
        )
        while not self.stop.is_set():
            self._keep_lease()
            self.committed.clear()
            # Move first, then look for news: the last command before IDLE is the search,
            # so a message appended after it is announced inside IDLE — never swallowed by
            # a MOVE's untagged responses and left waiting until the IDLE renewal.
            move_committed(self.engine, imap, box)
            self._scan(imap, box)
            with read_session(self.engine) as session:
                waiting = outstanding(session, box) > 0
            if imap.has(b"IDLE"):
                self._idle(imap, waiting)
            else:
                self._sleep(imap, waiting)

    def _scan(self, imap: ImapSession, box: Mailbox) -> None:
        with read_session(self.engine) as session:
            last = highest_uid(session, box)
        uids = imap.uids_after(last)
        for start in range(0, len(uids), FETCH_BATCH):
            if self.stop.is_set():
                return
            batch = uids[start : start + FETCH_BATCH]
            fetched = imap.fetch(batch)
            for uid in batch:
                raw = fetched.get(uid)
                if raw is None:  # expunged by someone else meanwhile
                    continue
                if take_in(self.engine, self.spool, box, uid, raw) is not None:
                    self.on_spooled()

    def _idle(self, imap: ImapSession, waiting: bool) -> None:
        """IDLE until news, a commit to move, stop, or the renewal time."""
        imap.idle_start()
        try:
            deadline = time.monotonic() + IDLE_RENEW_SECONDS
            while not self.stop.is_set() and time.monotonic() < deadline:
                self._keep_lease()
                if imap.idle_wait(WAKE_SECONDS):
                    return
                if waiting and self.committed.is_set():
                    return
        finally:
            imap.idle_stop()

    def _sleep(self, imap: ImapSession, waiting: bool) -> None:
        deadline = time.monotonic() + self.account.poll_seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            self._keep_lease()
            if waiting and self.committed.is_set():
                break
            self.stop.wait(WAKE_SECONDS)
        imap.noop()
