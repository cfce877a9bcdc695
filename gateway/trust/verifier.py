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
import resource
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from gateway.config.settings import Deployment
from gateway.errors import TransientError
from gateway.pipeline.examine import (
    OVER_TIME,
    DocumentWork,
    Examination,
    examine,
    examine_guarded,
    over_budget,
)
from gateway.pipeline.lanes import LaneDiedError, LaneOverTimeError, ProcessLanes
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


class LocalVerifier:
    """Verify in the calling thread, with one cache shared by the threads."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.cache = ChainCache(cache_size) if cache_size else None

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        return verify_pdf(data, trust, at, self.cache)

    def examine(self, work: DocumentWork) -> Examination:
        return examine(work, self)

    def warm_up(self) -> None:
        """Nothing to start: verification runs in the calling thread."""

    def close(self) -> None:
        """Nothing to stop."""


class ProcessVerifier:
    """``processes`` verifier processes (:class:`~gateway.pipeline.lanes.ProcessLanes`).

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
        self._document_seconds = document_seconds
        self._task = task or _verify_in_process
        self._examine_task = examine_task or _examine_in_process
        self.lanes = ProcessLanes(processes, _start_process, (cache_size, memory_bytes))

    def __call__(self, data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
        try:
            return self._run(self._task, data, trust, at)
        except LaneOverTimeError:
            return timed_out(self._document_seconds or 0)

    def examine(self, work: DocumentWork) -> Examination:
        """The whole examination of one document under the budget; over it, unreadable."""
        try:
            return self._run(self._examine_task, work)
        except LaneOverTimeError:
            return over_budget(OVER_TIME)

    def _run(self, task: Callable[..., _T], *args: object) -> _T:
        try:
            return self.lanes.run(task, *args, timeout=self._document_seconds)
        except LaneOverTimeError:
            log.warning(
                "a document took over %ss to examine; its verifier process replaced",
                self._document_seconds,
            )
            raise
        except LaneDiedError as exc:
            # A verifier process died (out of memory, a crash in a C extension): the item
            # is retried later by the worker, with a fresh process.
            log.warning("signature verifier process died; starting a new one")
            raise TransientError("signature verifier process died") from exc

    def warm_up(self) -> None:
        """Start every process now (spawning and importing pyHanko takes about a second),
        so that the first documents are not slowed by it."""
        self.lanes.warm_up()

    def close(self) -> None:
        self.lanes.close()


def verifier_for(deployment: Deployment, processes: int) -> ProcessVerifier | LocalVerifier:
    """The verifier ``gateway serve`` uses: ``processes`` of them under ``[limits]``, or in
    the calling thread when ``processes`` is 0 (``[gateway] verify_processes``)."""
    if not processes:
        return LocalVerifier()
    limits = deployment.settings.limits
    return ProcessVerifier(
        processes,
        document_seconds=limits.document_seconds,
        memory_bytes=limits.document_memory_mb * 1024 * 1024 or None,
    )
