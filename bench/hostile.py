"""PDF bombs in the queue: how long a real document waits, and the service's peak memory.

``python bench/hostile.py [--bombs N] [--budget SECONDS] [--pages P] [--smoke]
[--figures FILE] [--json]``

A fresh ``gateway serve`` deployment (two workers, two verifier processes, ``[limits]
document_seconds`` = the budget) receives over SMTP ``N`` PDF bombs from an agency —
alternately a render bomb (blank 14 400-pt pages: 3.5 GB each at 300 dpi if drawn
naively) and a parse-time bomb (``P`` pages of text shows pypdf reads for tens of seconds)
— then one real signed document. Measured:

1. the real document's wait: from its 250 to its receipt in the outbox (the issue's goal:
   under a minute after two bombs);
2. the peak memory of the service: the largest sum of VmRSS over the gateway process and
   its children (verifier processes, tesseract), sampled every 0.1 s, and the gateway
   process's own VmHWM (goal: under 1.5 GB throughout);
3. how each bomb ended (its outcome and reasons in ``inbound list``).

``--smoke`` sends one bomb of each kind with a 3 s budget (CI: must exit 0). Exit 1 when
the real document is not answered in time or a bomb is left unanswered.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.support import figures  # noqa: E402
from bench.support.proctree import descendants, vm_hwm_kib, vm_rss_kib  # noqa: E402
from tests.gateway.hostile.pdfbombs import huge_blank_scan, slow_text_pdf  # noqa: E402
from tests.support.gateway_process import GatewayProcess  # noqa: E402
from tests.support.messages import official_mail  # noqa: E402
from tests.support.pdfs import official_document_pdf  # noqa: E402
from tests.support.pki import make_pki  # noqa: E402
from tests.support.signing import sign_as_person_then_agency  # noqa: E402

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"


@dataclass
class Result:
    bombs: int
    budget_seconds: float
    real_wait_seconds: float | None  # None: not answered in time
    peak_tree_mb: float
    peak_gateway_mb: float
    bomb_outcomes: list[str]


class MemorySampler(threading.Thread):
    """The largest VmRSS sum of a process tree, sampled until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total = sum(vm_rss_kib(p) or 0 for p in (self.pid, *descendants(self.pid)))
            self.peak_kib = max(self.peak_kib, total)
            self._stop_event.wait(0.1)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def _mail(message_id: str, name: str, data: bytes) -> bytes:
    return official_mail(
        sender=AGENCY,
        subject="Gửi văn bản",
        message_id=message_id,
        attachments=[(name, data, "application/pdf")],
    )


def run(bombs: int, budget: float, pages: int, shows: int) -> Result:
    pki = make_pki()
    real = sign_as_person_then_agency(official_document_pdf(number="54", symbol="UBND-VP"), pki)
    mails = [
        _mail(
            f"<bomb{n}@vp>",
            f"bom{n}.pdf",
            huge_blank_scan(pages=3) if n % 2 else slow_text_pdf(shows=shows, pages=pages),
        )
        for n in range(bombs)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        gateway = GatewayProcess(
            Path(scratch) / "deploy",
            pki.root_pem(),
            env={
                "GATEWAY_GATEWAY__WORKERS": "2",
                "GATEWAY_GATEWAY__VERIFY_PROCESSES": "2",
                "GATEWAY_LIMITS__DOCUMENT_SECONDS": str(budget),
            },
        ).start(timeout=120)  # a loaded machine: spawning two verifiers takes a while
        assert gateway.process is not None
        sampler = MemorySampler(gateway.process.pid)
        sampler.start()
        try:
            with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
                for raw in mails:
                    client.sendmail(AGENCY, [GATEWAY], raw)
                client.sendmail(AGENCY, [GATEWAY], _mail("<real@vp>", "54.pdf", real))
            sent = time.monotonic()
            wait = None
            deadline = sent + 5 * budget + 60
            answered: set[str] = set()
            while time.monotonic() < deadline and len(answered) < bombs + 1:
                answered = {str(m["In-Reply-To"]) for m in gateway.outbox()}
                if wait is None and "<real@vp>" in answered:
                    wait = time.monotonic() - sent
                time.sleep(0.1)
            inbound = {i["message_id"]: i for i in gateway.cli_json("inbound", "list")}
            peak_gateway = (vm_hwm_kib(gateway.process.pid) or 0) / 1024
        finally:
            sampler.stop()
            gateway.stop()
    outcomes = [
        f"{inbound[m]['outcome']} ({', '.join(inbound[m]['reasons']) or '-'})"
        if m in inbound
        else "not recorded"
        for m in (f"<bomb{n}@vp>" for n in range(bombs))
    ]
    return Result(bombs, budget, wait, sampler.peak_kib / 1024, peak_gateway, outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bombs", type=int, default=2, help="PDF bombs before the real one")
    parser.add_argument("--budget", type=float, default=45.0, help="[limits] document_seconds")
    parser.add_argument("--pages", type=int, default=5, help="pages of each parse-time bomb")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    figures.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.bombs, args.budget, args.pages = 2, 3.0, 2
    result = run(args.bombs, args.budget, args.pages, shows=20_000 if args.smoke else 60_000)
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    else:
        wait = result.real_wait_seconds
        print(
            f"bombs before the real document: {result.bombs} (budget {result.budget_seconds:g} s)"
        )
        print(
            f"real document answered after:   {'NOT ANSWERED' if wait is None else f'{wait:.1f} s'}"
        )
        print(f"peak memory, gateway + children: {result.peak_tree_mb:.0f} MB")
        print(f"peak memory, gateway process:    {result.peak_gateway_mb:.0f} MB")
        for n, outcome in enumerate(result.bomb_outcomes):
            print(f"bomb {n}: {outcome}")
    figures.write(
        args.figures,
        {
            "real document wait": (round(result.real_wait_seconds or -1, 1), "s"),
            "peak memory (tree)": (round(result.peak_tree_mb), "MB"),
            "peak memory (gateway)": (round(result.peak_gateway_mb), "MB"),
        },
    )
    unanswered = any(o == "not recorded" for o in result.bomb_outcomes)
    return 1 if result.real_wait_seconds is None or unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
