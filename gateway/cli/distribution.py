"""``gateway distribute`` and ``gateway register slip`` (DESIGN §4.8, R-DISTRIB).

``gateway distribute YEAR/NUMBER [--lead CODE] [--cooperate CODE…] [--inform CODE…]
[--due YYYY-MM-DD] [--note TEXT] --by USER [--json]`` decides an entry awaiting
distribution exactly as the console does; without ``--lead`` the rules' proposal is
accepted as it stands (with ``--note`` as the instruction). ``--by`` names the leader in
the register and on the slip. Exit 1 (Vietnamese reason) when the entry does not await
distribution or was decided meanwhile.

``gateway register slip YEAR/NUMBER [--output F.pdf]`` writes the phiếu giải quyết văn bản
đến (:mod:`gateway.distribution.slip`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from gateway.cli.numbers import incoming_number
from gateway.config.settings import load
from gateway.distribution import slip
from gateway.distribution.decide import Channel, Desk, Order, as_proposed, distribute
from gateway.errors import ConfigError
from gateway.wiring import build, open_database
from registry.database import read_session
from registry.queries import get_entry
from registry.tracking.distribution import distribution_of


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise ConfigError(f"--due: ngày phải có dạng YYYY-MM-DD (got {text!r})") from exc


def cmd_distribute(args: argparse.Namespace) -> int:
    year, number = incoming_number(args.number)
    due = _day(args.due)
    components = build(load(args.config))
    try:
        desk = Desk.of(components.pipeline)
        order = None
        if args.lead:
            order = Order(
                lead=args.lead,
                cooperate=tuple(args.cooperate or ()),
                inform=tuple(args.inform or ()),
                due_on=due,
                note=args.note or "",
            )
        elif due is not None or args.cooperate or args.inform:
            raise ConfigError("--cooperate, --inform và --due cần có --lead")
        elif args.note:
            with read_session(components.engine) as session:
                row = distribution_of(session, get_entry(session, year, number).id or 0)
            order = as_proposed(row, args.note) if row is not None else None
        decided = distribute(desk, year, number, order, by=args.by, channel=Channel.CLI)
    finally:
        components.engine.dispose()
    result: dict[str, Any] = {
        "incoming": decided.incoming,
        "assignments": [
            {
                "unit": a.unit_code,
                "role": a.role,
                "due_at": a.due_at.astimezone(desk.zone).isoformat() if a.due_at else None,
            }
            for a in decided.assignments
        ],
        "routed": len(decided.routed),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        units = ", ".join(f"{a.unit_code} ({a.role})" for a in decided.assignments)
        print(f"đã phân công văn bản đến số {decided.incoming}: {units}")
    return 0


def cmd_slip(args: argparse.Namespace) -> int:
    year, number = incoming_number(args.number)
    deployment = load(args.config)
    engine = open_database(deployment)
    try:
        with read_session(engine) as session:
            printed = slip.collect(session, year, number, deployment.zone)
    finally:
        engine.dispose()
    output: Path = args.output or Path(f"phieu-giai-quyet-{year}-{number}.pdf")
    output.write_bytes(slip.render(printed))
    print(f"đã in phiếu giải quyết văn bản đến số {printed.incoming} → {output}")
    return 0


def add_parsers(
    commands: Any, register: Any, command: Callable[..., argparse.ArgumentParser]
) -> None:
    """``gateway distribute`` and ``gateway register slip`` wired into the main parser."""
    deciding = command(
        commands,
        "distribute",
        cmd_distribute,
        "a leader's distribution of one entry",
        json_flag=True,
    )
    deciding.add_argument("number", metavar="YEAR/NUMBER")
    deciding.add_argument("--lead", metavar="CODE", help="lead unit (default: as proposed)")
    deciding.add_argument("--cooperate", metavar="CODE", nargs="+", action="extend")
    deciding.add_argument("--inform", metavar="CODE", nargs="+", action="extend")
    deciding.add_argument("--due", metavar="YYYY-MM-DD", help="deadline of lead and cooperating")
    deciding.add_argument("--note", metavar="TEXT", help="the instruction (ý kiến chỉ đạo)")
    deciding.add_argument("--by", metavar="USER", required=True, help="the deciding leader")
    printing = command(register, "slip", cmd_slip, "the phiếu giải quyết văn bản đến (PDF)")
    printing.add_argument("number", metavar="YEAR/NUMBER")
    printing.add_argument("--output", type=Path, metavar="FILE.pdf")
