"""Signature verification in worker processes.

pyHanko's validation is pure Python: in threads it holds the GIL, so two workers verify
no faster than one and the SMTP loop waits behind them. A small process pool gives each
core its own interpreter (FIELD-NOTES: "parallelise with processes"). Worker threads
call :class:`ProcessVerifier` exactly like :func:`mailparse.signatures.verify_pdf`.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from gateway.errors import TransientError
from mailparse.signatures import verify_pdf
from mailparse.verdicts import PdfSignatures, TrustStore

log = logging.getLogger(__name__)


class ProcessVerifier:
    """A pool of ``processes`` verifier processes (spawned: safe beside threads)."""

    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._processes, mp_context=multiprocessing.get_context("spawn")
        )

    def warm_up(self) -> None:
        """Start every process and import pyHanko there now, not on the first document."""
        for future in [self._pool.submit(_ready) for _ in range(self._processes)]:
            future.result()

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        try:
            return self._pool.submit(verify_pdf, data, trust, at).result()
        except BrokenProcessPool as exc:
            # A verifier process died (out of memory, a crash in a C extension): the item
            # is retried later by the worker, with a fresh pool.
            log.warning("signature verifier process died; starting a new pool")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            raise TransientError("signature verifier process died") from exc

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> bool:
    """Run in a pool process: importing this module there has imported the verifier."""
    return True
