"""``gateway issue`` and ``gateway outgoing list|show|print`` (DESIGN §4.7).

A refusal exits 1 with the reason in Vietnamese on stderr (``--json``: an object with
``refused`` and ``reason`` on stdout as well); nothing is registered or sent.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from gateway.config.settings import load
from gateway.errors import ConfigError, UsageError
from gateway.issuing import register_print
from gateway.issuing.errors import IssueRefusedError
from gateway.issuing.issue import IssueRequest, issuer_for
from gateway.wiring import Components, build, open_database
from registry.database import read_session
from registry.outgoing.models import DeliveryStatus
from registry.outgoing.queries import get_outgoing, history_of, list_outgoing
from registry.outgoing.views import OutgoingView
from templates import vn_date, vn_datetime

STATUS_LABELS = {
    DeliveryStatus.QUEUED: "chờ gửi",
    DeliveryStatus.SENT: "đã gửi, chờ xác nhận",
    DeliveryStatus.RECEIVED: "đã nhận",
    DeliveryStatus.REFUSED: "từ chối",
    DeliveryStatus.BOUNCED: "không chuyển được",
    DeliveryStatus.OVERDUE: "quá hạn xác nhận",
}


def _operator() -> str:
    """The audit trail names the clerk as ``cli:<system user>`` (as ``gateway users`` does)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: không đọc được tệp: {exc.strerror}") from exc


def cmd_issue(args: argparse.Namespace) -> int:
    components = build(load(args.config))
    try:
        return _issue(args, components)
    finally:
        components.engine.dispose()


def _issue(args: argparse.Namespace, components: Components) -> int:
    respond_by = None
    if args.respond_by:
        try:
            respond_by = date.fromisoformat(args.respond_by)
        except ValueError as exc:
            raise UsageError(
                f"--respond-by: ngày không hợp lệ {args.respond_by!r} (cần dạng YYYY-MM-DD)"
            ) from exc
    request = IssueRequest(
        pdf=_read(args.file),
        filename=args.file.name,
        recipients=tuple(args.to),
        attachments=tuple((p.name, _read(p)) for p in args.attach or ()),
        answers=args.answers,
        respond_by=respond_by,
        actor=_operator(),
    )
    try:
        result = issuer_for(components).issue(request)
    except IssueRefusedError as refusal:
        print(f"Không phát hành: {refusal.message}", file=sys.stderr)
        if args.json:
            print(json.dumps({"refused": str(refusal.code), "reason": refusal.message}))
        return 1
    try:
        components.outbox.run_once(batch=max(20, len(result.recipients)))
    finally:
        components.outbox.close()
    if args.json:
        with read_session(components.engine) as session:
            view = get_outgoing(session, result.document_id)
        print(json.dumps(view.to_json(components.pipeline.zone), ensure_ascii=False, indent=2))
    else:
        print(
            f"đã phát hành văn bản số {result.document_number} "
            f"(số thứ tự văn bản đi {result.outgoing}) tới {len(result.recipients)} nơi nhận:"
        )
        for r in result.recipients:
            print(f"  - {r.name} <{r.address}>")
    return 0


def cmd_outgoing(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    engine = open_database(deployment)
    try:
        return _outgoing(args, engine, deployment.zone)
    finally:
        engine.dispose()


def _outgoing(args: argparse.Namespace, engine: Engine, zone: ZoneInfo) -> int:
    with read_session(engine) as session:
        if args.outgoing_command == "list":
            views = list_outgoing(session, year=args.year, status=args.status, search=args.search)
            if args.json:
                _dump([v.to_json(zone) for v in views])
            else:
                print(outgoing_table(views, zone))
            return 0
        view = get_outgoing(session, args.id)
        history = history_of(session, args.id)
    if args.json:
        data = view.to_json(zone)
        data["history"] = [e.to_json(zone) for e in history]
        _dump(data)
    else:
        print(outgoing_detail(view, zone))
        print("Diễn biến:")
        for e in history:
            label = STATUS_LABELS.get(DeliveryStatus(e.status), e.status)
            extra = f" ({e.note})" if e.note else ""
            print(f"  {vn_datetime(e.at, zone.key)}  {e.code or e.address}: {label}{extra}")
    return 0


def outgoing_table(views: list[OutgoingView], zone: ZoneInfo) -> str:
    if not views:
        return "Chưa có văn bản đi nào."
    lines = []
    for v in views:
        counts = v.counts()
        summary = ", ".join(
            f"{STATUS_LABELS[s]} {counts[s]}" for s in DeliveryStatus if counts.get(s)
        )
        lines.append(
            f"{v.id:>5}  {v.year}/{v.outgoing_number:<5} {v.document_number:<20} "
            f"{vn_datetime(v.issued_at, zone.key)}  {summary}"
        )
    return "\n".join(lines)


def outgoing_detail(v: OutgoingView, zone: ZoneInfo) -> str:
    lines = [
        f"Văn bản đi số thứ tự {v.year}/{v.outgoing_number}: {v.document_number}",
        f"Ngày văn bản: {vn_date(v.issued_on) if v.issued_on else '—'}",
        f"Tên loại và trích yếu: {' - '.join(p for p in (v.document_type, v.summary) if p)}",
        f"Người ký: {v.signer_name or '—'}",
        f"Phát hành lúc: {vn_datetime(v.issued_at, zone.key)} bởi {v.issued_by}",
    ]
    if v.answers:
        lines.append(f"Trả lời văn bản đến số: {v.answers}")
    if v.respond_by:
        lines.append(f"Hạn trả lời: {vn_date(v.respond_by)}")
    lines.append("Nơi nhận:")
    for r in v.recipients:
        label = STATUS_LABELS.get(DeliveryStatus(r.status), r.status)
        number = f", số đến {r.their_number}" if r.their_number else ""
        reasons = f", lý do: {', '.join(r.reasons)}" if r.reasons else ""
        lines.append(f"  - {r.name} <{r.address}>: {label}{number}{reasons}")
    return "\n".join(lines)


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway issue`` and ``gateway outgoing …`` wired into the main parser."""
    issue = command(commands, "issue", cmd_issue, "issue a signed document", json_flag=True)
    issue.add_argument("file", type=Path, metavar="FILE.pdf")
    issue.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="R[,R…]",
        help="directory code, directory group, 'all' or e-mail address",
    )
    issue.add_argument("--attach", type=Path, nargs="+", metavar="FILE", help="extra files")
    issue.add_argument("--answers", metavar="YEAR/NUMBER", help="the incoming entry answered")
    issue.add_argument("--respond-by", metavar="YYYY-MM-DD", help="answer requested by then")
    outgoing = commands.add_parser("outgoing", help="the outgoing register").add_subparsers(
        dest="outgoing_command", required=True, metavar="ACTION"
    )
    listing = command(outgoing, "list", cmd_outgoing, "issued documents", json_flag=True)
    listing.add_argument("--year", type=int)
    listing.add_argument("--status", choices=[s.value for s in DeliveryStatus])
    listing.add_argument("--search", help="search text, with or without diacritics")
    show = command(outgoing, "show", cmd_outgoing, "one issued document", json_flag=True)
    show.add_argument("id", type=int, metavar="ID")
    register_print.add_parser(outgoing, command)
