"""Rule hit counts on ``/rules``: the old scan of every trace vs the ``rule_hit`` GROUP BY.

``python bench/rule_hits.py [--size 100000] [--databases sqlite,postgresql] [--repeat 9]
[--smoke] [--figures FILE]``

For each database a fresh register is bulk-loaded at revision 0009 (bench/search_corpus.py:
synthetic Vietnamese entries), and each entry is given the routing trace the shipped rules
(``gateway init``'s rules.yaml) produce for its summary — every 97th entry as Hỏa tốc. Then:

1. the migration to head is timed (0010 creates ``rule_hit`` and backfills it from the
   traces, in batches);
2. **baseline**: what ``gateway.routing.console.rule_stats`` did before 0010 — read
   ``received_at`` and ``routing_trace`` of every entry and count in Python;
3. **table**: ``rule_stats`` today (one GROUP BY over ``rule_hit``).

Each runs once to warm up, then ``--repeat`` times; the median and p95 are printed with the
ratio baseline / table of the medians. Both must give the same counts and last matches, else
the benchmark fails loudly. PostgreSQL as in bench/search.py (``GATEWAY_TEST_POSTGRES_URL``,
else a throwaway server). A benchmark, not a test: nothing asserts on times.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from bench.search import _nothing, database, ms, postgres_server, timed
from bench.support import figures
from bench.support.figures import Figures
from bench.support.search_corpus import RARE, TOPICS, load
from gateway.routing.console import RuleStat, rule_stats
from gateway.routing.in_force import sample_rules_text
from registry.database import make_engine, read_session, upgrade
from registry.models import RegisterEntry
from rules.calendar import WorkingCalendar
from rules.routing import route
from rules.routing_types import RoutingFacts
from rules.rulesfile import RuleSet, load_rules

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
URGENT_EVERY = 97


def old_rule_stats(engine: Engine, rules: RuleSet) -> list[RuleStat]:
    """``rule_stats`` before migration 0010: every entry's trace read and counted."""
    hits: dict[str, int] = {}
    last: dict[str, datetime] = {}
    with read_session(engine) as session:
        rows = session.execute(
            select(col(RegisterEntry.received_at), col(RegisterEntry.routing_trace))
        )
        for received_at, trace in rows:
            for step in trace or ():
                name = str(step.get("rule", ""))
                if not step.get("matched"):
                    continue
                hits[name] = hits.get(name, 0) + 1
                if name not in last or received_at > last[name]:
                    last[name] = received_at
    return [
        RuleStat(i, r.name, r.enabled, r.default, hits.get(r.name, 0), last.get(r.name))
        for i, r in enumerate(rules.rules, start=1)
    ]


def new_rule_stats(engine: Engine, rules: RuleSet) -> list[RuleStat]:
    with read_session(engine) as session:
        return rule_stats(session, rules)


def give_traces(engine: Engine, rules: RuleSet) -> None:
    """Each entry gets the trace the rules give its topic (urgent ones: the Hỏa tốc rule)."""
    calendar = WorkingCalendar(zone=ZONE)
    received = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def trace(topic: str, urgency: str = "thuong") -> list[dict[str, object]]:
        facts = RoutingFacts(
            received_at=received,
            sender_agency_code="VP",
            document_type="Công văn",
            urgency=urgency,
            signature_verdict="valid",
            summary=f"Công văn về việc {topic}",
            subject=f"V/v {topic}",
        )
        return route(facts, rules, calendar, received).trace_json()

    with engine.begin() as connection:
        for topic in (*TOPICS, RARE):
            connection.execute(
                update(RegisterEntry)
                .where(col(RegisterEntry.summary).contains(topic, autoescape=True))
                .values(routing_trace=trace(topic), rules_version=rules.version)
            )
        connection.execute(
            update(RegisterEntry)
            .where(col(RegisterEntry.id) % URGENT_EVERY == 0)
            .values(routing_trace=trace(TOPICS[0], "hoa_toc"))
        )


def bench_one(url: str, size: int, repeat: int, out: Figures) -> None:
    rules = load_rules(sample_rules_text(), "rules.yaml")
    engine = make_engine(url)
    try:
        upgrade(engine, "0009")
        start = time.perf_counter()
        load(engine, size)
        give_traces(engine, rules)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        upgrade(engine)
        migrated = time.perf_counter() - start
        base_times, base = timed(partial(old_rule_stats, engine, rules), repeat)
        times, found = timed(partial(new_rule_stats, engine, rules), repeat)
        if base != found:
            raise SystemExit(f"different counts:\n  scan  {base}\n  table {found}")
        (b50, b95), (t50, t95) = ms(base_times), ms(times)
        print(
            f"\n{engine.dialect.name} {size:>9,} entries: load + traces {loaded:.1f} s, "
            f"migration 0010 (create + backfill rule_hit) {migrated:.1f} s"
        )
        assert isinstance(found, list)
        for stat in found:
            print(f"  {stat.hits:>8,}  {stat.name}")
        print(f"  {'':<28}{'med ms':>10}{'p95 ms':>10}")
        print(f"  {'old scan of every trace':<28}{b50:>10.1f}{b95:>10.1f}")
        print(f"  {'rule_hit GROUP BY':<28}{t50:>10.1f}{t95:>10.1f}")
        print(f"  ratio old / new (medians): {b50 / t50:.1f}x")
        where = f"{engine.dialect.name} {size:,}"
        out[f"{where}: rule_hit GROUP BY p95"] = (round(t95, 1), "ms")
        out[f"{where}: old trace scan p95"] = (round(b95, 1), "ms")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=9)
    figures.add_arguments(parser)
    args = parser.parse_args()
    if args.smoke:  # CI: 500 entries, both databases
        args.size, args.repeat = 500, 2
    measured: Figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            server = postgres_server() if kind == "postgresql" else _nothing()
            with server as found, database(kind, found, Path(tmp), args.size) as url:
                bench_one(url, args.size, args.repeat, measured)
    figures.write(args.figures, measured)


if __name__ == "__main__":
    main()
