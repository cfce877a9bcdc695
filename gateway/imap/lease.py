"""A poller's hold on its folder when several instances watch one mailbox (DESIGN §3).

:class:`FolderLease` takes the folder's lease before the poller connects, renews it while
the poller works (often enough that it never runs out under a live holder) and gives it up
at a clean stop; when the holder dies, the lease runs out and another instance's poller
takes the folder over within :data:`LEASE_TTL`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from registry.errors import DatabaseUnavailableError
from registry.mail.imap_lease import hold, release

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=30)
RENEW_SECONDS = 10.0  # a third of the lease: two renewals may fail before it runs out


class LeaseLostError(Exception):
    """Another instance holds the folder now: stop reading it."""


@dataclass
class FolderLease:
    engine: Engine
    account: str
    folder: str
    holder: str
    _renewed: float = field(default=0.0, init=False)

    def take(self) -> bool:
        """Try once to hold the folder; True when this instance holds it now."""
        try:
            held = hold(
                self.engine,
                self.account,
                self.folder,
                self.holder,
                now=datetime.now(UTC),
                ttl=LEASE_TTL,
            )
        except DatabaseUnavailableError:
            return False
        if held:
            self._renewed = time.monotonic()
        return held

    def keep(self) -> None:
        """Renew when due; LeaseLostError when another instance took the folder over."""
        if time.monotonic() - self._renewed < RENEW_SECONDS:
            return
        if not self.take():
            log.warning("IMAP %s/%s: lease lost to another instance", self.account, self.folder)
            raise LeaseLostError(f"{self.account}/{self.folder}")

    def give_up(self) -> None:
        with contextlib.suppress(DatabaseUnavailableError):  # else it runs out by itself
            release(self.engine, self.account, self.folder, self.holder, now=datetime.now(UTC))
