"""The ``gateway`` command line (DESIGN §4.1).

Exit codes: 0 success, 1 operational failure, 2 usage or configuration error. Messages
for clerks are in Vietnamese; ``--json`` output is for scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli import document as cli_document
from gateway.cli import report as cli_report
from gateway.cli.numbers import incoming_number
from gateway.cli.output import entry_view, views
from gateway.config.deploy import init_deployment
from gateway.config.settings import Deployment, load
from gateway.errors import ConfigError, GatewayError, UsageError
from gateway.reports.recent_problems import install as install_problem_log
from gateway.spool.envelope import Envelope
from gateway.storage.archive import copy_files_into_database, uses_database
from gateway.wiring import build, open_database
from mailparse.signatures.verify import verify_pdf
from registry.errors import NotFoundError, RegistryError

log = logging.getLogger("gateway")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.command in {"serve", "demo"}, getattr(args, "verbose", False))
    try:
        handler: Handler = args.handler
        return handler(args)
    except ConfigError as exc:
        print(f"Lỗi cấu hình (configuration error):\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"Lỗi cách dùng lệnh: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NotFoundError as exc:
        print(f"Không tìm thấy: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except (GatewayError, RegistryError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE


def _configure_logging(serving: bool, verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.INFO if serving else logging.WARNING
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter
    # pyHanko logs each failed chain with a traceback; the verdict already says it.
    for noisy in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    if serving:  # from the first line on, so /system shows problems of the start-up too
        install_problem_log()


def _deployment(args: argparse.Namespace) -> Deployment:
    return load(args.config)


def _cmd_init(args: argparse.Namespace) -> int:
    written = init_deployment(args.directory, force=args.force)
    for path in written:
        print(f"đã tạo {path}")
    if args.official_roots:  # the administrator's explicit step (DESIGN §4.9)
        from gateway.cli.trust_roots import install

        for step in install(load(args.directory / "gateway.toml"), dry_run=False):
            print(f"đã tin cậy {step.target} ({step.certificate.label})")
    print(f"Chạy: gateway serve -c {args.directory / 'gateway.toml'}")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from gateway.service import Service
    from gateway.trust.verifier import LocalVerifier, ProcessVerifier

    deployment = _deployment(args)
    processes = deployment.settings.gateway.verify_processes
    limits = deployment.settings.limits
    verifier = (
        ProcessVerifier(
            processes,
            document_seconds=limits.document_seconds,
            memory_bytes=limits.document_memory_mb * 1024 * 1024 or None,
        )
        if processes
        else None
    )
    try:
        if verifier is not None:
            verifier.warm_up()  # before listening: the first document is not slowed
        components = build(deployment, verify=verifier or LocalVerifier())
        asyncio.run(Service(components).run())
    finally:
        if verifier is not None:
            verifier.close()
    return EXIT_OK


def _cmd_ingest(args: argparse.Namespace) -> int:
    from gateway.cli.ingest_delivery import deliver_queued
    from gateway.pipeline.worker import Worker

    components = build(_deployment(args))
    worker = Worker(components.spool, components.pipeline, 1)
    failures = 0
    ingested: list[str] = []
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"{path}: không đọc được tệp: {exc.strerror}", file=sys.stderr)
            failures += 1
            continue
        envelope = Envelope(
            received_at=datetime.now(UTC),
            protocol="file",
            mail_from="",
            rcpt_tos=(),
            source={"file": str(path)},
        )
        item_id = components.spool.put(raw, envelope)
        item = components.spool.claim_id(item_id)
        result = worker.handle(item)
        if result is None:
            print(f"{path}: chưa xử lý được, đã chuyển vào hàng đợi/cách ly ({item_id})")
            failures += 1
            continue
        print(views.ingest_line(path, result))
        ingested.append(item_id)
    # DESIGN §4.1: wait until what was queued is delivered or handed to the retry schedule.
    report = deliver_queued(
        components.outbox, components.engine, ingested, components.deployment.zone
    )
    print(report.text())
    return EXIT_FAILURE if failures else EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from gateway.cli.demo import run_demo

    return run_demo(args.directory)


def _cmd_register_list(args: argparse.Namespace) -> int:
    deployment = _deployment(args)
    rows = views.register_rows(open_database(deployment), deployment.zone, args.year, args.search)
    _print(args, rows, views.register_table)
    return EXIT_OK


def _cmd_register_show(args: argparse.Namespace) -> int:
    deployment = _deployment(args)
    year, number = incoming_number(args.number)
    row = views.register_entry(open_database(deployment), deployment.zone, year, number)
    _print(args, row, entry_view.register_detail)  # --json: the §4.3 contract
    return EXIT_OK


def _cmd_inbound_list(args: argparse.Namespace) -> int:
    deployment = _deployment(args)
    rows = views.inbound_rows(open_database(deployment), deployment.zone)
    _print(args, rows, views.inbound_table)
    return EXIT_OK


def _cmd_outbox_list(args: argparse.Namespace) -> int:
    deployment = _deployment(args)
    rows = views.outbox_rows(open_database(deployment), deployment.zone)
    _print(args, rows, views.outbox_table)
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from gateway.reports.status import collect_status, status_text

    _print(args, collect_status(_deployment(args)), status_text)
    return EXIT_OK


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    open_database(_deployment(args))
    print("Cơ sở dữ liệu đã được cập nhật lên phiên bản mới nhất.")
    return EXIT_OK


def _cmd_db_import_archive(args: argparse.Namespace) -> int:
    """Move a filesystem archive into the database, for several instances (DESIGN §3)."""
    deployment = _deployment(args)
    engine = open_database(deployment)
    stored, skipped = copy_files_into_database(deployment.data_dir, engine)
    print(f"Đã chép {stored} tệp vào cơ sở dữ liệu; bỏ qua {skipped} tệp không khớp mã sha256.")
    if not uses_database(deployment.settings.gateway.storage, deployment.database_url):
        print('Lưu ý: đặt [gateway] storage = "database" để cổng đọc các tệp từ cơ sở dữ liệu.')
    return EXIT_OK if not skipped else EXIT_FAILURE


def _cmd_trust_check(args: argparse.Namespace) -> int:
    from gateway.trust.check import report_json, report_text
    from gateway.trust.store import load_trust
    from mailparse.errors import UnreadableDocumentError

    deployment = _deployment(args)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"{args.file}: không đọc được tệp: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILURE
    now = datetime.now(UTC)  # validation time: now, as if the file arrived now
    try:
        signatures = verify_pdf(data, load_trust(deployment), now)
    except UnreadableDocumentError:
        print(
            f"{args.file}: không đọc được văn bản PDF (tệp hỏng, được mã hóa bằng mật khẩu"
            " hoặc không phải tệp PDF)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    _print(args, report_json(signatures, str(args.file), now, deployment.zone), report_text)
    return EXIT_OK


def _cmd_trust_refresh(args: argparse.Namespace) -> int:
    from gateway.trust.refresh import refresh

    try:
        results = refresh(_deployment(args), timeout=args.timeout)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    for result in results:
        if result.error is None:
            print(f"đã cập nhật {result.url} → {result.path}")
        else:
            print(f"LỖI {result.url}: {result.error}", file=sys.stderr)
    if not results:
        print("Không có địa chỉ CRL nào để tải (CRL distribution points, [trust] crl_urls).")
    return EXIT_FAILURE if any(r.error for r in results) else EXIT_OK


def _cmd_smtp_user_add(args: argparse.Namespace) -> int:
    from gateway.clerk.accounts import MIN_PASSWORD_CHARS
    from gateway.smtp.users import add_user, read_new_password

    deployment = _deployment(args)
    users_file = deployment.settings.smtp.auth_users_file
    if not users_file:
        raise ConfigError("[smtp] auth_users_file: set it to the file of SMTP AUTH users")
    path = deployment.path(users_file)
    password = read_new_password(args.password_file)
    if len(password) < MIN_PASSWORD_CHARS:  # R-CHANNEL: strong passwords, as `users add`
        raise UsageError(f"mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự")
    created = add_user(path, args.name, password)
    print(f"{'đã thêm' if created else 'đã đổi mật khẩu'} {args.name} → {path}")
    return EXIT_OK


def _cmd_quarantine(args: argparse.Namespace) -> int:
    from gateway.clerk.quarantine_tools import QuarantineTools
    from gateway.cli.output import quarantine_views as qv

    tools = QuarantineTools(build(_deployment(args)))
    action = args.quarantine_command
    if action == "list":
        _print(args, tools.list(), qv.quarantine_table)
    elif action == "show":
        _print(args, tools.show(args.id), qv.quarantine_detail)
    elif action in {"reprocess", "release"}:
        done = tools.reprocess(args.id, alone=action == "release")
        _print(args, {"spool_id": args.id, "action": action, "done": done}, qv.action_line)
    else:
        answered = tools.reject(args.id, args.reason, args.note)
        row = {"spool_id": args.id, "action": "reject", "answered": answered}
        _print(args, row, qv.action_line)
    return EXIT_OK


def _print(args: argparse.Namespace, data: Any, human: Callable[[Any], str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(human(data))


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 (the commands' wiring table)
    parser = argparse.ArgumentParser(
        prog="gateway", description="Cổng tiếp nhận văn bản điện tử (official-mail gateway)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        parent: Any, name: str, handler: Handler, help_text: str, *, json_flag: bool = False
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(name, help=help_text)
        sub.add_argument("-c", "--config", type=Path, help="gateway.toml (default ./gateway.toml)")
        sub.add_argument("-v", "--verbose", action="store_true", help="debug logging")
        if json_flag:
            sub.add_argument("--json", action="store_true", help="JSON output for scripts")
        sub.set_defaults(handler=handler)
        return sub

    init = commands.add_parser("init", help="write a working deployment into DIR")
    init.add_argument("directory", type=Path)
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    init.add_argument(
        "--official-roots", action="store_true", help="trust the Government CA (pinned)"
    )
    init.set_defaults(handler=_cmd_init)

    command(commands, "serve", _cmd_serve, "run the gateway (listeners, workers, outbox)")
    demo = commands.add_parser("demo", help="a throwaway deployment that mails itself a sample")
    demo.add_argument("directory", type=Path, nargs="?", help="default: a new temporary folder")
    demo.set_defaults(handler=_cmd_demo)
    ingest = command(commands, "ingest", _cmd_ingest, "process .eml files through the pipeline")
    ingest.add_argument("files", type=Path, nargs="+", metavar="FILE.eml")

    register = commands.add_parser("register", help="the incoming register").add_subparsers(
        dest="register_command", required=True, metavar="ACTION"
    )
    listing = command(register, "list", _cmd_register_list, "list entries", json_flag=True)
    listing.add_argument("--year", type=int)
    listing.add_argument("--search", help="search text, with or without diacritics")
    from gateway.cli import register_routing as cli_register_routing

    cli_register_routing.add_parsers(register, listing, command)
    from gateway.cli import distribution as cli_distribution

    cli_distribution.add_parsers(commands, register, command)  # distribute, register slip
    command(register, "show", _cmd_register_show, "one entry", json_flag=True).add_argument(
        "number", metavar="YEAR/NUMBER"
    )
    from gateway.reports import register_print

    register_print.add_parser(register, command)
    cli_document.add_parsers(register, command)  # register document / paper (R-REG, DESIGN §4.3)

    inbound = commands.add_parser("inbound", help="every inbound message").add_subparsers(
        dest="inbound_command", required=True, metavar="ACTION"
    )
    command(inbound, "list", _cmd_inbound_list, "messages and outcomes", json_flag=True)

    outbox = commands.add_parser("outbox", help="mail the gateway sends").add_subparsers(
        dest="outbox_command", required=True, metavar="ACTION"
    )
    command(outbox, "list", _cmd_outbox_list, "what was sent, what waits and why", json_flag=True)

    trust = commands.add_parser("trust", help="signatures and trust store").add_subparsers(
        dest="trust_command", required=True, metavar="ACTION"
    )
    check = command(trust, "check", _cmd_trust_check, "full signature report", json_flag=True)
    check.add_argument("file", type=Path, metavar="FILE.pdf")
    refresh = command(trust, "refresh", _cmd_trust_refresh, "fetch CRLs into [trust] crls")
    refresh.add_argument("--timeout", type=float, default=30.0, help="seconds per download")
    from gateway.cli import trust_roots as cli_trust_roots

    cli_trust_roots.add_parsers(trust, command)  # trust install official, trust list

    _quarantine_parser(commands, command)
    from gateway.cli import users as cli_users

    cli_users.add_parser(commands, command)
    from gateway.cli import issuing as cli_issuing

    cli_issuing.add_parser(commands, command)  # issue, outgoing list|show|print (DESIGN §4.7)
    from gateway.cli import directory as cli_directory

    cli_directory.add_parser(commands, command)  # directory import|list (DESIGN §4.9)
    from gateway.cli import backup as cli_backup

    cli_backup.add_parsers(commands, command)  # backup DIR, backup verify DIR, restore
    from gateway.cli import rules as cli_rules

    cli_rules.add_parser(commands, command)
    cli_report.add_parsers(commands, register, command)  # report monthly, register track
    command(commands, "status", _cmd_status, "spool, outbox and IMAP accounts", json_flag=True)
    smtp_user = commands.add_parser("smtp-user", help="SMTP AUTH users").add_subparsers(
        dest="smtp_user_command", required=True, metavar="ACTION"
    )
    user_add = command(smtp_user, "add", _cmd_smtp_user_add, "add a user or change a password")
    user_add.add_argument("name", metavar="NAME")
    user_add.add_argument("--password-file", type=Path, help="read the password from this file")
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    command(db, "upgrade", _cmd_db_upgrade, "apply database migrations")
    command(
        db,
        "import-archive",
        _cmd_db_import_archive,
        "copy the files of data_dir/archive and data_dir/restricted into the database",
    )
    return parser


def _quarantine_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    from mailparse.reasons import Reason

    quarantine = commands.add_parser(
        "quarantine", help="items parked for an administrator"
    ).add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    command(quarantine, "list", _cmd_quarantine, "parked items and why", json_flag=True)
    for name, text in (
        ("show", "one parked item"),
        ("reprocess", "back to the queue, processed afresh"),
        ("release", "back to the queue, processed alone (a suspect)"),
    ):
        command(quarantine, name, _cmd_quarantine, text, json_flag=True).add_argument("id")
    reject = command(
        quarantine, "reject", _cmd_quarantine, "answer the sender with a rejection", json_flag=True
    )
    reject.add_argument("id")
    reject.add_argument("--reason", required=True, type=Reason, choices=list(Reason))
    reject.add_argument("--note", default="", help="recorded in the register and audit trail")
    from gateway.cli import held as cli_held

    cli_held.add_parser(commands, command)  # held messages, decided like quarantined ones
