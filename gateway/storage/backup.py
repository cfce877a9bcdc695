"""``gateway backup DIR``: a consistent snapshot of a deployment while it serves (DESIGN
§4.9; the register is an official record, NĐ 30).

What goes in, in this order, and why the order makes it consistent:

1. ``spool/`` — mail answered 250 but perhaps not yet registered (new/, work/, quarantine/,
   then done/: an item only moves forward, so one moving while we copy is caught in a
   later stage). Taken *before* the database: an item committed in between is in both,
   and processing a committed spool item again changes nothing (idempotent on spool id).
2. the database — SQLite through its online backup API (one read transaction), PostgreSQL
   with ``pg_dump`` (one repeatable-read snapshot, custom format).
3. ``archive/`` and ``restricted/`` — raw messages by sha256, written once and always
   before the database commit that names them: everything the snapshot refers to is
   there. Later files are harmless extras.
4. the configuration folder (``gateway.toml``, directory, rules, trust/, CRLs, …) without
   the data folder, and the files the configuration names outside that folder
   (:mod:`gateway.storage.external_files`, under ``external/``).

``MANIFEST.json`` lists every file with its sha256 and size; ``SHA256SUMS`` is the same list
for ``sha256sum -c``. The backup folder is created mode 0700: it holds the restricted
store and the configuration's secrets.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from gateway.config.settings import Deployment
from gateway.errors import GatewayError
from gateway.storage.external_files import copy_out
from gateway.storage.pgtools import pg_dump

MANIFEST = "MANIFEST.json"
SUMS = "SHA256SUMS"
FORMAT = 1
SQLITE_FILE = "database/gateway.db"
PG_FILE = "database/postgresql.dump"
SPOOL_STAGES = ("new", "work", "quarantine", "done")


class BackupError(GatewayError):
    """The backup could not be made or does not verify; the message says what."""


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    database: str  # "sqlite" | "postgresql"
    files: int
    bytes: int


def backup(deployment: Deployment, target: Path) -> BackupSummary:
    """Write a backup of ``deployment`` into the new or empty folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target}: thư mục đã có dữ liệu; hãy chọn một thư mục mới")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    target.chmod(0o700)
    data = deployment.data_dir
    _copy_spool(data / "spool", target / "data" / "spool")
    kind = _copy_database(deployment, target)
    for store in ("archive", "restricted"):
        _copy_tree(data / store, target / "data" / store)
    _copy_config(deployment, target / "config", skip=target.resolve())
    external = copy_out(deployment, target)
    files = write_manifest(target, kind, deployment, external)
    return BackupSummary(target, kind, len(files), sum(f["size"] for f in files.values()))


def _copy_database(deployment: Deployment, target: Path) -> str:
    url = deployment.database_url
    (target / "database").mkdir(mode=0o700)
    if url.startswith("sqlite"):
        source = Path(url.split("///", 1)[1])
        if not source.is_file():
            raise BackupError(f"{source}: không có cơ sở dữ liệu SQLite")
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target / SQLITE_FILE)
        try:
            src.backup(dst)  # one step (pages=-1): one consistent read of every page
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        finally:
            dst.close()
            src.close()
        return "sqlite"
    if url.startswith("postgresql"):
        pg_dump(url, target / PG_FILE)
        return "postgresql"
    raise BackupError(
        f"database_url: không hỗ trợ sao lưu loại cơ sở dữ liệu này ({url.split(':')[0]})"
    )


def _copy_spool(source: Path, target: Path) -> None:
    for stage in SPOOL_STAGES:
        folder = source / stage
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir()):
            if any((target / s / item.name).exists() for s in SPOOL_STAGES):
                continue  # already caught in an earlier stage
            try:
                _copy_tree(item, target / stage / item.name, strict=True)
            except FileNotFoundError:  # it moved on while we copied: a later stage has it
                shutil.rmtree(target / stage / item.name, ignore_errors=True)


def _copy_tree(source: Path, target: Path, *, strict: bool = False) -> None:
    """Copy the regular files under ``source``; a file vanishing is skipped unless
    ``strict`` (then FileNotFoundError)."""
    if not source.is_dir():
        return
    for folder, _, names in os.walk(source):
        for name in sorted(names):
            path = Path(folder) / name
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                shutil.copy2(path, destination)
            except FileNotFoundError:
                if strict:
                    raise


def _copy_config(deployment: Deployment, target: Path, *, skip: Path) -> None:
    """The configuration folder without the data folder (and without an older backup)."""
    target.mkdir(mode=0o700)
    if deployment.config_file is None:
        return
    base = deployment.base_dir.resolve()
    data = deployment.data_dir.resolve()
    for folder, dirs, names in os.walk(base):
        here = Path(folder)
        dirs[:] = [
            d
            for d in dirs
            if (here / d).resolve() not in {data, skip} and not (here / d / MANIFEST).exists()
        ]
        for name in names:
            path = here / name
            if path.is_file():
                destination = target / path.relative_to(base)
                destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                shutil.copy2(path, destination)


def write_manifest(
    target: Path, kind: str, deployment: Deployment, external: dict[str, str] | None = None
) -> dict[str, Any]:
    files = {
        str(path.relative_to(target)): {"sha256": sha256_of(path), "size": path.stat().st_size}
        for path in sorted(target.rglob("*"))
        if path.is_file() and path.name not in {MANIFEST, SUMS}
    }
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gateway_version": _version(),
        "database": kind,
        "config_file": deployment.config_file.name if deployment.config_file else None,
        "data_dir": deployment.settings.gateway.data_dir,
        "external": external or {},  # absolute path → its copy in the backup
        "files": files,
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    sums = "".join(f"{f['sha256']}  {name}\n" for name, f in files.items())
    (target / SUMS).write_text(sums, encoding="utf-8")
    return files


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder}: không đọc được {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: {MANIFEST}: định dạng {manifest.get('format')!r} lạ")
    return manifest


def verify(folder: Path) -> list[str]:
    """Every problem of the backup in ``folder`` (empty: it verifies)."""
    manifest = read_manifest(folder)
    listed: dict[str, dict[str, Any]] = manifest["files"]
    problems = []
    for name, expected in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"thiếu tệp: {name}")
        elif sha256_of(path) != expected["sha256"]:
            problems.append(f"sai tổng kiểm SHA-256: {name}")
    present = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name not in {MANIFEST, SUMS}
    }
    problems += [f"tệp không có trong danh mục: {name}" for name in sorted(present - set(listed))]
    if manifest["database"] == "sqlite" and not problems:
        problems += _sqlite_integrity(folder / SQLITE_FILE)
    return problems


def _sqlite_integrity(path: Path) -> list[str]:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()
    return [] if result == ["ok"] else [f"cơ sở dữ liệu hỏng: {'; '.join(result)[:500]}"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version() -> str:
    try:
        return metadata.version("vn-official-mail-gateway")
    except metadata.PackageNotFoundError:
        return "unknown"
