"""Durable writes: the one way a file the gateway depends on reaches the disk (STYLE rule 6).

A file is durable once its bytes are fsynced under a temporary name unique to the writer
(``mkstemp``: never shared by two threads or processes), renamed over (or linked to) its
final name, and the directory holding that name fsynced — only then may the caller answer
``250``, mark a row delivered or tell an administrator "saved". Every writer of the spool,
the archive, the maildir outbox, the SMTP users file, the rules file and the CRL cache uses
these functions, so they all give the same guarantee.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_directory(path: Path) -> None:
    """Make the directory entries of ``path`` (names created, renamed, removed) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) with ``data`` fsynced; the caller syncs the folder."""
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _synced_temporary(folder: Path, data: bytes, mode: int | None) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            temporary.chmod(mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def replace_file(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new, never half.

    ``mode`` sets the permissions (default: ``0o600`` from ``mkstemp``, or the old file's
    mode when it exists).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None and path.exists():
        mode = path.stat().st_mode & 0o777
    temporary = _synced_temporary(path.parent, data, mode)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def link_new(target: Path, data: bytes, *, scratch: Path, mode: int | None = None) -> bool:
    """Create ``target`` with ``data`` unless it exists; False when it did.

    The bytes are written under a unique name in ``scratch`` (same file system, e.g. a
    maildir's ``tmp/``) and hard-linked: a link never replaces, so two writers of the same
    name (one Message-ID delivered twice at once) end with one file, written whole.
    """
    temporary = _synced_temporary(scratch, data, mode)
    try:
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        fsync_directory(target.parent)
        return True
    finally:
        temporary.unlink(missing_ok=True)
