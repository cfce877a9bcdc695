"""``gateway held list | reject ID --reason CODE | reprocess ID | release ID``: held messages
(signatures that could not be decided, …) decided from the command line, as on the console's
/held page (:mod:`gateway.clerk.held`); the actor in the audit trail is the OS user."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from gateway.clerk.held import HeldDecisions, NewSender
from gateway.clerk.quarantine_tools import actor
from gateway.config.settings import load
from gateway.wiring import Components, build
from mailparse.reasons import Reason
from registry.console.inbound_log import held_messages
from registry.database import read_session

EXIT_OK = 0


def cmd_held(args: argparse.Namespace) -> int:
    components = build(load(args.config))
    try:
        _run(args, components)
    finally:
        components.engine.dispose()
    return EXIT_OK


def _run(args: argparse.Namespace, components: Components) -> None:
    decisions = HeldDecisions(components, actor())
    if args.held_command == "list":
        with read_session(components.engine) as session:
            held = [
                {
                    "id": r.id,
                    "received_at": r.received_at.astimezone(components.deployment.zone).isoformat(
                        timespec="seconds"
                    ),
                    "sender": r.sender_address or r.envelope_from,
                    "reasons": list(r.reasons),
                }
                for r in held_messages(session)
            ]
        _print(args, held, _table)
    elif args.held_command == "reject":
        mailed = decisions.reject(args.id, args.reason, args.note)
        _print(args, {"id": args.id, "action": "reject", "answered": mailed}, _line)
    elif args.held_command == "release":
        new = None
        if args.add_sender:
            new = NewSender(
                code=args.add_sender,
                name=args.name or "",
                parent=args.parent,
                group=args.group,
                whole_domain=args.whole_domain,
            )
        spool_id = decisions.release(args.id, add_sender=new)
        row = {"id": args.id, "action": "release", "spool_id": spool_id, "added": args.add_sender}
        _print(args, row, _line)
    else:
        spool_id = decisions.reprocess(args.id)
        _print(args, {"id": args.id, "action": args.held_command, "spool_id": spool_id}, _line)


def _print(args: argparse.Namespace, data: Any, human: Callable[[Any], str]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else human(data))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "Không có thư nào đang tạm giữ."
    return "\n".join(
        f"{r['id']:>6}  {r['received_at']}  {r['sender']}  {', '.join(r['reasons'])}" for r in rows
    )


def _line(row: dict[str, Any]) -> str:
    if row["action"] == "reject":
        told = "đã gửi thư báo lý do" if row["answered"] else "không gửi thư (RFC 3834)"
        return f"thư tạm giữ {row['id']}: đã từ chối, {told}"
    if row["action"] == "release":
        added = f", đã thêm nơi gửi vào danh bạ (mã {row['added']})" if row.get("added") else ""
        return f"thư tạm giữ {row['id']}: đã chấp nhận{added}, đưa vào sổ (mục {row['spool_id']})"
    return f"thư tạm giữ {row['id']}: đưa vào xử lý lại (mục {row['spool_id']})"


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway held …`` wired into the main parser."""
    held = commands.add_parser("held", help="held messages a clerk decides").add_subparsers(
        dest="held_command", required=True, metavar="ACTION"
    )
    command(held, "list", cmd_held, "held messages and why", json_flag=True)
    reject = command(held, "reject", cmd_held, "reject, telling the sender why", json_flag=True)
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True, type=Reason, choices=list(Reason))
    reject.add_argument("--note", default="", help="recorded in the register and audit trail")
    again = command(held, "reprocess", cmd_held, "send through the pipeline again", json_flag=True)
    again.add_argument("id", type=int)
    release = command(
        held, "release", cmd_held, "accept what held it: register and receipt", json_flag=True
    )
    release.add_argument("id", type=int)
    release.add_argument(
        "--add-sender", metavar="CODE", help="also add the sender to the directory with this code"
    )
    release.add_argument("--name", help="the sender agency's name (with --add-sender)")
    release.add_argument("--parent", default="", help="the code of the body it belongs to")
    release.add_argument("--group", default="", help="its directory group")
    release.add_argument(
        "--whole-domain", action="store_true", help="every address of the sender's domain too"
    )
