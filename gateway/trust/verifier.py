"""Signature verification in worker processes, with a chain cache in each.

pyHanko's validation is pure Python: in threads it holds the GIL, so two workers verify
no faster than one and the SMTP loop waits behind them. A small process pool gives each
core its own interpreter (FIELD-NOTES: "parallelise with processes"). Worker threads
call :class:`ProcessVerifier` (or :class:`LocalVerifier`, verifying in the calling
thread) exactly like :func:`mailparse.signatures.verify.verify_pdf`.

Each verifying process keeps one bounded :class:`~mailparse.sigcache.ChainCache`
(certificate paths keyed by certificate and trust-store version; a new trust store or new
revocation data changes the version and empties it).

The same processes examine whole documents (:meth:`ProcessVerifier.examine`: signatures,
text layer, OCR, active content — :mod:`gateway.pipeline.examine`) under one time limit
(``[limits] document_seconds``) and an address-space rlimit (``[limits]
document_memory_mb``), so a PDF bomb costs a replaceable process, never the service.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import TypeVar

from gateway.errors import TransientError
from gateway.pipeline.examine import (
    OVER_TIME,
    DocumentWork,
    Examination,
    examine,
    examine_guarded,
    over_budget,
)
from mailparse.signatures.cache import ChainCache
from mailparse.signatures.verdicts import (
    PdfSignatures,
    SignatureReport,
    SignatureVerdict,
    TrustStore,
)
from mailparse.signatures.verify import verify_pdf

log = logging.getLogger(__name__)

CACHE_SIZE = 1024
_T = TypeVar("_T")

# The cache of this verifier process (set by the pool's initializer; None elsewhere).
_process_cache: ChainCache | None = None


def _start_process(cache_size: int, memory_bytes: int | None = None) -> None:
    global _process_cache  # noqa: PLW0603 - per-process state of a pool worker
    _process_cache = ChainCache(cache_size) if cache_size else None
    if memory_bytes:  # the whole process, and what it starts (tesseract), stays under it
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _ready(_: int) -> int:
    """A task that keeps its process busy briefly, so that each process gets one."""
    time.sleep(0.05)
    return os.getpid()


def timed_out(seconds: float) -> PdfSignatures:
    """The verdict on a document whose verification overran ``[limits] document_seconds``."""
    return PdfSignatures(
        (
            SignatureReport(
                field_name="",
                signer=None,
                organization=None,
                signed_at=None,
                verdict=SignatureVerdict.INDETERMINATE,
                details=(f"verification took longer than {seconds:g} s (resource limit)",),
            ),
        )
    )


def _verify_in_process(data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
    return verify_pdf(data, trust, at, _process_cache)


def _examine_in_process(work: DocumentWork) -> Examination:
    return examine_guarded(work, _verify_in_process)


class _OverTimeError(Exception):
    """A task overran ``document_seconds``; its process was killed."""


class LocalVerifier:
    """Verify in the calling thread, with one cache shared by the threads."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.cache = ChainCache(cache_size) if cache_size else None

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        return verify_pdf(data, trust, at, self.cache)

    def examine(self, work: DocumentWork) -> Examination:
        return examine(work, self)


class ProcessVerifier:
    """``processes`` verifier processes (spawned: safe beside threads), each its own lane.

    A caller waits for an idle process (waiting is not counted against the document), then
    the document has ``document_seconds`` (``[limits]``): a signature check over it is
    INDETERMINATE (held for a clerk by default), an examination over it is unreadable, and
    only the stuck process is replaced — documents in the other processes go on.
    """

    def __init__(  # noqa: PLR0917 - the first four are positional in existing callers
        self,
        processes: int,
        cache_size: int = CACHE_SIZE,
        document_seconds: float | None = None,
        task: Callable[[bytes, TrustStore, datetime], PdfSignatures] | None = None,
        memory_bytes: int | None = None,
        examine_task: Callable[[DocumentWork], Examination] | None = None,
    ) -> None:
        self._processes = processes
        self._cache_size = cache_size
        self._document_seconds = document_seconds
        self._task = task or _verify_in_process
        self._examine_task = examine_task or _examine_in_process
        self._memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._pools = [self._new_pool() for _ in range(processes)]  # one process each
        self._idle: queue.Queue[ProcessPoolExecutor] = queue.Queue()
        for pool in self._pools:
            self._idle.put(pool)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process,
            initargs=(self._cache_size, self._memory_bytes),
        )

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        try:
            return self._run(self._task, data, trust, at)
        except _OverTimeError:
            return timed_out(self._document_seconds or 0)

    def examine(self, work: DocumentWork) -> Examination:
        """The whole examination of one document under the budget; over it, unreadable."""
        try:
            return self._run(self._examine_task, work)
        except _OverTimeError:
            return over_budget(OVER_TIME)

    def _run(self, task: Callable[..., _T], *args: object) -> _T:
        pool = self._idle.get()
        try:
            future = pool.submit(task, *args)
            return future.result(timeout=self._document_seconds)
        except FuturesTimeoutError:
            log.warning(
                "a document took over %ss to examine; its verifier process replaced",
                self._document_seconds,
            )
            pool = self._replace(pool, kill=True)
            raise _OverTimeError from None
        except BrokenProcessPool as exc:
            # A verifier process died (out of memory, a crash in a C extension): the item
            # is retried later by the worker, with a fresh process.
            log.warning("signature verifier process died; starting a new one")
            pool = self._replace(pool, kill=False)
            raise TransientError("signature verifier process died") from exc
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
            fresh.submit(_ready, 0).result()  # a cold process would eat the next time limit
        return fresh

    def warm_up(self) -> None:
        """Start every process now (spawning and importing pyHanko takes about a second),
        so that the first documents are not slowed by it."""
        with self._lock:
            pools = list(self._pools)
        for future in [pool.submit(_ready, 0) for pool in pools]:
            future.result()

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools)
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
