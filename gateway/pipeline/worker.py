"""Takes items from the spool and runs the pipeline; bounded attempts, then quarantine.

A spool item is finished only after the register transaction committed. A failure
(database locked, disk full, a bug) puts it back with a backoff; after ``max_attempts``
failures the item is parked in quarantine/ with its reason and the administrator is told
(DESIGN §1.2). An item that was in work/ when the process died is processed alone next
time; if the process dies ``max_attempts`` times while it runs alone, it is the cause (a
poison message) and is quarantined. Innocent items caught in a crash are never parked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.clerk.quarantine import record_quarantined
from gateway.errors import PipelineProcessDiedError, ScannerUnavailableError, TransientError
from gateway.pipeline.flow import Pipeline, ProcessResult
from gateway.pipeline.isolation import Isolation
from gateway.spool.envelope import Envelope
from gateway.spool.queue import Spool, SpoolItem
from registry.errors import DatabaseUnavailableError

log = logging.getLogger(__name__)

# Runs one claimed item's pipeline in a pipeline process (processes.py), which reads the
# item's bytes from the spool itself; without one, Pipeline.process runs in this thread.
ItemRunner = Callable[[SpoolItem, Envelope], ProcessResult]

RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0
SCANNER_RETRY_MAX_SECONDS = 60.0


@dataclass
class Worker:
    spool: Spool
    pipeline: Pipeline
    max_attempts: int
    isolation: Isolation = field(default_factory=Isolation)
    run: ItemRunner | None = None  # None: in this thread (pipeline.process)

    def run_once(self) -> bool:
        """Handle the next waiting item, if any; True when one was taken."""
        item = self.spool.claim()
        if item is None:
            return False
        self.handle(item)
        return True

    def handle(self, item: SpoolItem) -> ProcessResult | None:
        """Process one claimed item to its end: done, back in new/, or quarantined."""
        try:
            envelope = item.envelope()
            with item.message.open("rb"):
                pass  # readable; read where the pipeline runs
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self._quarantine(item, f"spool item unreadable: {exc}")
            return None
        if item.state.solo_crashes >= self.max_attempts:
            reason = f"the gateway died {item.state.solo_crashes} times processing this item alone"
            self._quarantine(item, reason, envelope)
            return None
        if item.state.crashes:
            with self.isolation.alone():
                return self._process(self.spool.mark_solo(item), envelope)
        with self.isolation.shared():
            return self._process(item, envelope)

    def _run(self, item: SpoolItem, envelope: Envelope) -> ProcessResult:
        if self.run is not None:
            return self.run(item, envelope)
        return self.pipeline.process(item.id, item.raw(), envelope)

    def _process(self, item: SpoolItem, envelope: Envelope) -> ProcessResult | None:
        try:
            result = self._run(item, envelope)
        except PipelineProcessDiedError:
            # As if the service had died with the item: a suspect, next processed alone.
            self.spool.crashed(item)
            return None
        except ScannerUnavailableError as exc:
            # R-VIRUS: never passed unscanned, never parked for it either: it waits.
            waits = min(item.state.failures, 10)
            delay = min(RETRY_BASE_SECONDS * 2**waits, SCANNER_RETRY_MAX_SECONDS)
            log.warning("%s: virus scanner unavailable, retry in %.0fs: %s", item.id, delay, exc)
            self.spool.retry_later(item, delay, f"waiting for the virus scanner: {exc}")
            return None
        except (TransientError, DatabaseUnavailableError) as exc:
            self._retry_or_quarantine(item, f"transient: {exc}", envelope)
            return None
        except Exception as exc:
            # A bug or an input we did not foresee: never lose the item, never loop forever.
            log.exception("%s: pipeline failure (attempt %d)", item.id, item.attempts)
            self._retry_or_quarantine(item, f"{type(exc).__name__}: {exc}", envelope)
            return None
        self.spool.finish(item, keep_message=not result.restricted)
        return result

    def _retry_or_quarantine(self, item: SpoolItem, error: str, envelope: Envelope) -> None:
        failures = item.state.failures + 1
        if failures >= self.max_attempts:
            self._quarantine(item, f"gave up after {failures} failed attempts: {error}", envelope)
            return
        delay = min(RETRY_BASE_SECONDS * 2 ** (failures - 1), RETRY_MAX_SECONDS)
        log.warning("%s: attempt %d failed, retry in %.0fs: %s", item.id, failures, delay, error)
        self.spool.retry_later(item, delay, error)

    def _quarantine(self, item: SpoolItem, reason: str, envelope: Envelope | None = None) -> None:
        self.spool.quarantine(item, reason)
        log.error("ALERT %s: quarantined for an administrator: %s", item.id, reason)
        if envelope is not None:
            record_quarantined(self.pipeline.engine, item.id, envelope, reason)
