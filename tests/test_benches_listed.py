"""Every benchmark runs in CI at a tiny size so none can rot (``scripts/test`` ends with
``bench/all.py --smoke``): a bench that ``bench/all.py`` does not list would rot unseen,
as ``bench/ingest.py`` did when routed copies began to count as receipts."""

from __future__ import annotations

from pathlib import Path

from bench.all import BENCHES

ROOT = Path(__file__).resolve().parent.parent


def test_every_bench_is_run_by_ci_at_smoke_size() -> None:
    """GIVEN the runnable benches in bench/ (each a ``__main__`` script) WHEN CI runs
    ``scripts/test`` THEN ``bench/all.py --smoke`` runs every one of them."""
    runnable = {
        path.stem
        for path in (ROOT / "bench").glob("*.py")
        if path.stem != "all" and 'if __name__ == "__main__"' in path.read_text(encoding="utf-8")
    }
    assert runnable and runnable == set(BENCHES)
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    ran = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert any("bench/all.py --smoke" in line for line in ran)
