"""Every benchmark in one command, with one table of their headline figures.

``python bench/all.py [--smoke] [--only NAME[,NAME…]] [--json]``

Runs each bench of :data:`BENCHES` as its own process (``python bench/NAME.py``), at its
full size, or with ``--smoke`` at a tiny size (seconds each: what CI runs, at the end of
``scripts/test``). A bench passes when it exits 0 — each fails loudly on its own checks
(wrong receipts, different search answers, unexpected verdicts) — and writes its headline
figures (``--figures``, :mod:`bench.support.figures`), which are printed as one table with the
machine and the date. Exit 1 when any bench failed; its output is shown then.

PostgreSQL benches use ``GATEWAY_TEST_POSTGRES_URL`` when it names a server, else each
starts a throwaway one (scripts/postgres.sh); the IMAP bench needs Dovecot.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from bench.support import figures  # noqa: E402

# Each bench, and the arguments of its full (on-demand) run; --smoke sets its own sizes.
BENCHES: dict[str, tuple[str, ...]] = {
    "ingest": ("-n", "300", "--large-mb", "25"),
    "stages": (),
    "verify": (),
    "extractors": (),
    "imap": (),
    "search": (),
    "console": (),
    "rule_hits": (),
    "hostile": (),
    "issue": (),
}


@dataclass
class Outcome:
    name: str
    returncode: int
    seconds: float
    figures: figures.Figures = field(default_factory=dict)
    output: str = ""


def run_bench(name: str, smoke: bool, scratch: Path) -> Outcome:
    """One bench in its own process; its figures, exit code and (kept) output."""
    out = scratch / f"{name}.json"
    command = [sys.executable, str(HERE / f"{name}.py"), "--figures", str(out)]
    command += ["--smoke"] if smoke else list(BENCHES[name])
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    seconds = time.perf_counter() - started
    return Outcome(name, done.returncode, seconds, figures.read(out), done.stdout + done.stderr)


def machine() -> str:
    """This machine in one line: CPUs, memory, Python."""
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load {os.getloadavg()[0]:.1f}"
    return (
        f"{os.cpu_count()} CPUs{memory}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}{load}"
    )


def print_table(outcomes: list[Outcome], smoke: bool) -> None:
    size = "smoke sizes" if smoke else "full sizes"
    print(f"\nbench/all.py, {size}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}\n")
    print(f"{'bench':<11}{'figure':<52}{'value':>12} {'unit':<6}")
    for outcome in outcomes:
        status = "ok" if outcome.returncode == 0 else f"FAILED (exit {outcome.returncode})"
        print(f"{outcome.name:<11}{status + f', {outcome.seconds:.0f} s':<52}")
        for label, (value, unit) in outcome.figures.items():
            shown = f"{value:,}" if isinstance(value, int | float) else str(value)
            print(f"{'':<11}{label[:51]:<52}{shown:>12} {unit:<6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--only", help="comma-separated bench names (default: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHES)
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parser.error(f"unknown bench(es) {unknown}; known: {sorted(BENCHES)}")
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as scratch:
        for name in names:
            print(f"bench/{name}.py{' --smoke' if args.smoke else ''} …", flush=True)
            outcomes.append(run_bench(name, args.smoke, Path(scratch)))
    failed = [o for o in outcomes if o.returncode != 0]
    for outcome in failed:
        print(f"\n{'=' * 30} bench/{outcome.name}.py failed {'=' * 30}", file=sys.stderr)
        print(outcome.output[-6000:], file=sys.stderr)
    if args.json:
        print(json.dumps({o.name: o.figures for o in outcomes}, indent=2, ensure_ascii=False))
    else:
        print_table(outcomes, args.smoke)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
