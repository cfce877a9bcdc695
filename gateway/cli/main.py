"""The ``gateway`` command line (DESIGN §4.1): the parser that routes each command to its
handler (:mod:`gateway.cli.commands` and the command families' modules) and the dispatch
that turns errors into exit codes.

Exit codes: 0 success, 1 operational failure, 2 usage or configuration error. Messages
for clerks are in Vietnamese; ``--json`` output is for scripts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gateway.cli import commands as run
from gateway.cli import document as cli_document
from gateway.cli import report as cli_report
from gateway.cli.commands import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Handler
from gateway.errors import ConfigError, GatewayError, UsageError
from gateway.reports.recent_problems import install as install_problem_log
from registry.errors import NotFoundError, RegistryError

log = logging.getLogger("gateway")

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


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
    init.set_defaults(handler=run.cmd_init)

    command(commands, "serve", run.cmd_serve, "run the gateway (listeners, workers, outbox)")
    demo = commands.add_parser("demo", help="a throwaway deployment that mails itself a sample")
    demo.add_argument("directory", type=Path, nargs="?", help="default: a new temporary folder")
    demo.set_defaults(handler=run.cmd_demo)
    ingest = command(commands, "ingest", run.cmd_ingest, "process .eml files through the pipeline")
    ingest.add_argument("files", type=Path, nargs="+", metavar="FILE.eml")

    register = commands.add_parser("register", help="the incoming register").add_subparsers(
        dest="register_command", required=True, metavar="ACTION"
    )
    listing = command(register, "list", run.cmd_register_list, "list entries", json_flag=True)
    listing.add_argument("--year", type=int)
    listing.add_argument("--search", help="search text, with or without diacritics")
    from gateway.cli import register_routing as cli_register_routing

    cli_register_routing.add_parsers(register, listing, command)
    from gateway.cli import distribution as cli_distribution

    cli_distribution.add_parsers(commands, register, command)  # distribute, register slip
    from gateway.cli import delegation as cli_delegation

    cli_delegation.add_parser(commands, command)  # distribute delegate|delegations (§4.8)
    command(register, "show", run.cmd_register_show, "one entry", json_flag=True).add_argument(
        "number", metavar="YEAR/NUMBER"
    )
    from gateway.reports import register_print

    register_print.add_parser(register, command)
    cli_document.add_parsers(register, command)  # register document / paper (R-REG, DESIGN §4.3)

    inbound = commands.add_parser("inbound", help="every inbound message").add_subparsers(
        dest="inbound_command", required=True, metavar="ACTION"
    )
    command(inbound, "list", run.cmd_inbound_list, "messages and outcomes", json_flag=True)

    outbox = commands.add_parser("outbox", help="mail the gateway sends").add_subparsers(
        dest="outbox_command", required=True, metavar="ACTION"
    )
    command(
        outbox, "list", run.cmd_outbox_list, "what was sent, what waits and why", json_flag=True
    )

    trust = commands.add_parser("trust", help="signatures and trust store").add_subparsers(
        dest="trust_command", required=True, metavar="ACTION"
    )
    check = command(trust, "check", run.cmd_trust_check, "full signature report", json_flag=True)
    check.add_argument("file", type=Path, metavar="FILE.pdf")
    refresh = command(trust, "refresh", run.cmd_trust_refresh, "fetch CRLs into [trust] crls")
    refresh.add_argument("--timeout", type=float, default=30.0, help="seconds per download")
    from gateway.cli.admin import trust_roots as cli_trust_roots

    cli_trust_roots.add_parsers(trust, command)  # trust install official, trust list

    _quarantine_parser(commands, command)
    from gateway.cli.admin import users as cli_users

    cli_users.add_parser(commands, command)
    from gateway.cli import issuing as cli_issuing

    cli_issuing.add_parser(commands, command)  # issue, outgoing list|show|print (DESIGN §4.7)
    from gateway.cli.admin import directory as cli_directory

    cli_directory.add_parser(commands, command)  # directory import|list (DESIGN §4.9)
    from gateway.cli.admin import backup as cli_backup

    cli_backup.add_parsers(commands, command)  # backup DIR, backup verify DIR, restore
    from gateway.cli.admin import rules as cli_rules

    cli_rules.add_parser(commands, command)
    cli_report.add_parsers(commands, register, command)  # report monthly, register track
    command(commands, "status", run.cmd_status, "spool, outbox and IMAP accounts", json_flag=True)
    smtp_user = commands.add_parser("smtp-user", help="SMTP AUTH users").add_subparsers(
        dest="smtp_user_command", required=True, metavar="ACTION"
    )
    user_add = command(smtp_user, "add", run.cmd_smtp_user_add, "add a user or change a password")
    user_add.add_argument("name", metavar="NAME")
    user_add.add_argument("--password-file", type=Path, help="read the password from this file")
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    command(db, "upgrade", run.cmd_db_upgrade, "apply database migrations")
    command(
        db,
        "import-archive",
        run.cmd_db_import_archive,
        "copy the files of data_dir/archive and data_dir/restricted into the database",
    )
    return parser


def _quarantine_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    from mailparse.reasons import Reason

    quarantine = commands.add_parser(
        "quarantine", help="items parked for an administrator"
    ).add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")
    command(quarantine, "list", run.cmd_quarantine, "parked items and why", json_flag=True)
    for name, text in (
        ("show", "one parked item"),
        ("reprocess", "back to the queue, processed afresh"),
        ("release", "back to the queue, processed alone (a suspect)"),
    ):
        command(quarantine, name, run.cmd_quarantine, text, json_flag=True).add_argument("id")
    reject = command(
        quarantine,
        "reject",
        run.cmd_quarantine,
        "answer the sender with a rejection",
        json_flag=True,
    )
    reject.add_argument("id")
    reject.add_argument("--reason", required=True, type=Reason, choices=list(Reason))
    reject.add_argument("--note", default="", help="recorded in the register and audit trail")
    from gateway.cli import held as cli_held

    cli_held.add_parser(commands, command)  # held messages, decided like quarantined ones
