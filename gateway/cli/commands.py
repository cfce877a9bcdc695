"""The handlers of the ``gateway`` command line's own commands (DESIGN §4.1): each takes
the parsed arguments and returns the exit code. The parser that routes to them and the
error-to-exit-code dispatch are :mod:`gateway.cli.main`; the larger families of commands
live in their own modules (``gateway.cli.admin.users``, ``gateway.cli.admin.rules``…).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from gateway.cli.numbers import incoming_number
from gateway.cli.output import entry_view, views
from gateway.config.deploy import init_deployment
from gateway.config.settings import Deployment, load
from gateway.errors import ConfigError, UsageError
from gateway.spool.envelope import Envelope
from gateway.storage.archive import copy_files_into_database, uses_database
from gateway.wiring import build, open_database
from mailparse.signatures.verify import verify_pdf

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def deployment_of(args: argparse.Namespace) -> Deployment:
    return load(args.config)


def cmd_init(args: argparse.Namespace) -> int:
    written = init_deployment(args.directory, force=args.force)
    for path in written:
        print(f"đã tạo {path}")
    if args.official_roots:  # the administrator's explicit step (DESIGN §4.9)
        from gateway.cli.admin.trust_roots import install

        for step in install(load(args.directory / "gateway.toml"), dry_run=False):
            print(f"đã tin cậy {step.target} ({step.certificate.label})")
    print(f"Chạy: gateway serve -c {args.directory / 'gateway.toml'}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from gateway.pipeline.processes import PipelineProcesses, lane_count
    from gateway.service import Service
    from gateway.trust.verifier import verifier_for

    deployment = deployment_of(args)
    settings = deployment.settings.gateway
    lanes = lane_count(settings)
    # With pipeline processes, each verifies in its own; the service's verifier is for the
    # console's few (issuing), one process is enough.
    verifier = verifier_for(
        deployment, min(settings.verify_processes, 1) if lanes else settings.verify_processes
    )
    processes = PipelineProcesses(deployment, lanes) if lanes else None
    try:
        components = build(deployment, verify=verifier)  # the database upgraded first
        # Before listening, so that the first documents are not slowed: every process
        # started (spawning, importing, building a pipeline: seconds), in parallel.
        with ThreadPoolExecutor(2) as starting:
            started = [starting.submit(verifier.warm_up)]
            if processes is not None:
                started.append(starting.submit(processes.warm_up))
            for future in started:
                future.result()
        asyncio.run(Service(components, run=processes).run())
    finally:
        if processes is not None:
            processes.close()
        verifier.close()
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from gateway.cli.ingest_delivery import deliver_queued
    from gateway.pipeline.worker import Worker

    components = build(deployment_of(args))
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


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.cli.demo import run_demo

    return run_demo(args.directory)


def cmd_register_list(args: argparse.Namespace) -> int:
    deployment = deployment_of(args)
    rows = views.register_rows(open_database(deployment), deployment.zone, args.year, args.search)
    print_result(args, rows, views.register_table)
    return EXIT_OK


def cmd_register_show(args: argparse.Namespace) -> int:
    deployment = deployment_of(args)
    year, number = incoming_number(args.number)
    row = views.register_entry(open_database(deployment), deployment.zone, year, number)
    print_result(args, row, entry_view.register_detail)  # --json: the §4.3 contract
    return EXIT_OK


def cmd_inbound_list(args: argparse.Namespace) -> int:
    deployment = deployment_of(args)
    rows = views.inbound_rows(open_database(deployment), deployment.zone)
    print_result(args, rows, views.inbound_table)
    return EXIT_OK


def cmd_outbox_list(args: argparse.Namespace) -> int:
    deployment = deployment_of(args)
    rows = views.outbox_rows(open_database(deployment), deployment.zone)
    print_result(args, rows, views.outbox_table)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from gateway.reports.status import collect_status, status_text

    print_result(args, collect_status(deployment_of(args)), status_text)
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    open_database(deployment_of(args))
    print("Cơ sở dữ liệu đã được cập nhật lên phiên bản mới nhất.")
    return EXIT_OK


def cmd_db_import_archive(args: argparse.Namespace) -> int:
    """Move a filesystem archive into the database, for several instances (DESIGN §3)."""
    deployment = deployment_of(args)
    engine = open_database(deployment)
    stored, skipped = copy_files_into_database(deployment.data_dir, engine)
    print(f"Đã chép {stored} tệp vào cơ sở dữ liệu; bỏ qua {skipped} tệp không khớp mã sha256.")
    if not uses_database(deployment.settings.gateway.storage, deployment.database_url):
        print('Lưu ý: đặt [gateway] storage = "database" để cổng đọc các tệp từ cơ sở dữ liệu.')
    return EXIT_OK if not skipped else EXIT_FAILURE


def cmd_trust_check(args: argparse.Namespace) -> int:
    from gateway.trust.check import report_json, report_text
    from gateway.trust.store import load_trust
    from mailparse.errors import UnreadableDocumentError

    deployment = deployment_of(args)
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
    print_result(args, report_json(signatures, str(args.file), now, deployment.zone), report_text)
    return EXIT_OK


def cmd_trust_refresh(args: argparse.Namespace) -> int:
    from gateway.trust.refresh import refresh

    try:
        results = refresh(deployment_of(args), timeout=args.timeout)
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


def cmd_smtp_user_add(args: argparse.Namespace) -> int:
    from gateway.clerk.accounts import MIN_PASSWORD_CHARS
    from gateway.smtp.users import add_user, read_new_password

    deployment = deployment_of(args)
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


def cmd_quarantine(args: argparse.Namespace) -> int:
    from gateway.clerk.quarantine_tools import QuarantineTools
    from gateway.cli.output import quarantine_views as qv

    tools = QuarantineTools(build(deployment_of(args)))
    action = args.quarantine_command
    if action == "list":
        print_result(args, tools.list(), qv.quarantine_table)
    elif action == "show":
        print_result(args, tools.show(args.id), qv.quarantine_detail)
    elif action in {"reprocess", "release"}:
        done = tools.reprocess(args.id, alone=action == "release")
        print_result(args, {"spool_id": args.id, "action": action, "done": done}, qv.action_line)
    else:
        answered = tools.reject(args.id, args.reason, args.note)
        row = {"spool_id": args.id, "action": "reject", "answered": answered}
        print_result(args, row, qv.action_line)
    return EXIT_OK


def print_result(args: argparse.Namespace, data: Any, human: Callable[[Any], str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(human(data))
