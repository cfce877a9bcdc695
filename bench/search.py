"""Register search benchmark: query times at 10 k, 100 k and 1 M entries, SQLite and PostgreSQL.

``python bench/search.py [--sizes 10000,100000,1000000] [--databases sqlite,postgresql]
[--repeat 15] [--smoke] [--figures FILE]``

For each database and size, a fresh register is bulk-loaded at schema 0004 (before the
search index) with synthetic Vietnamese entries (bench/search_corpus.py), then:

1. the migration to head is timed (it builds the index over the existing rows: FTS5
   trigram ``rebuild`` on SQLite, ``pg_trgm`` GIN on PostgreSQL, and an index on
   (year, id));
2. **baseline**: the LIKE scan over ``search_text`` that ``register list --search`` used
   before the index (one ``LIKE '%word%'`` per word — anchored at a token start for a word
   led by a digit, as the search does — newest first, one page of 50 + 1, full entries);
   on PostgreSQL the planner is kept off the trigram index. It runs after the migration,
   so it does profit from the (year, id) index;
3. **search**: ``registry.search.search_entries`` and ``count_entries``.

Each query runs once to warm up, then ``--repeat`` times; the median and p95 are printed
with the ratio baseline / search of the medians. Both must return the same entries (the
index keeps the substring meaning of the LIKE scan), else the benchmark fails loudly.
PostgreSQL: ``GATEWAY_TEST_POSTGRES_URL`` names a server (a database is made per size),
else a throwaway server is started with scripts/postgres.sh and stopped at the end.
A benchmark, not a test: nothing asserts on times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from bench.support import figures
from bench.support.figures import Figures
from bench.support.search_corpus import load
from mailparse.documents.text import fold
from registry.database import make_engine, read_session, upgrade
from registry.models import RegisterEntry
from registry.search import count_entries, search_entries, word_condition
from tests.support.scratch_database import scratch_database

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Query:
    label: str
    text: str
    year: int | None = None


QUERIES = (
    Query("one word, no diacritics", "thuy"),
    Query("two words", "chan chinh"),
    Query("number/symbol fragment", "54/UBND"),
    Query("symbol fragment", "QĐ-UBND"),
    Query("rare words", "sat lo bo bien"),
    Query("common word, page of 50", "dia ban"),
    Query("words + year filter", "dat dai", year=2025),
    Query("short word (< 3 chars)", "an"),
)
PAGE = 50


def timed(run: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    result = run()  # warm-up, and the answer compared between baseline and index
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times, result


def baseline_ids(engine: Engine, query: Query) -> list[int]:
    """The pre-index query: one LIKE per word, newest first, a page plus one, full entries.

    On PostgreSQL the planner is kept off the trigram index (it is used through bitmap
    scans only), so this is the plan the database had before migration 0005.
    """
    statement = select(RegisterEntry).order_by(col(RegisterEntry.id).desc())
    for word in fold(query.text).split():
        statement = statement.where(word_condition(word))
    if query.year is not None:
        statement = statement.where(col(RegisterEntry.year) == query.year)
    with read_session(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
        return [e.id or 0 for e in session.scalars(statement.limit(PAGE + 1))]


def indexed_ids(engine: Engine, query: Query) -> list[int]:
    with read_session(engine) as session:
        page = search_entries(session, query.text, year=query.year, limit=PAGE)
        ids = [e.id or 0 for e in page.entries]
        return ids + ([-1] if page.has_more else [])


def counted(engine: Engine, text: str, cap: int) -> int:
    with read_session(engine) as session:
        return count_entries(session, text, cap=cap)


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def bench_one(url: str, size: int, repeat: int, out: Figures | None = None) -> None:
    engine = make_engine(url)
    worst = 0.0
    try:
        upgrade(engine, "0004")
        start = time.perf_counter()
        load(engine, size)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        upgrade(engine)
        indexing = time.perf_counter() - start
        baselines = {q: timed(partial(baseline_ids, engine, q), repeat) for q in QUERIES}
        print(
            f"\n{engine.dialect.name} {size:>9,} entries: load {loaded:.1f} s, "
            f"migration to head (index build) {indexing:.1f} s"
        )
        print(f"  {'query':<28}{'matches':>8}  {'LIKE med/p95 ms':>18}  "
              f"{'index med/p95 ms':>18}  {'ratio':>7}")  # fmt: skip
        for query in QUERIES:
            times, found = timed(partial(indexed_ids, engine, query), repeat)
            base_times, base = baselines[query]
            assert isinstance(base, list) and isinstance(found, list)
            if base[:PAGE] != found[:PAGE] or (len(base) > PAGE) != (-1 in found):
                raise SystemExit(f"different answers for {query.label}: {base} vs {found}")
            (b50, b95), (i50, i95) = ms(base_times), ms(times)
            worst = max(worst, i95)
            shown = f"{len(base) - (len(base) > PAGE)}{'+' if len(base) > PAGE else ''}"
            print(
                f"  {query.label:<28}{shown:>8}  {b50:>8.1f} /{b95:>8.1f}  "
                f"{i50:>8.1f} /{i95:>8.1f}  {b50 / i50:>6.1f}x"
            )
        for text, cap in (("cong van", 10_000), ("cong van", 10**9), ("sat lo", 10**9)):
            times, total = timed(partial(counted, engine, text, cap), max(3, repeat // 3))
            (c50, c95) = ms(times)
            print(f"  count {text!r} (cap {cap:,}) = {total:,}: {c50:.1f} / {c95:.1f} ms")
        if out is not None:
            where = f"{engine.dialect.name} {size:,}"
            out[f"{where}: index build"] = (round(indexing, 1), "s")
            out[f"{where}: slowest search p95"] = (round(worst, 1), "ms")
    finally:
        engine.dispose()


@contextmanager
def database(kind: str, server: str | None, workdir: Path, size: int) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'register-{size}.db'}"
        (workdir / f"register-{size}.db").unlink()
        return
    assert server is not None
    with scratch_database(server, "gw_bench") as url:
        yield url


@contextmanager
def postgres_server() -> Iterator[str]:
    url = os.environ.get("GATEWAY_TEST_POSTGRES_URL", "").strip()
    if url:
        yield url
        return
    script = str(ROOT / "scripts" / "postgres.sh")
    exports = subprocess.run([script, "start"], check=True, capture_output=True, text=True)
    found = dict(
        line.removeprefix("export ").replace("'", "").split("=", 1)
        for line in exports.stdout.splitlines()
    )
    try:
        yield found["GATEWAY_TEST_POSTGRES_URL"]
    finally:
        subprocess.run([script, "stop", found["GATEWAY_TEST_POSTGRES_DIR"]], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    figures.add_arguments(parser)
    args = parser.parse_args()
    if args.smoke:  # CI: 500 entries, both databases
        args.sizes, args.repeat = "500", 2
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = args.databases.split(",")
    found: Figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            with postgres_server() if kind == "postgresql" else _nothing() as server:
                for size in sizes:
                    with database(kind, server, Path(tmp), size) as url:
                        bench_one(url, size, args.repeat, found)
    figures.write(args.figures, found)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
