"""Takes items from the spool and runs the pipeline; bounded attempts, then quarantine.

A spool item is finished only after the register transaction committed. A transient
failure (database locked, disk full) puts it back with a backoff; any other failure is
counted too, and after ``max_attempts`` the item is parked in quarantine/ with its reason
and the administrator is told (DESIGN §1.2). Attempts are counted at claim time and kept
on disk, so an item that kills the process outright is also quarantined eventually.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gateway.envelope import Envelope
from gateway.errors import TransientError
from gateway.pipeline import Pipeline, ProcessResult
from gateway.quarantine import record_quarantined
from gateway.spool import Spool, SpoolItem
from registry.errors import DatabaseUnavailableError

log = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0


@dataclass
class Worker:
    spool: Spool
    pipeline: Pipeline
    max_attempts: int

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
            raw, envelope = item.raw(), item.envelope()
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self._quarantine(item, f"spool item unreadable: {exc}")
            return None
        if item.attempts > self.max_attempts:
            self._quarantine(item, f"gave up after {item.attempts - 1} attempts", envelope)
            return None
        try:
            result = self.pipeline.process(item.id, raw, envelope)
        except (TransientError, DatabaseUnavailableError) as exc:
            self._retry_or_quarantine(item, f"transient: {exc}", envelope)
            return None
        except Exception as exc:
            # A bug or an input we did not foresee: never lose the item, never loop forever.
            log.exception("%s: pipeline failure (attempt %d)", item.id, item.attempts)
            self._retry_or_quarantine(item, f"{type(exc).__name__}: {exc}", envelope)
            return None
        self.spool.finish(item)
        return result

    def _retry_or_quarantine(self, item: SpoolItem, error: str, envelope: Envelope) -> None:
        if item.attempts >= self.max_attempts:
            self._quarantine(item, error, envelope)
            return
        delay = min(RETRY_BASE_SECONDS * 2 ** (item.attempts - 1), RETRY_MAX_SECONDS)
        log.warning(
            "%s: attempt %d failed, retry in %.0fs: %s", item.id, item.attempts, delay, error
        )
        self.spool.retry_later(item, delay, error)

    def _quarantine(self, item: SpoolItem, reason: str, envelope: Envelope | None = None) -> None:
        self.spool.quarantine(item, reason)
        log.error("ALERT %s: quarantined for an administrator: %s", item.id, reason)
        if envelope is not None:
            record_quarantined(self.pipeline.engine, item.id, envelope, reason)
