"""Single-process lanes: a small set of worker processes, one task in each at a time.

pyHanko and the ``email`` package are pure Python: in threads they hold the GIL, so two
threads use one core (FIELD-NOTES: "parallelise with processes"). A lane is a process
pool of one (spawned: safe beside threads). A caller waits for an idle lane (waiting is
not counted against the task); a lane whose task overran its time is killed and replaced,
and one whose process died is replaced — the tasks in the other lanes go on.

Used by the signature verifier (:mod:`gateway.trust.verifier`) and by the pipeline
processes (:mod:`gateway.pipeline.processes`).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

_T = TypeVar("_T")


class LaneOverTimeError(Exception):
    """The task overran its time; its process was killed and the lane replaced."""


class LaneDiedError(Exception):
    """The lane's process died during the task (a crash, out of memory); lane replaced."""


PARENT_POLL_SECONDS = 1.0


def _start(parent: int, initializer: Callable[..., object], initargs: tuple[object, ...]) -> None:
    """A lane's first step: it ends when the process that made it is gone (killed, not
    stopped: a stop closes the lanes), never working on as an orphan; then the caller's
    ``initializer``."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    initializer(*initargs)


def ready(_: int) -> int:
    """A task that keeps its process busy briefly, so that each lane gets one started."""
    time.sleep(0.05)
    return os.getpid()


class ProcessLanes:
    """``count`` lanes, each started by ``initializer(*initargs)`` in its own process (both
    picklable: module-level)."""

    def __init__(
        self,
        count: int,
        initializer: Callable[..., object],
        initargs: tuple[object, ...] = (),
    ) -> None:
        self._initializer = initializer
        self._initargs = initargs
        self._lock = threading.Lock()
        self._pools = [self._new_pool() for _ in range(count)]
        self._idle: queue.Queue[ProcessPoolExecutor] = queue.Queue()
        for pool in self._pools:
            self._idle.put(pool)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(os.getpid(), self._initializer, self._initargs),
        )

    def run(self, task: Callable[..., _T], *args: object, timeout: float | None = None) -> _T:
        """``task(*args)`` in the next idle lane; its exception, if it raised, is raised."""
        pool = self._idle.get()
        try:
            return pool.submit(task, *args).result(timeout=timeout)
        except FuturesTimeoutError:
            pool = self._replace(pool, kill=True)
            raise LaneOverTimeError from None
        except BrokenProcessPool as exc:
            pool = self._replace(pool, kill=False)
            raise LaneDiedError(str(exc)) from exc
        finally:
            self._idle.put(pool)

    def _replace(self, pool: ProcessPoolExecutor, *, kill: bool) -> ProcessPoolExecutor:
        """Stop ``pool`` now (a stuck process never returns) and start its successor."""
        if kill:
            for process in list(getattr(pool, "_processes", {}).values()):  # no public API
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        fresh = self._new_pool()
        with self._lock:
            self._pools = [fresh if p is pool else p for p in self._pools]
        if kill:
            fresh.submit(ready, 0).result()  # a cold process would eat the next time limit
        return fresh

    def warm_up(self) -> list[int]:
        """Start every lane now (spawning and importing takes seconds), so that the first
        tasks are not slowed by it; the lanes' process ids."""
        with self._lock:
            pools = list(self._pools)
        return [future.result() for future in [pool.submit(ready, 0) for pool in pools]]

    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        """The lanes' live processes (to signal them, or for a test to watch)."""
        with self._lock:
            pools = list(self._pools)
        return [p for pool in pools for p in getattr(pool, "_processes", {}).values()]

    def close(self) -> None:
        """Let running tasks finish, then stop every lane."""
        with self._lock:
            pools = list(self._pools)
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
