"""Signature verification in worker processes, with a chain cache in each.

pyHanko's validation is pure Python: in threads it holds the GIL, so two workers verify
no faster than one and the SMTP loop waits behind them. A small process pool gives each
core its own interpreter (FIELD-NOTES: "parallelise with processes"). Worker threads
call :class:`ProcessVerifier` (or :class:`LocalVerifier`, verifying in the calling
thread) exactly like :func:`mailparse.signatures.verify.verify_pdf`.

Each verifying process keeps one bounded :class:`~mailparse.sigcache.ChainCache`
(certificate paths keyed by certificate and trust-store version; a new trust store or new
revocation data changes the version and empties it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from gateway.errors import TransientError
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

# The cache of this verifier process (set by the pool's initializer; None elsewhere).
_process_cache: ChainCache | None = None


def _start_process(cache_size: int) -> None:
    global _process_cache  # noqa: PLW0603 - per-process state of a pool worker
    _process_cache = ChainCache(cache_size) if cache_size else None


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


class LocalVerifier:
    """Verify in the calling thread, with one cache shared by the threads."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.cache = ChainCache(cache_size) if cache_size else None

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        return verify_pdf(data, trust, at, self.cache)


class ProcessVerifier:
    """A pool of ``processes`` verifier processes (spawned: safe beside threads).

    A document that takes longer than ``document_seconds`` (``[limits]``) is given an
    INDETERMINATE verdict (held for a clerk by default) and the pool, with the stuck
    process, is replaced; other documents in flight then fail transiently and are retried.
    """

    def __init__(
        self,
        processes: int,
        cache_size: int = CACHE_SIZE,
        document_seconds: float | None = None,
        task: Callable[[bytes, TrustStore, datetime], PdfSignatures] | None = None,
    ) -> None:
        self._processes = processes
        self._cache_size = cache_size
        self._document_seconds = document_seconds
        self._task = task or _verify_in_process
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process,
            initargs=(self._cache_size,),
        )

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        pool = self._pool
        try:
            future = pool.submit(self._task, data, trust, at)
            return future.result(timeout=self._document_seconds)
        except FuturesTimeoutError:
            log.warning(
                "a document took over %ss to verify; verifier processes replaced",
                self._document_seconds,
            )
            self._kill(pool)
            return timed_out(self._document_seconds or 0)
        except BrokenProcessPool as exc:
            # A verifier process died (out of memory, a crash in a C extension): the item
            # is retried later by the worker, with a fresh pool.
            log.warning("signature verifier process died; starting a new pool")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            raise TransientError("signature verifier process died") from exc

    def _kill(self, pool: ProcessPoolExecutor) -> None:
        """Stop ``pool``'s processes now (a stuck one never returns) and start a new pool."""
        if pool is self._pool:
            self._pool = self._new_pool()
        processes = list(getattr(pool, "_processes", {}).values())  # no public API in 3.11
        for process in processes:
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        self.warm_up()  # a cold process would eat the next document's time limit

    def warm_up(self) -> None:
        """Start every process now (spawning and importing pyHanko takes about a second),
        so that the first documents are not slowed by it."""
        list(self._pool.map(_ready, range(self._processes)))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
