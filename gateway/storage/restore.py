"""``gateway restore DIR --into NEWDIR [--force]``: a deployment from a backup made by
:mod:`gateway.storage.backup`, checked against its manifest before anything is written.

NEWDIR receives the configuration folder as it was; the files the configuration named
outside that folder go back where they were unless something is there already
(:mod:`gateway.storage.external_files`); the data folder goes where that
configuration's ``[gateway] data_dir`` points when it is relative (``var`` by default),
else into ``NEWDIR/var`` (the administrator then points ``data_dir`` there). A SQLite
register becomes ``<data>/gateway.db``; a PostgreSQL one is restored with ``pg_restore``
into the empty database ``--database-url`` names. Spool items taken while the gateway
served go back to ``new/``: processing them again changes nothing for those already
registered (idempotent on spool id) and registers the others.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect

from gateway.storage.backup import PG_FILE, SQLITE_FILE, BackupError, read_manifest, verify
from gateway.storage.external_files import put_back
from gateway.storage.pgtools import pg_restore
from registry.database import make_engine


@dataclass(frozen=True)
class RestoreSummary:
    folder: Path
    config_file: Path | None
    data_dir: Path
    database: str
    note: str  # what the administrator must still do, or ""


def restore(
    source: Path, into: Path, *, force: bool = False, database_url: str = ""
) -> RestoreSummary:
    problems = verify(source)
    if problems:
        raise BackupError("bản sao lưu không toàn vẹn:\n" + "\n".join(problems))
    manifest = read_manifest(source)
    if into.exists() and any(into.iterdir()) and not force:
        raise BackupError(f"{into}: thư mục đã có dữ liệu; dùng --force để ghi đè")
    kind = manifest["database"]
    if kind == "postgresql" and not database_url:
        raise BackupError("bản sao lưu PostgreSQL: cần --database-url của một cơ sở dữ liệu trống")
    into.mkdir(parents=True, exist_ok=True, mode=0o750)
    shutil.copytree(source / "config", into, dirs_exist_ok=True)
    _, aside = put_back(source, into, manifest.get("external", {}))
    configured = Path(manifest.get("data_dir") or "var")
    data = into / ("var" if configured.is_absolute() else configured)
    note = (
        f'đặt [gateway] data_dir = "{data}" trong tệp cấu hình (bản gốc: {configured})'
        if configured.is_absolute()
        else ""
    )
    if data.exists() and force:
        shutil.rmtree(data)
    if (source / "data").is_dir():
        shutil.copytree(source / "data", data, dirs_exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    _respool(data / "spool")
    if kind == "sqlite":
        shutil.copy2(source / SQLITE_FILE, data / "gateway.db")
    else:
        _restore_postgresql(database_url, source / PG_FILE, force=force)
        pointed = "đặt [gateway] database_url trỏ tới cơ sở dữ liệu vừa khôi phục"
        note = f"{note}; {pointed}" if note else pointed
    if aside:
        kept = (
            f"các tệp {', '.join(aside)} đã có sẵn trên máy này nên không bị ghi đè; "
            f"bản trong sao lưu nằm ở {into / 'external'}"
        )
        note = f"{note}; {kept}" if note else kept
    config_name = manifest.get("config_file")
    return RestoreSummary(into, into / config_name if config_name else None, data, kind, note)


def _respool(spool: Path) -> None:
    """Items that were being worked on wait again in new/ (as at any start-up)."""
    work = spool / "work"
    if not work.is_dir():
        return
    (spool / "new").mkdir(parents=True, exist_ok=True)
    for item in work.iterdir():
        item.rename(spool / "new" / item.name)


def _restore_postgresql(url: str, dump: Path, *, force: bool) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables and not force:
        raise BackupError("cơ sở dữ liệu đích đã có bảng; hãy dùng một cơ sở dữ liệu trống")
    pg_restore(url, dump, clean=bool(tables))
