"""Raw messages kept byte for byte, addressed by sha256, written once (R-INTACT)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from gateway.errors import TransientError


class Archive:
    """``<root>/ab/cd/<sha256>.eml``; storing the same bytes twice is a no-op."""

    def __init__(self, root: Path, mode: int = 0o750) -> None:
        self.root = root
        self._mode = mode

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.eml"

    def store(self, raw: bytes) -> str:
        """Write ``raw`` durably if not already there; return its sha256."""
        digest = hashlib.sha256(raw).hexdigest()
        target = self.path_of(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=self._mode)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(target)
            fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise TransientError(f"cannot archive message {digest}: {exc.strerror}") from exc
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()
