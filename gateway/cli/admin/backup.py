"""``gateway backup DIR``, ``gateway backup verify DIR`` and ``gateway restore DIR --into
NEWDIR [--force] [--database-url URL]`` (DESIGN §4.9; docs/operations.md, "Backup")."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.config.settings import load
from gateway.errors import ConfigError
from gateway.storage.backup import BackupError, backup, verify
from gateway.storage.restore import restore

EXIT_OK, EXIT_FAILURE = 0, 1


def _cmd_backup(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    if words[0] == "verify":
        if len(words) != 2:
            raise ConfigError("cách dùng: gateway backup verify DIR")
        return _verify(Path(words[1]))
    if len(words) != 1:
        raise ConfigError("cách dùng: gateway backup DIR (hoặc gateway backup verify DIR)")
    try:
        summary = backup(load(args.config), Path(words[0]))
    except BackupError as exc:
        print(f"Không sao lưu được: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    megabytes = summary.bytes / 1_000_000
    print(
        f"Đã sao lưu vào {summary.folder}: {summary.files} tệp, {megabytes:.1f} MB, "
        f"cơ sở dữ liệu {summary.database}; danh mục tổng kiểm SHA-256 trong MANIFEST.json"
    )
    return EXIT_OK


def _verify(folder: Path) -> int:
    try:
        problems = verify(folder)
    except BackupError as exc:
        print(f"Không kiểm tra được: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"Bản sao lưu {folder} KHÔNG toàn vẹn: {len(problems)} lỗi.", file=sys.stderr)
        return EXIT_FAILURE
    print(f"Bản sao lưu {folder} toàn vẹn: mọi tệp khớp tổng kiểm SHA-256.")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    try:
        summary = restore(args.folder, args.into, force=args.force, database_url=args.database_url)
    except BackupError as exc:
        print(f"Không khôi phục được: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"Đã khôi phục vào {summary.folder} (dữ liệu: {summary.data_dir}).")
    if summary.note:
        print(f"Còn phải: {summary.note}.")
    if summary.config_file is not None:
        print(f"Chạy: gateway serve -c {summary.config_file}")
    return EXIT_OK


def add_parsers(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway backup …`` and ``gateway restore …`` wired into the main parser."""
    saving = command(commands, "backup", _cmd_backup, "consistent snapshot (or: verify DIR)")
    saving.add_argument("words", nargs="+", metavar="DIR | verify DIR")
    again = command(commands, "restore", _cmd_restore, "a deployment from a backup")
    again.add_argument("folder", type=Path, metavar="DIR")
    again.add_argument("--into", type=Path, required=True, metavar="NEWDIR")
    again.add_argument("--force", action="store_true", help="write into a non-empty NEWDIR")
    again.add_argument(
        "--database-url", default="", help="PostgreSQL backups: the empty database to fill"
    )
