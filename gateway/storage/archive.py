"""Raw messages and documents kept byte for byte, addressed by sha256, written once (R-INTACT).

Two homes behind one interface (:class:`ByteStore`), chosen by ``[gateway] storage``
(DESIGN §3): files under the data folder — the default of a single instance on SQLite —
or rows of the shared database, which every instance of a PostgreSQL deployment reads, so
the console of any instance serves what any other received and no disk is shared.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine

from gateway.errors import TransientError
from gateway.storage.durable import replace_file
from registry.errors import RegistryError
from registry.storage.blobs import get_blob, put_blob


class ByteStore(Protocol):
    """Where received and issued bytes live; storing the same bytes twice is a no-op."""

    def store(self, raw: bytes) -> str:
        """Keep ``raw`` durably (before it returns); its sha256."""
        ...

    def read(self, sha256: str) -> bytes:
        """The exact bytes stored under ``sha256``; FileNotFoundError when none."""
        ...


class Archive:
    """Files: ``<root>/ab/cd/<sha256>.eml``, each written durably once."""

    def __init__(self, root: Path, mode: int = 0o750) -> None:
        self.root = root
        self._mode = mode

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.eml"

    def store(self, raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        target = self.path_of(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=self._mode)
            replace_file(target, raw)
        except OSError as exc:
            raise TransientError(f"cannot archive message {digest}: {exc.strerror}") from exc
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()


class DatabaseArchive:
    """Rows of the shared database (``stored_blob``), committed before ``store`` returns."""

    def __init__(self, engine: Engine, *, restricted: bool = False) -> None:
        self.engine = engine
        self.restricted = restricted  # R-SECRET: a store of its own, never mixed

    def store(self, raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        try:
            put_blob(self.engine, digest, raw, restricted=self.restricted)
        except RegistryError as exc:  # the database is down: the item waits and retries
            raise TransientError(f"cannot store message {digest}: {exc}") from exc
        return digest

    def read(self, sha256: str) -> bytes:
        data = get_blob(self.engine, sha256, restricted=self.restricted)
        if data is None:
            raise FileNotFoundError(f"no stored bytes {sha256}")
        return data


def uses_database(storage: str, database_url: str) -> bool:
    """``[gateway] storage``: "auto" keeps bytes in PostgreSQL when that is the database."""
    if storage == "auto":
        return database_url.startswith("postgresql")
    return storage == "database"


def open_stores(
    *, storage: str, database_url: str, data_dir: Path, engine: Engine
) -> tuple[ByteStore, ByteStore]:
    """The archive and the restricted store of a deployment (DESIGN §3)."""
    if uses_database(storage, database_url):
        return DatabaseArchive(engine), DatabaseArchive(engine, restricted=True)
    return Archive(data_dir / "archive"), Archive(data_dir / "restricted", mode=0o700)


def copy_files_into_database(data_dir: Path, engine: Engine) -> tuple[int, int]:
    """Move an existing filesystem archive into the database (``gateway db import-archive``):
    every file is stored under its sha256, checked against its name; (stored, skipped)."""
    stored = skipped = 0
    for folder, restricted in (("archive", False), ("restricted", True)):
        for path in sorted((data_dir / folder).rglob("*.eml")):
            raw = path.read_bytes()
            if hashlib.sha256(raw).hexdigest() != path.stem:
                skipped += 1  # a file that is not what its name says is never imported
                continue
            DatabaseArchive(engine, restricted=restricted).store(raw)
            stored += 1
    return stored, skipped
