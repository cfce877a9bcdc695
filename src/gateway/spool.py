"""The durable directory queue between intake and the worker (DESIGN §1.2).

Layout under the spool root, one directory per item (``message.eml`` exactly as received,
``envelope.json`` beside it, ``state.json`` for attempts)::

    tmp/  being written        new/  waiting       work/  claimed by a worker
    done/ committed to the register                quarantine/  parked for a person

Every step is a rename, so an item is always in exactly one place. ``put`` returns only
after the bytes and the directory entries are on disk (fsync), which is what allows the
SMTP listener to answer 250.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from gateway.envelope import Envelope
from gateway.errors import SpoolError

log = logging.getLogger(__name__)

MESSAGE_FILE = "message.eml"
ENVELOPE_FILE = "envelope.json"
STATE_FILE = "state.json"
REASON_FILE = "reason.txt"
_STAGES = ("tmp", "new", "work", "done", "quarantine")


@dataclass(frozen=True)
class SpoolItem:
    """A claimed item: read its bytes and envelope; move it on with the Spool."""

    id: str
    path: Path
    attempts: int

    def raw(self) -> bytes:
        return (self.path / MESSAGE_FILE).read_bytes()

    def envelope(self) -> Envelope:
        return Envelope.from_json((self.path / ENVELOPE_FILE).read_text(encoding="utf-8"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def new_item_id() -> str:
    """Sortable by arrival (nanosecond clock) and unique (random suffix)."""
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


class Spool:
    """A directory queue; safe for several worker threads of one process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for stage in _STAGES:
            (root / stage).mkdir(parents=True, exist_ok=True)

    def _dir(self, stage: str) -> Path:
        return self.root / stage

    def put(self, raw: bytes, envelope: Envelope) -> str:
        """Store one message durably and return its id; raises SpoolError on any failure."""
        item_id = new_item_id()
        tmp = self._dir("tmp") / item_id
        try:
            tmp.mkdir()
            _write_synced(tmp / MESSAGE_FILE, raw)
            _write_synced(tmp / ENVELOPE_FILE, envelope.to_json().encode("utf-8"))
            _fsync_dir(tmp)
            tmp.rename(self._dir("new") / item_id)
            _fsync_dir(self._dir("new"))
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SpoolError(f"cannot spool message: {exc.strerror or exc}") from exc
        return item_id

    def claim(self, now: float | None = None) -> SpoolItem | None:
        """Take the oldest waiting item whose retry time has come, or None."""
        current = time.time() if now is None else now
        for name in sorted(os.listdir(self._dir("new"))):
            state = _read_state(self._dir("new") / name)
            if float(state.get("not_before", 0)) > current:
                continue
            item = self._take(name, state)
            if item is not None:
                return item
        return None

    def claim_id(self, item_id: str) -> SpoolItem:
        """Take one named waiting item (``gateway ingest`` processes what it just spooled)."""
        item = self._take(item_id, _read_state(self._dir("new") / item_id))
        if item is None:
            raise SpoolError(f"spool item {item_id} is not waiting")
        return item

    def _take(self, name: str, state: dict[str, float | int | str]) -> SpoolItem | None:
        target = self._dir("work") / name
        try:
            (self._dir("new") / name).rename(target)
        except FileNotFoundError:
            return None  # another worker took it
        attempts = int(state.get("attempts", 0)) + 1
        _write_state(target, {**state, "attempts": attempts})
        return SpoolItem(id=name, path=target, attempts=attempts)

    def finish(self, item: SpoolItem) -> None:
        """The register holds the item now: move it to done/."""
        self._move(item.path, self._dir("done") / item.id)

    def retry_later(self, item: SpoolItem, delay: float, error: str) -> None:
        """A transient failure: back to new/, not to be claimed before ``delay`` seconds."""
        state = _read_state(item.path)
        _write_state(item.path, {**state, "not_before": time.time() + delay, "last_error": error})
        self._move(item.path, self._dir("new") / item.id)

    def quarantine(self, item: SpoolItem, reason: str) -> Path:
        """Park the item for an administrator with the reason written beside it."""
        (item.path / REASON_FILE).write_text(reason + "\n", encoding="utf-8")
        target = self._dir("quarantine") / item.id
        self._move(item.path, target)
        return target

    def recover(self) -> int:
        """At start-up: items left in work/ by a crash go back to new/; returns their count."""
        count = 0
        for name in sorted(os.listdir(self._dir("work"))):
            self._move(self._dir("work") / name, self._dir("new") / name)
            count += 1
        for name in os.listdir(self._dir("tmp")):  # never acknowledged: safe to drop
            shutil.rmtree(self._dir("tmp") / name, ignore_errors=True)
        return count

    def waiting(self) -> list[str]:
        return sorted(os.listdir(self._dir("new")))

    def quarantined(self) -> list[str]:
        return sorted(os.listdir(self._dir("quarantine")))

    def prune_done(self, older_than_seconds: float) -> int:
        """Drop finished items older than the retention (the archive keeps the raw bytes)."""
        limit = time.time() - older_than_seconds
        removed = 0
        for entry in os.scandir(self._dir("done")):
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed += 1
        return removed

    def _move(self, source: Path, target: Path) -> None:
        try:
            source.rename(target)
            _fsync_dir(target.parent)
        except OSError as exc:
            raise SpoolError(f"cannot move spool item {source.name}: {exc}") from exc


def _read_state(item_dir: Path) -> dict[str, float | int | str]:
    try:
        data = json.loads((item_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(item_dir: Path, state: dict[str, float | int | str]) -> None:
    """Replace state.json atomically and durably, so attempts survive a crash loop."""
    tmp = item_dir / (STATE_FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    _write_synced(tmp, json.dumps(state).encode("utf-8"))
    tmp.replace(item_dir / STATE_FILE)
