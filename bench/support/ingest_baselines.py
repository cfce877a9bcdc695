"""The baselines bench/ingest.py measures in the same run: a bare SMTP sink, plain pyHanko
in a process of its own, and the gateway's own verifier alone."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.support.signed_mail import Document
from bench.support.smtp_load import BenchmarkError, send_messages
from bench.verify import pyhanko_alone_timed
from gateway.trust.verifier import LocalVerifier
from mailparse.signatures.verdicts import SignatureVerdict
from tests.support.pki import TestPki
from tests.support.sink import SinkRelay


@dataclass
class Baseline:
    count: int
    seconds: float
    per_second: float
    cpu_seconds: float | None = None


def run_bare_sink(documents: Sequence[Document]) -> Baseline:
    with SinkRelay() as sink:
        times = send_messages(sink.port, [d.raw for d in documents])
        received = sink.wait_for(len(documents), timeout=60.0)
    if [m.raw for m in received] != [d.raw for d in documents]:
        raise BenchmarkError("the bare sink did not receive the messages as sent")
    seconds = times.last_reply - times.first_mail
    return Baseline(len(documents), seconds, len(documents) / seconds)


def run_pyhanko_alone(pki: TestPki, documents: Sequence[Document]) -> Baseline:
    """Plain pyHanko, one process of its own, on the same PDFs (bench/verify.py)."""
    pdfs = [d.pdf for d in documents]
    seconds, cpu = pyhanko_alone_timed(pdfs, pki.trust_store(), datetime.now(UTC))
    return Baseline(len(documents), seconds, len(documents) / seconds, cpu)


def run_validation(pki: TestPki, documents: Sequence[Document]) -> Baseline:
    """The gateway's own verifier (every check, with its chain cache), in this process."""
    trust = pki.trust_store()
    verify = LocalVerifier()
    verify(documents[0].pdf, trust, datetime.now(UTC))  # warm-up, as pyHanko alone has
    started = time.perf_counter()
    verdicts = [verify(d.pdf, trust, datetime.now(UTC)) for d in documents]
    seconds = time.perf_counter() - started
    for document, result in zip(documents, verdicts, strict=True):
        found = [s.verdict for s in result.signatures]
        if found != [SignatureVerdict.VALID, SignatureVerdict.VALID]:
            raise BenchmarkError(f"document {document.number}: signatures {found}")
    return Baseline(len(documents), seconds, len(documents) / seconds)
