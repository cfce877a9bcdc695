"""bench/ingest.py --large-mb: one large message into a fresh deployment, and how much the
gateway and its verifier processes grow while they process it (goal: under 5 × the
message)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.support.proctree import descendants, reset_peak, vm_hwm_kib, vm_rss_kib
from bench.support.signed_mail import Document, padded_mail, prepare_documents
from bench.support.smtp_load import (
    START_SECONDS,
    BenchmarkError,
    TimedSink,
    check_receipts,
    send_messages,
)
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki


@dataclass
class LargeMessage:
    message_mib: float
    seconds: float  # first MAIL FROM → its receipt
    rss_before_kib: int
    peak_kib: int  # VmHWM of the gateway process while the message was processed
    children_rss_before_kib: int
    children_peak_kib: int
    peak_was_reset: bool  # False: the peak may include the start-up's
    growth_per_message: float  # (peaks − RSS before, process and children) / message bytes


def run_large(
    workdir: Path, pki: TestPki, megabytes: float, extra_env: dict[str, str] | None = None
) -> LargeMessage:
    """One message of ``megabytes`` into a fresh deployment; the gateway's memory growth."""
    small, second = prepare_documents(pki, 2, 0)
    raw = padded_mail(second.number, second.message_id, second.pdf, int(megabytes * 1024))
    document = Document(second.number, second.message_id, second.pdf, raw)
    sink = TimedSink()
    sink.start()
    gateway = GatewayProcess(
        workdir / "deploy-large",
        pki.root_pem(),
        env={**(extra_env or {}), "GATEWAY_OUTGOING__RELAY": sink.url},
    )
    try:
        gateway.start(timeout=START_SECONDS)
        assert gateway.process is not None
        pid = gateway.process.pid
        # A small message first: the first one pays the imports and caches of a process.
        send_messages(gateway.port, [small.raw])
        sink.wait_for_answers(1, timeout=300.0)
        time.sleep(1.0)
        children = descendants(pid)
        reset = all(reset_peak(p) for p in (pid, *children))
        before = vm_rss_kib(pid) or 0
        children_before = sum(vm_rss_kib(c) or 0 for c in children)
        times = send_messages(gateway.port, [document.raw])
        try:
            sink.wait_for_answers(2, timeout=600.0)
        except TimeoutError as exc:
            tail = "\n".join(gateway.log_text().splitlines()[-30:])
            raise BenchmarkError(f"large message: {exc}; gateway log ends with:\n{tail}") from exc
        seconds = sink.arrivals[1] - times.first_mail
        peak = vm_hwm_kib(pid) or 0
        children_peak = sum(vm_hwm_kib(c) or 0 for c in children)
    finally:
        gateway.stop()
        sink.stop()
    check_receipts(sink.answers, [small, document])
    growth = max(0, peak - before) + max(0, children_peak - children_before)
    return LargeMessage(
        message_mib=len(document.raw) / 2**20,
        seconds=seconds,
        rss_before_kib=before,
        peak_kib=peak,
        children_rss_before_kib=children_before,
        children_peak_kib=children_peak,
        peak_was_reset=reset,
        growth_per_message=growth * 1024 / len(document.raw),
    )
