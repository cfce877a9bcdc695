"""``gateway serve``: listeners, workers and the outbox in one asyncio process.

Async only at the network edge: the SMTP sessions run on the loop; the pipeline and the
outbox run in worker threads. SIGTERM (or SIGINT) stops accepting, lets in-flight items
finish, and exits 0; whatever was not finished is still in the spool for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gateway.clerk.quarantine import list_quarantined_on_start
from gateway.distribution.decide import Desk
from gateway.distribution.digest import send_digests
from gateway.distribution.late import chase_late
from gateway.imap.service import ImapIntake
from gateway.issuing.clock import issue_clock_for
from gateway.outbox.imap_alerts import outbox_alert
from gateway.pipeline.isolation import Isolation
from gateway.pipeline.worker import ItemRunner, Worker
from gateway.smtp.guard import start_smtp_listeners
from gateway.smtp.listener import IntakeHandler, RecipientPolicy, start_listener
from gateway.storage.heartbeat import BEAT_SECONDS, heartbeat_for
from gateway.tracking.clock import clock_for
from gateway.wiring import Components

if TYPE_CHECKING:
    from gateway.web.server import ConsoleServer

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
DONE_RETENTION_SECONDS = 7 * 24 * 3600


class Service:
    def __init__(self, components: Components, *, run: ItemRunner | None = None) -> None:
        self.c = components
        self._run = run  # pipeline processes (gateway.pipeline.processes); None: threads
        self._stopping = asyncio.Event()
        self._spooled = asyncio.Event()
        self._committed = asyncio.Event()
        self._servers: list[asyncio.Server] = []
        self._imap: ImapIntake | None = None
        self.ready = asyncio.Event()  # set once the listeners accept connections
        self._isolation = Isolation()  # shared by the workers: suspects run alone
        # Pipeline and outbox threads of their own: the default executor stays free for
        # the SMTP sessions' spool writes, so a busy pipeline never delays a 250.
        self._executor = ThreadPoolExecutor(
            max_workers=components.deployment.settings.gateway.workers + 2,  # + outbox, clock
            thread_name_prefix="pipeline",
        )

    def stop(self) -> None:
        """Ask :meth:`run` to stop as SIGTERM would."""
        self._stopping.set()

    async def run(self) -> None:
        settings = self.c.deployment.settings
        recovered = self.c.spool.recover()
        if recovered:
            log.warning("recovered %d item(s) left in work/ by an earlier stop", recovered)
        list_quarantined_on_start(self.c.engine, self.c.spool)
        self.c.spool.prune_done(DONE_RETENTION_SECONDS)
        self.c.outbox.release_orphans()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._stopping.set)
        if self.c.router is not None:  # SIGHUP: re-read rules.yaml; a bad file is refused
            loop.add_signal_handler(signal.SIGHUP, self.c.router.reload)
        if self.c.pipeline.scanner is None:
            log.warning("virus scanning is OFF: no scanner is configured (R-VIRUS)")
        else:
            log.info(
                "virus scanning with %s (required: mail waits while it is down)",
                self.c.pipeline.scanner.name,
            )
        await self._start_listeners()
        settings = self.c.deployment.settings
        imap = ImapIntake(
            self.c,
            on_spooled=lambda: loop.call_soon_threadsafe(self._spooled.set),
            alert=outbox_alert(
                self.c.engine,
                settings.outgoing.from_address,
                settings.alerts.administrator,
                self.c.pipeline.signer,
            ),
        )
        imap.start()
        self._imap = imap
        tasks = [
            asyncio.create_task(self._work_loop(n), name=f"worker-{n}")
            for n in range(settings.gateway.workers)
        ]
        tasks.append(asyncio.create_task(self._outbox_loop(), name="outbox"))
        tasks.append(asyncio.create_task(self._clock_loop(), name="clock"))
        tasks.append(asyncio.create_task(self._heartbeat_loop(), name="heartbeat"))
        console = self._console()
        if console is not None:
            tasks.append(asyncio.create_task(console.serve(), name="console"))
        log.info(
            "gateway ready: smtp %s, data %s", settings.smtp.listen, self.c.deployment.data_dir
        )
        self.ready.set()
        await self._stopping.wait()
        log.info("stopping: no new mail accepted; finishing in-flight items")
        if console is not None:
            console.stop()
        for server in self._servers:
            server.close()
        await loop.run_in_executor(None, imap.stop)
        self._spooled.set()
        self._committed.set()
        await asyncio.gather(*tasks)
        for server in self._servers:
            await server.wait_closed()
        self._executor.shutdown(wait=True)
        self.c.outbox.close()  # after its loop: QUIT to the relay
        log.info("stopped")

    def _console(self) -> ConsoleServer | None:
        """The web console on ``[web] listen`` (empty: none), in this process (§4.6)."""
        if not self.c.deployment.settings.web.listen:
            return None
        from gateway.web.server import ConsoleServer

        return ConsoleServer(self.c.deployment, self.c.engine, self.c)

    async def _start_listeners(self) -> None:
        smtp = self.c.deployment.settings.smtp
        self._servers += await start_smtp_listeners(
            self.c.deployment, self.c.spool, lambda _id: self._spooled.set()
        )
        recipients = RecipientPolicy(smtp.addresses)
        for listen, lmtp in ((smtp.lmtp_listen, True),):  # LMTP: a local MTA, no limits
            if not listen:
                continue
            handler = IntakeHandler(
                self.c.spool,
                recipients,
                smtp.max_message_bytes,
                on_spooled=lambda _id: self._spooled.set(),
                protocol="lmtp" if lmtp else "smtp",
            )
            server = await start_listener(
                handler,
                listen,
                max_message_bytes=smtp.max_message_bytes,
                hostname=smtp.hostname or None,
                lmtp=lmtp,
            )
            self._servers.append(server)
            log.info("listening for %s on %s", "LMTP" if lmtp else "SMTP", listen)

    async def _work_loop(self, number: int) -> None:
        worker = Worker(
            self.c.spool,
            self.c.pipeline,
            self.c.deployment.settings.gateway.max_attempts,
            isolation=self._isolation,
            run=self._run,
        )
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            # Clear before looking, so a message spooled while we look is not missed.
            self._spooled.clear()
            try:
                handled = await loop.run_in_executor(self._executor, worker.run_once)
            except Exception:
                log.exception("worker-%d: spool failure; pausing", number)
                handled = False
            if handled:
                self._committed.set()
                if self._imap is not None:
                    self._imap.committed()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._spooled.wait(), IDLE_POLL_SECONDS)

    async def _heartbeat_loop(self) -> None:
        """This instance alive in the shared database, every BEAT_SECONDS (DESIGN §3)."""
        settings = self.c.deployment.settings
        heartbeat = heartbeat_for(
            self.c.engine,
            self.c.spool,
            settings.gateway.instance_name,
            self.c.deployment.data_dir,
        )
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                await loop.run_in_executor(self._executor, heartbeat.beat)
            except Exception:  # the database is down: the workers say so; try again
                log.warning("heartbeat not written; retrying in %.0fs", BEAT_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), BEAT_SECONDS)
        with contextlib.suppress(Exception):
            await loop.run_in_executor(self._executor, lambda: heartbeat.beat(stopped=True))

    async def _clock_loop(self) -> None:
        """Reminders and escalations (gateway.clock), every [gateway] clock_interval_seconds."""
        clock = clock_for(self.c)
        issue_clock = issue_clock_for(self.c)  # issued documents' reminders (R-DELIVERY)
        interval = self.c.deployment.settings.gateway.clock_interval_seconds
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                now = datetime.now(UTC)
                fired = await loop.run_in_executor(self._executor, clock.run_once, now)
                fired += await loop.run_in_executor(self._executor, self._digests, now)
                fired += await loop.run_in_executor(self._executor, issue_clock.run_once, now)
            except Exception:
                log.exception("clock: round failed; retrying in %.0fs", interval)
                fired = 0
            if fired:
                self._committed.set()  # their mails are in the outbox
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)

    def _digests(self, now: datetime) -> int:
        """The leaders' digests of this working session, late decisions chased (R-DISTRIB)."""
        pipeline = self.c.pipeline
        desk = Desk.of(pipeline)
        sent = send_digests(desk, now, signer=pipeline.signer)
        return sent + chase_late(desk, now, signer=pipeline.signer)

    async def _outbox_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._committed.clear()  # before looking, as in _work_loop
            try:
                sent = await loop.run_in_executor(self._executor, self.c.outbox.run_once)
            except Exception:
                log.exception("outbox: delivery round failed; retrying shortly")
                sent = 0
            if self._stopping.is_set():
                return
            if sent:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._committed.wait(), IDLE_POLL_SECONDS)
