"""The IMAP pollers of ``gateway serve``: one thread per (account, watched folder).

:class:`ImapIntake` is built from the components, started after the SMTP listeners and
stopped at shutdown before the workers finish; ``on_spooled`` wakes the workers (the
service passes ``loop.call_soon_threadsafe(event.set)``), and :meth:`committed` tells the
pollers that the register took something, so they move it without delay.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from gateway.config.sections import ImapAccount
from gateway.config.settings import imap_password
from gateway.imap.health import Alert, HealthBoard
from gateway.imap.lease import FolderLease
from gateway.imap.poller import FolderPoller
from gateway.storage.heartbeat import default_instance_name
from gateway.wiring import Components

log = logging.getLogger(__name__)

JOIN_SECONDS = 10.0


class ImapIntake:
    def __init__(
        self,
        components: Components,
        on_spooled: Callable[[], object],
        alert: Alert | None = None,  # mails the administrator (wired by the service)
    ) -> None:
        deployment = components.deployment
        settings = deployment.settings
        self._stop = threading.Event()
        self.health = HealthBoard(
            deployment.data_dir,
            [account.name for account in settings.imap],
            alert,
        )
        holder = settings.gateway.instance_name or default_instance_name(deployment.data_dir)
        self.pollers = [
            FolderPoller(
                account=account,
                folder=folder,
                password=_password_of(components, account),
                engine=components.engine,
                spool=components.spool,
                health=self.health,
                on_spooled=on_spooled,
                stop=self._stop,
                lease=FolderLease(components.engine, account.name, folder, holder),
            )
            for account in settings.imap
            for folder in account.folders
        ]
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for poller in self.pollers:
            thread = threading.Thread(
                target=poller.run,
                name=f"imap-{poller.account.name}-{poller.folder}",
                daemon=True,  # a server that hangs must not keep the process alive
            )
            thread.start()
            self._threads.append(thread)
            log.info("IMAP %s: watching folder %r", poller.account.name, poller.folder)

    def committed(self) -> None:
        for poller in self.pollers:
            poller.committed.set()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(JOIN_SECONDS)
            if thread.is_alive():
                log.warning("%s did not stop within %.0fs", thread.name, JOIN_SECONDS)
        if self.pollers:
            self.health.stopped()


def _password_of(components: Components, account: ImapAccount) -> Callable[[], str]:
    """Read at each connection, so a corrected password file is picked up."""
    return lambda: imap_password(components.deployment, account)
