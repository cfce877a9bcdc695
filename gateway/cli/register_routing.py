"""``gateway register list --overdue / --status`` and ``gateway register stats`` (R-TRACK).

``register list`` keeps its contract (DESIGN §4.3 objects with ``--json``); the filters
narrow it: ``--status STATUS`` (registered, assigned, in_progress, done, returned,
recalled) and ``--overdue`` (an assignment still open whose deadline has passed).
``register stats`` counts assignments per unit: assigned, in progress, done, overdue, total.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from gateway.cli.output import views
from gateway.config.settings import load
from gateway.wiring import open_database
from registry import queries
from registry.database import read_session
from registry.models import EntryStatus
from registry.tracking import assignments

STATS_HEADERS = ["Mã đơn vị", "Đơn vị", "Đã giao", "Đang xử lý", "Hoàn thành", "Quá hạn", "Tổng"]


def add_parsers(
    register: Any, listing: argparse.ArgumentParser, command: Callable[..., Any]
) -> None:
    """Wire the filters into ``register list`` and add ``register stats``."""
    listing.add_argument(
        "--status", choices=[str(s) for s in EntryStatus], help="only entries in this status"
    )
    listing.add_argument(
        "--overdue", action="store_true", help="only entries with an assignment past its deadline"
    )
    listing.set_defaults(handler=cmd_register_list)
    stats = command(register, "stats", cmd_register_stats, "per-unit counts", json_flag=True)
    stats.add_argument("--year", type=int)


def cmd_register_list(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    now = datetime.now(UTC)
    with read_session(open_database(deployment)) as session:
        entries = queries.list_entries(session, year=args.year, search=args.search)
        if args.status:
            wanted = {e.id for e in assignments.entries_by_status(session, args.status)}
            entries = [e for e in entries if e.id in wanted]
        if args.overdue:
            late = {e.id for e in assignments.overdue_entries(session, now)}
            entries = [e for e in entries if e.id in late]
        rows = views.entry_rows(session, entries, deployment.zone)
    _print(args, rows, views.register_table)
    return 0


def cmd_register_stats(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    with read_session(open_database(deployment)) as session:
        counts = assignments.unit_counts(session, datetime.now(UTC), year=args.year)
    _print(args, [asdict(c) for c in counts], stats_table)
    return 0


def stats_table(rows: list[dict[str, Any]]) -> str:
    """Per-unit counts for clerks, with a total line."""
    if not rows:
        return "(chưa có văn bản nào được giao xử lý)"
    numbers = ["assigned", "in_progress", "done", "overdue", "total"]
    lines = [[r["unit_code"], r["unit_name"], *(str(r[k]) for k in numbers)] for r in rows]
    lines.append(["", "Cộng", *(str(sum(r[k] for r in rows)) for k in numbers)])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(STATS_HEADERS)]

    def render(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([render(STATS_HEADERS), *(render(line) for line in lines)])


def _print(args: argparse.Namespace, data: Any, human: Callable[[Any], str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(human(data))
