"""``gateway distribute delegate|delegations``: a leader's delegation for a period
(R-DISTRIB, DESIGN §4.8; :mod:`gateway.distribution.delegation`).

``gateway distribute delegate LEADER --to OTHER --from DD/MM/YYYY --until DD/MM/YYYY
[--by USER] [--json]`` lets OTHER (a leader's code in rules.yaml, a console account of
role leader, or a mailbox) decide in LEADER's place, both days included.
``gateway distribute delegations [--cancel ID] [--json]`` lists the delegations in force
and to come, or cancels one. Dates are written day first, as everywhere a person types
them (:mod:`gateway.clerk.dates`). Exit 1 with the reason in Vietnamese when refused.

``gateway distribute YEAR/NUMBER …`` keeps its own parser: the words ``delegate`` and
``delegations`` (never a register number) pick these two instead.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from gateway.clerk.dates import DateError, parse_day
from gateway.cli.admin.users import operator
from gateway.config.settings import load
from gateway.distribution import delegation
from gateway.distribution.decide import Desk
from gateway.errors import ConfigError
from gateway.wiring import build

WORDS = ("delegate", "delegations")


def _day(flag: str, text: str) -> Any:
    try:
        day = parse_day(text)
    except DateError as exc:
        raise ConfigError(f"{flag}: {exc}") from exc
    if day is None:
        raise ConfigError(f"{flag}: thiếu ngày")
    return day


def cmd_delegate(args: argparse.Namespace) -> int:
    starts, ends = _day("--from", args.starts), _day("--until", args.ends)
    components = build(load(args.config))
    try:
        desk = Desk.of(components.pipeline)
        done = delegation.set_delegation(
            desk, args.leader, args.to, starts, ends, by=args.by or operator()
        )
    finally:
        components.engine.dispose()
    if args.json:
        print(json.dumps(asdict(done), ensure_ascii=False, indent=2))
    else:
        print(
            f"đã ủy quyền (số {done.id}): {done.delegate} cho ý kiến phân công thay "
            f"{done.leader} từ {done.starts} đến hết {done.ends}"
        )
    return 0


def cmd_delegations(args: argparse.Namespace) -> int:
    components = build(load(args.config))
    try:
        desk = Desk.of(components.pipeline)
        if args.cancel is not None:
            delegation.cancel(desk, args.cancel, by=args.by or operator())
            print(f"đã hủy ủy quyền số {args.cancel}")
            return 0
        found = delegation.listing(desk)
    finally:
        components.engine.dispose()
    if args.json:
        print(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=2))
    elif not found:
        print("không có ủy quyền nào đang hoặc sắp có hiệu lực")
    for d in [] if args.json else found:
        state = "đang có hiệu lực" if d.in_force else "chưa đến ngày"
        print(f"{d.id}\t{d.leader} → {d.delegate}\t{d.starts} – {d.ends}\t{state}")
    return 0


class _Distribute(argparse.ArgumentParser):
    """``distribute``'s parser: YEAR/NUMBER as before, or one of :data:`WORDS`."""

    def __init__(self, original: argparse.ArgumentParser, words: argparse.ArgumentParser) -> None:
        super().__init__(prog=original.prog, add_help=False)
        self.original = original
        self.words = words
        # what docs/cli.md walks (gateway.cli.reference): the decision's arguments, then
        # the two words as sub-commands
        self._actions = [*original._actions, *words._actions]

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        chosen = self.words if args and args[0] in WORDS else self.original
        return chosen.parse_known_args(args, namespace)

    def format_help(self) -> str:
        return self.original.format_help() + "\n" + self.words.format_help()


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """Wire ``distribute delegate|delegations`` beside ``distribute YEAR/NUMBER``."""
    holder = argparse.ArgumentParser(prog="gateway distribute", add_help=False)
    words = holder.add_subparsers(dest="distribute_command", required=True, metavar="ACTION")
    delegate = command(
        words, "delegate", cmd_delegate, "let another leader decide for a period", json_flag=True
    )
    delegate.add_argument("leader", metavar="LEADER", help="code (or account) of the leader")
    delegate.add_argument(
        "--to", required=True, metavar="OTHER", help="leader code, account or mailbox"
    )
    delegate.add_argument(
        "--from", dest="starts", required=True, metavar="DD/MM/YYYY", help="first day"
    )
    delegate.add_argument(
        "--until", dest="ends", required=True, metavar="DD/MM/YYYY", help="last day, included"
    )
    delegate.add_argument("--by", metavar="USER", help="who sets it (default cli:<user>)")
    listing = command(
        words, "delegations", cmd_delegations, "delegations in force and to come", json_flag=True
    )
    listing.add_argument("--cancel", type=int, metavar="ID", help="cancel delegation ID")
    listing.add_argument("--by", metavar="USER", help="who cancels it (default cli:<user>)")
    original = commands.choices["distribute"]
    commands.choices["distribute"] = _Distribute(original, holder)
