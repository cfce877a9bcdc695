"""Where one document's CPU goes: the pipeline's stages, timed in one process.

``python bench/stages.py [-n 100] [--json] [--smoke] [--figures FILE]``

``bench/ingest.py`` measures the whole gateway (SMTP in, receipts out, every process);
this bench takes its documents (a công văn signed by a person then sealed by the agency,
with the test PKI) through :meth:`Worker.handle` of a deployment made by ``gateway init``,
in this one thread (no pipeline or verifier processes, no outbox delivery), and reports
the CPU time (``time.thread_time``: waits for the disk are not counted) each stage took,
per document. The stages nest; a stage's figure includes the stages under it. The first
five documents are not counted (imports, caches).

Every document must be registered and answered with a receipt, else the bench fails
(exit 1); so does a stage that never ran (a renamed function: update :data:`STAGES`).
A benchmark, not a test: nothing asserts on times.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.support import figures  # noqa: E402
from bench.support.signed_mail import GATEWAY_ADDRESS, SENDER, prepare_documents  # noqa: E402
from gateway.config.settings import load  # noqa: E402
from gateway.pipeline.flow import Pipeline, ProcessResult  # noqa: E402
from gateway.pipeline.worker import Worker  # noqa: E402
from gateway.spool.envelope import Envelope  # noqa: E402
from gateway.wiring import Components, build  # noqa: E402
from tests.support.gateway_process import run_cli  # noqa: E402
from tests.support.pki import make_pki  # noqa: E402

WARM_UP = 5

# (depth, label, module, attribute): the function named is timed wherever the pipeline
# calls it through that module's name. ``Pipeline.*`` are methods; "verify" is the
# pipeline's verifier, wrapped apart.
STAGES: tuple[tuple[int, str, str, str], ...] = (
    (0, "one document, all stages", "gateway.pipeline.worker", "Worker.handle"),
    (1, "looked up in the register first", "gateway.pipeline.flow", "Pipeline._already_recorded"),
    (1, "MIME parse", "mailparse.mime", "parse"),
    (1, "examination of the PDF", "gateway.pipeline.analysis", "examine"),
    (2, "signatures verified", "", "verify"),
    (2, "text layer read, facts", "gateway.pipeline.examine", "read_document"),
    (2, "active content looked for", "gateway.pipeline.examine", "active_content"),
    (1, "sender screened (loops, bounces)", "gateway.pipeline.flow", "screen"),
    (1, "routing planned", "gateway.pipeline.flow", "plan_routing"),
    (1, "raw message archived", "gateway.storage.archive", "Archive.store"),
    (1, "register transaction", "gateway.pipeline.flow", "Pipeline._record"),
    (2, "documents registered and routed", "gateway.pipeline.flow", "register_documents"),
    (3, "routed copies composed", "gateway.routing.step", "routed_copy_draft"),
    (2, "receipt composed", "gateway.pipeline.flow", "build_answer"),
    (2, "report facts rewritten", "registry.reports.facts", "rewrite"),
    (1, "spool item finished", "gateway.spool.queue", "Spool.finish"),
)


class Stopwatch:
    """CPU seconds and calls per label, from wrapped functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.thread_time() - start
                self.calls[label] += 1

        return timed

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def instrument(watch: Stopwatch) -> None:
    """Wrap every stage of :data:`STAGES` but the verifier (:func:`deployment_pipeline`)."""
    for _, label, module_name, attribute in STAGES:
        if not module_name:
            continue
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, watch.wrap(label, getattr(owner, name)))


def deployment_pipeline(
    root: Path, root_pem: bytes, watch: Stopwatch
) -> tuple[Components, Pipeline]:
    """A deployment made by ``gateway init`` trusting the test root, in this thread only."""
    result = run_cli("init", str(root), cwd=root.parent)
    if result.returncode != 0:
        raise SystemExit(f"gateway init failed: {result.stderr}")
    (root / "trust" / "test-root.pem").write_bytes(root_pem)
    environ = {
        "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
        "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
        "GATEWAY_AUTH__RESOLVER": "off",
    }
    components = build(load(root / "gateway.toml", environ))
    verify = watch.wrap("signatures verified", components.pipeline.verify)
    return components, dataclasses.replace(components.pipeline, verify=verify)


def run(count: int) -> dict[str, Any]:
    watch = Stopwatch()
    instrument(watch)
    pki = make_pki()
    documents = prepare_documents(pki, count + WARM_UP, 0)
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as scratch:
        components, pipeline = deployment_pipeline(Path(scratch) / "deploy", pki.root_pem(), watch)
        worker = Worker(components.spool, pipeline, 1)
        for number, document in enumerate(documents):
            if number == WARM_UP:
                watch.reset()
            envelope = Envelope(
                received_at=datetime.now(UTC),
                protocol="smtp",
                mail_from=SENDER,
                rcpt_tos=(GATEWAY_ADDRESS,),
                source={},
            )
            item = components.spool.claim_id(components.spool.put(document.raw, envelope))
            check(worker.handle(item), number)
        components.engine.dispose()
    missing = [label for _, label, _, _ in STAGES if not watch.calls[label]]
    if missing:
        raise SystemExit(f"stages that never ran (renamed?): {', '.join(missing)}")
    return {
        "documents": count,
        "stages": [
            {
                "depth": depth,
                "stage": label,
                "ms_per_document": 1000 * watch.seconds[label] / count,
                "calls_per_document": watch.calls[label] / count,
            }
            for depth, label, _, _ in STAGES
        ],
    }


def check(result: ProcessResult | None, number: int) -> None:
    """Each document registered under one number and answered."""
    if result is None or result.outcome != "accepted" or len(result.entries) != 1:
        raise SystemExit(f"document {number}: not registered as expected: {result}")
    if not result.answered:
        raise SystemExit(f"document {number}: no receipt")


def print_table(report: dict[str, Any]) -> None:
    rows = report["stages"]
    whole = rows[0]["ms_per_document"]
    print(f"CPU per document, {report['documents']} documents, in one thread:\n")
    print(f"{'stage':<52}{'ms/doc':>9}{'share':>8}")
    for row in rows:
        label = "  " * row["depth"] + row["stage"]
        share = row["ms_per_document"] / whole if whole else 0.0
        print(f"{label:<52}{row['ms_per_document']:>9.2f}{share:>8.0%}")


def headline(report: dict[str, Any]) -> figures.Figures:
    rows = {row["stage"]: row["ms_per_document"] for row in report["stages"]}
    return {
        "documents": (report["documents"], ""),
        "CPU per document, all stages": (round(rows["one document, all stages"], 1), "ms"),
        "of which signatures verified": (round(rows["signatures verified"], 1), "ms"),
        "of which register transaction": (round(rows["register transaction"], 1), "ms"),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=100, help="documents timed (after 5 warm-up)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    figures.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(3 if args.smoke else args.n)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    figures.write(args.figures, headline(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
