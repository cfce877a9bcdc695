"""``gateway directory import FILE.csv|FILE.yaml [--dry-run]``, ``gateway directory list
[--json]`` and ``gateway directory remove CODE`` (DESIGN §4.9): the agency directory at the
scale of a province.

An import merges by code into the database table the running gateways read
(:mod:`registry.agencies.store`); it prints what was added, changed and unchanged, and
warns about addresses only a closed network's own domains make acceptable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.clerk.directory_edits import NoStoredAgencyError, remove
from gateway.cli.admin.users import operator
from gateway.config.settings import load
from gateway.wiring import directory_in_force, open_database
from registry.agencies.directory import Agency, Directory, unusual_addresses
from registry.agencies.importing import DirectoryImportError, read_agencies
from registry.agencies.store import MergeReport, merge, stored_agencies
from registry.database import read_session, write_session

EXIT_OK, EXIT_FAILURE = 0, 1


def _cmd_import(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    try:
        agencies = read_agencies(args.file)
    except DirectoryImportError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"Không nhập được: {len(exc.problems)} lỗi, chưa thay đổi gì.", file=sys.stderr)
        return EXIT_FAILURE
    engine = open_database(deployment)
    try:
        current = directory_in_force(deployment, engine).refresh()
        with write_session(engine) as session:
            report = merge(
                session,
                agencies,
                current,
                actor=operator(),
                source=f"import:{args.file.name}",
                now=datetime.now(UTC),
                dry_run=args.dry_run,
            )
    finally:
        engine.dispose()
    for line in unusual_addresses(Directory(tuple(agencies))):
        print(
            f"CẢNH BÁO: {line}: tên miền dùng riêng hoặc một nhãn, chỉ được nhận vì danh bạ "
            "ghi nó (mạng nội bộ)",
            file=sys.stderr,
        )
    print(_report_text(report, dry_run=args.dry_run))
    return EXIT_OK


def _report_text(report: MergeReport, *, dry_run: bool) -> str:
    lines = [
        f"{'Sẽ thêm' if dry_run else 'Đã thêm'} {len(report.added)}, "
        f"{'sẽ sửa' if dry_run else 'đã sửa'} {len(report.changed)}, "
        f"không đổi {len(report.unchanged)}."
    ]
    lines += [f"  + {code}" for code in report.added]
    lines += [f"  ~ {code}: {', '.join(fields)}" for code, fields in report.changed]
    if dry_run:
        lines.append("Chạy thử: chưa ghi gì.")
    return "\n".join(lines)


def _cmd_list(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    engine = open_database(deployment)
    try:
        directory = directory_in_force(deployment, engine).refresh()
        with read_session(engine) as session:
            stored = {a.code for a in stored_agencies(session)}
    finally:
        engine.dispose()
    rows = [_row(a, a.code in stored) for a in directory.agencies]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print("Danh bạ trống.")
    else:
        print("\n".join(_line(r) for r in rows))
    return EXIT_OK


def _cmd_remove(args: argparse.Namespace) -> int:
    """Take one agency's row out of the database (the console's button does the same);
    the agencies.yaml entry of that code, if any, is in force again."""
    deployment = load(args.config)
    engine = open_database(deployment)
    try:
        live = directory_in_force(deployment, engine)
        removed = remove(engine, args.code, live.file_directory, actor=operator())
    except NoStoredAgencyError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILURE
    finally:
        engine.dispose()
    print(
        f"Đã xóa cơ quan {removed.removed.code} ({removed.removed.name}) "
        "khỏi danh bạ trong cơ sở dữ liệu."
    )
    if removed.back_from_file is not None:
        print(
            f"Mục cùng mã trong tệp agencies.yaml ({removed.back_from_file.name}) "
            "có hiệu lực trở lại."
        )
    else:
        print("Tệp agencies.yaml không có mã này: cổng không còn nhận ra cơ quan này.")
    return EXIT_OK


def _row(agency: Agency, stored: bool) -> dict[str, Any]:
    return {
        **agency.model_dump(mode="json"),
        "source": "database" if stored else "file",
    }


def _line(row: dict[str, Any]) -> str:
    where = ", ".join([*row["addresses"], *(f"@{d}" for d in row["domains"])]) or "—"
    parent = f" (thuộc {row['parent']})" if row["parent"] else ""
    return f"{row['code']:<16} {row['name']}{parent}  {where}"


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway directory …`` wired into the main parser."""
    directory = commands.add_parser(
        "directory", help="the agency directory (danh bạ cơ quan)"
    ).add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    importing = command(directory, "import", _cmd_import, "merge agencies from a CSV or YAML")
    importing.add_argument("file", type=Path, metavar="FILE.csv|FILE.yaml")
    importing.add_argument("--dry-run", action="store_true", help="report, change nothing")
    command(directory, "list", _cmd_list, "the directory in force", json_flag=True)
    removing = command(directory, "remove", _cmd_remove, "take an agency's row out of the database")
    removing.add_argument("code", metavar="CODE", help="the agency's code (mã định danh)")
