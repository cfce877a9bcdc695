"""The pipeline in processes of its own, so that one gateway uses every core (DESIGN §1.2).

In one interpreter the pipeline's Python — MIME parsing, the register transaction,
composing receipts and routed copies — holds the GIL: measured, the service's main process
was the bottleneck at ~70 ms of CPU per document while its verifier processes idled
(bench/README.md). With ``[gateway] pipeline_processes`` > 0, ``gateway serve`` keeps
claiming items in its worker threads (the urgent-first order, the isolation of suspects
and the spool's moves stay where they were) and hands each claimed item to a
:class:`~gateway.pipeline.lanes.ProcessLanes` lane that runs :meth:`Pipeline.process` on
a pipeline built from the same deployment; the lane reads the item's bytes from the
spool. Nothing else changes for exactly-once: the register transaction is idempotent on
the spool id, as with several instances.

A lane that dies with an item in it (a crash in a C extension, the kernel's OOM killer)
counts as a crash of that item (:class:`~gateway.errors.PipelineProcessDiedError`), as a
crash of the whole service would. A lane's warnings reach the service's own log and
``/system`` through a queue. Each lane examines documents in a verifier process of its
own, under ``[limits]``, as the service does.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import multiprocessing.util
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.errors import PipelineProcessDiedError, TransientError
from gateway.pipeline.lanes import LaneDiedError, ProcessLanes
from gateway.spool.envelope import Envelope

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from gateway.config.sections import GatewaySection
    from gateway.config.settings import Deployment
    from gateway.pipeline.flow import Pipeline, ProcessResult
    from gateway.spool.queue import SpoolItem

log = logging.getLogger(__name__)

# This lane's pipeline (set by its initializer; None elsewhere, or while it cannot start).
_pipeline: Pipeline | None = None
_deployment: Deployment | None = None


def _explicit_levels() -> dict[str, int]:
    """The loggers the service set a level of its own for (pyHanko's, alembic's…)."""
    loggers = logging.Logger.manager.loggerDict.values()
    levels = {
        logger.name: logger.level
        for logger in loggers
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
    }
    return {**levels, "root": logging.getLogger().level}


def _start_lane(
    deployment: Deployment, logs: Queue[logging.LogRecord | None], levels: dict[str, int]
) -> None:
    global _deployment  # noqa: PLW0603 - per-process state of a lane
    # The service stops its lanes when in-flight items are done; a signal to the whole
    # process group (Ctrl-C, systemd's stop) must not cut an item short here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(logs)]
    for name, level in levels.items():
        (root if name == "root" else logging.getLogger(name)).setLevel(level)
    _deployment = deployment
    _build()


def _build() -> Pipeline | None:
    """This lane's pipeline; None (logged) when it cannot be built now (the database is
    down): the item waits as for any transient failure, and the next one tries again."""
    global _pipeline  # noqa: PLW0603 - per-process state of a lane
    if _pipeline is not None or _deployment is None:
        return _pipeline
    from gateway.trust.verifier import verifier_for  # the lane's imports, not the service's
    from gateway.wiring import build

    processes = min(_deployment.settings.gateway.verify_processes, 1)
    verifier = verifier_for(_deployment, processes)
    warming = threading.Thread(target=verifier.warm_up, name="verifier-start")
    warming.start()  # its process imports pyHanko while this one builds the pipeline
    try:
        pipeline = build(_deployment, verify=verifier, migrate=False).pipeline
        warming.join()
        _pipeline = pipeline
        # A lane ends through multiprocessing's exit path, which runs no atexit handler
        # and waits for the lane's own verifier process: stop that first.
        multiprocessing.util.Finalize(None, verifier.close, exitpriority=10)
    except Exception as exc:
        log.warning("a pipeline process could not start; its items wait: %s", exc)
        verifier.close()
    return _pipeline


def _process_in_lane(spool_id: str, message: Path, envelope: Envelope) -> ProcessResult:
    pipeline = _build()
    if pipeline is None:
        raise TransientError("the pipeline process could not start (see the log)")
    return pipeline.process(spool_id, message.read_bytes(), envelope)


def _relay(logs: Queue[logging.LogRecord | None]) -> None:
    """The lanes' log records, handled here as this process's own."""
    while (record := logs.get()) is not None:
        logging.getLogger(record.name).handle(record)


def lane_count(settings: GatewaySection) -> int:
    """How many pipeline processes ``gateway serve`` starts: ``pipeline_processes``, never
    more than ``workers``. A worker thread waits for its item's lane, so a lane serves one
    worker at a time: the processes beyond ``workers`` would only hold memory."""
    count = min(settings.pipeline_processes, settings.workers)
    if count < settings.pipeline_processes:
        log.warning(
            "[gateway] pipeline_processes = %d but workers = %d: %d pipeline processes "
            "started (one per worker); raise workers with pipeline_processes",
            settings.pipeline_processes,
            settings.workers,
            count,
        )
    return count


class PipelineProcesses:
    """``count`` pipeline processes; call one like :meth:`Pipeline.process`."""

    def __init__(self, deployment: Deployment, count: int) -> None:
        self._logs: Queue[logging.LogRecord | None] = multiprocessing.get_context("spawn").Queue()
        self._relay = threading.Thread(
            target=_relay, args=(self._logs,), name="pipeline-logs", daemon=True
        )
        self._relay.start()
        self.lanes = ProcessLanes(count, _start_lane, (deployment, self._logs, _explicit_levels()))

    def __call__(self, item: SpoolItem, envelope: Envelope) -> ProcessResult:
        """Run the pipeline on a claimed item in a lane, which reads the item's bytes from
        the spool itself (a 25 MB message is not pickled through a pipe)."""
        try:
            return self.lanes.run(_process_in_lane, item.id, item.message, envelope)
        except LaneDiedError as exc:
            log.warning("%s: the pipeline process died with it; a new one started", item.id)
            raise PipelineProcessDiedError(f"pipeline process died: {exc}") from exc

    def warm_up(self) -> None:
        """Start every process (each builds its pipeline: seconds) before mail is taken."""
        self.lanes.warm_up()

    def close(self) -> None:
        """After the in-flight items: stop the processes, then the log relay."""
        self.lanes.close()
        self._logs.put(None)
        self._relay.join(timeout=5)
