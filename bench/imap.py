"""IMAP intake benchmark against a throwaway Dovecot: IDLE latency and burst throughput.

``python bench/imap.py [-n 500] [--latency-samples 10] [--smoke] [--figures FILE]``

1. latency: with the gateway idling on INBOX, append one signed công văn at a time and
   time APPEND → the message in the processed folder (i.e. registered, committed, moved);
   prints min / median / max over the samples;
2. burst: append N messages (distinct Message-IDs and signed documents) as fast as one
   IMAP connection can, and time the first APPEND → all N in the processed folder;
   checks that the register holds exactly N entries.

A benchmark, not a test: nothing asserts on times. Needs Dovecot (dovecot-imapd).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.support import figures  # noqa: E402
from bench.support.signed_mail import prepare_documents  # noqa: E402
from tests.support.dovecot import Dovecot  # noqa: E402
from tests.support.gateway_process import GatewayProcess  # noqa: E402
from tests.support.imap_deploy import (  # noqa: E402
    PROCESSED,
    folder_uids,
    mail,
    registered_message_ids,
    wait_until,
    wait_watching,
    watch,
)
from tests.support.pki import make_pki  # noqa: E402


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="burst size (default 500)")
    parser.add_argument("--latency-samples", type=int, default=10)
    figures.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.smoke:  # CI: one latency sample, a burst of three
        args.n, args.latency_samples = 3, 1
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pki = make_pki()
    # N distinct signed documents: one document sent N times is one entry and N-1
    # duplicates by law (NĐ 30 Phụ lục VI). Signed in a process pool before any timing.
    pdfs = [d.pdf for d in prepare_documents(pki, args.latency_samples + args.n, size_kb=0)]
    dovecot = Dovecot({"vanthu": "bench-secret"}).start()
    with tempfile.TemporaryDirectory(prefix="gw-imap-bench-") as tmp:
        gateway = GatewayProcess(Path(tmp) / "deploy", pki.root_pem())
        try:
            watch(gateway, dovecot, "vanthu")
            gateway.start(timeout=120.0)  # a loaded machine starts Python slowly
            wait_watching(gateway, "vanthu")
            client = dovecot.client("vanthu")
            latencies = []
            for sample in range(1, args.latency_samples + 1):
                started = time.monotonic()
                client.append("INBOX", mail(sample, pdfs[sample - 1]))

                def moved(count: int = sample) -> bool:
                    return len(folder_uids(client, PROCESSED)) == count

                wait_until(moved, 30, "move")
                latencies.append(time.monotonic() - started)
                time.sleep(0.2)
            messages = [mail(1000 + k, pdfs[args.latency_samples + k]) for k in range(args.n)]
            total = args.latency_samples + args.n
            started = time.monotonic()
            for raw in messages:
                client.append("INBOX", raw)
            appended = time.monotonic() - started
            wait_until(lambda: len(folder_uids(client, PROCESSED)) == total, 600, "burst", 0.2)
            elapsed = time.monotonic() - started
            registered = len(registered_message_ids(gateway))
        finally:
            gateway.stop()
            dovecot.cleanup()
    print(
        f"IDLE → registered and moved, {len(latencies)} samples: "
        f"min {min(latencies):.2f}s, median {statistics.median(latencies):.2f}s, "
        f"max {max(latencies):.2f}s"
    )
    print(
        f"burst of {args.n}: appended in {appended:.1f}s, all moved after {elapsed:.1f}s "
        f"= {args.n / elapsed:.1f} messages/s; register holds {registered} (expected {total})"
    )
    figures.write(
        args.figures,
        {
            "IDLE → registered, median": (round(statistics.median(latencies), 2), "s"),
            f"burst of {args.n}": (round(args.n / elapsed, 1), "msg/s"),
            "registered / expected": (f"{registered}/{total}", ""),
        },
    )
    return 0 if registered == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
