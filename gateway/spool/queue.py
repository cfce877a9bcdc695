"""The durable directory queue between intake and the worker (DESIGN §1.2).

Layout under the spool root, one directory per item (``message.eml`` exactly as received,
``envelope.json`` beside it, ``state.json`` for attempts)::

    tmp/  being written        new/  waiting       work/  claimed by a worker
    done/ committed to the register                quarantine/  parked for a person

Every step is a rename, so an item is always in exactly one place. ``put`` and
``Arrival.commit`` (a message written into tmp/ as it arrives) return only after the bytes
and the directory entries are on disk (fsync), which is what allows the SMTP listener to
answer 250.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import BinaryIO

from gateway.errors import SpoolError
from gateway.spool.envelope import Envelope
from gateway.storage.durable import fsync_directory, write_new
from mailparse.documents.priority import HEAD_BYTES, NORMAL_RANK, queue_rank

log = logging.getLogger(__name__)

MESSAGE_FILE = "message.eml"
ENVELOPE_FILE = "envelope.json"
STATE_FILE = "state.json"
REASON_FILE = "reason.txt"
_STAGES = ("tmp", "new", "work", "done", "quarantine")
ARRIVAL_BUFFER = 1 << 16  # bytes of an arriving message held before being written


@dataclass(frozen=True)
class ItemState:
    """What the spool remembers about an item's earlier attempts (``state.json``).

    ``failures`` count attempts that ended in an error; ``crashes`` count the times the
    process died while the item was claimed, ``solo_crashes`` those that happened while it
    was being processed alone — only those point at the item itself (a poison message).
    """

    attempts: int = 0
    failures: int = 0
    crashes: int = 0
    solo_crashes: int = 0
    solo: bool = False
    not_before: float = 0.0
    last_error: str = ""

    @classmethod
    def read(cls, item_dir: Path) -> ItemState:
        try:
            data = json.loads((item_dir / STATE_FILE).read_text(encoding="utf-8"))
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in data.items() if k in known})
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def write(self, item_dir: Path) -> None:
        """Replace state.json atomically and durably, so counts survive a crash loop."""
        tmp = item_dir / (STATE_FILE + ".tmp")
        tmp.unlink(missing_ok=True)
        write_new(tmp, json.dumps(asdict(self)).encode("utf-8"))
        tmp.replace(item_dir / STATE_FILE)


@dataclass(frozen=True)
class SpoolItem:
    """A claimed item: read its bytes and envelope; move it on with the Spool."""

    id: str
    path: Path
    state: ItemState

    @property
    def attempts(self) -> int:
        return self.state.attempts

    @property
    def message(self) -> Path:
        """The file of the message's bytes, as received (read by whichever process runs the
        pipeline: a large message is not copied through a pipe)."""
        return self.path / MESSAGE_FILE

    def raw(self) -> bytes:
        return self.message.read_bytes()

    def envelope(self) -> Envelope:
        return Envelope.from_json((self.path / ENVELOPE_FILE).read_text(encoding="utf-8"))


class Arrival:
    """A message being written into tmp/: ``commit`` makes it an item of new/, durably (the
    bytes, the envelope and both folders fsynced: what lets a listener answer 250), and
    ``discard`` drops it. A failed write is kept until ``commit``, which then raises
    SpoolError; an arrival neither committed nor discarded (a crash) is dropped by
    :meth:`Spool.recover`: it was never acknowledged."""

    def __init__(self, item_id: str, folder: Path, handle: BinaryIO, waiting: Path) -> None:
        self.id = item_id
        self.size = 0
        self._folder = folder
        self._handle = handle
        self._waiting = waiting
        self._error: OSError | None = None

    def write(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        if self._error is None:
            try:
                self._handle.write(data)
            except OSError as exc:
                self._error = exc

    def commit(self, envelope: Envelope) -> str:
        """The item's id once it is on disk in new/ (blocking: it fsyncs)."""
        try:
            if self._error is not None:
                raise self._error
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            write_new(self._folder / ENVELOPE_FILE, envelope.to_json().encode("utf-8"))
            fsync_directory(self._folder)
            self._folder.rename(self._waiting / self.id)
            fsync_directory(self._waiting)
        except OSError as exc:
            self.discard()
            raise SpoolError(f"cannot spool message: {exc.strerror or exc}") from exc
        return self.id

    def discard(self) -> None:
        with suppress(OSError):
            self._handle.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def new_item_id() -> str:
    """Sortable by arrival (nanosecond clock) and unique (random suffix)."""
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


class Spool:
    """A directory queue; safe for several worker threads of one process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._ranks: dict[str, int] = {}  # item id → queue rank (R-URGENT), read once
        for stage in _STAGES:
            (root / stage).mkdir(parents=True, exist_ok=True)

    def _dir(self, stage: str) -> Path:
        return self.root / stage

    def put(self, raw: bytes, envelope: Envelope) -> str:
        """Store one message durably and return its id; raises SpoolError on any failure."""
        arrival = self.arrival()
        arrival.write(raw)
        return arrival.commit(envelope)

    def arrival(self) -> Arrival:
        """A new item in tmp/, written as its bytes arrive (SMTP DATA, line by line), so
        that the listener never holds a whole message; raises SpoolError when tmp/ cannot
        be written."""
        item_id = new_item_id()
        folder = self._dir("tmp") / item_id
        try:
            folder.mkdir()
            handle = (folder / MESSAGE_FILE).open("xb", buffering=ARRIVAL_BUFFER)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise SpoolError(f"cannot spool message: {exc.strerror or exc}") from exc
        return Arrival(item_id, folder, handle, self._dir("new"))

    def claim(self, now: float | None = None) -> SpoolItem | None:
        """Take the most urgent waiting item whose retry time has come, oldest first within
        one urgency (R-URGENT), or None."""
        current = time.time() if now is None else now
        for name in self._by_urgency(os.listdir(self._dir("new"))):
            state = ItemState.read(self._dir("new") / name)
            if state.not_before > current:
                continue
            item = self._take(name, state)
            if item is not None:
                return item
        return None

    def _by_urgency(self, names: list[str]) -> list[str]:
        """``names`` most urgent first, by arrival within one rank; each item's header block
        is read once (bounded), never in the SMTP session (DESIGN §1.1)."""
        known = self._ranks  # worker threads share the cache: replaced, never mutated
        ranks = {n: known[n] if n in known else self._rank(self._dir("new") / n) for n in names}
        self._ranks = ranks
        return sorted(names, key=lambda name: (ranks[name], name))

    @staticmethod
    def _rank(item_dir: Path) -> int:
        try:
            with (item_dir / MESSAGE_FILE).open("rb") as handle:
                return queue_rank(handle.read(HEAD_BYTES))
        except (OSError, ValueError, LookupError):
            return NORMAL_RANK  # taken meanwhile, or unreadable: the worker will see

    def claim_id(self, item_id: str) -> SpoolItem:
        """Take one named waiting item (``gateway ingest`` processes what it just spooled)."""
        item = self._take(item_id, ItemState.read(self._dir("new") / item_id))
        if item is None:
            raise SpoolError(f"spool item {item_id} is not waiting")
        return item

    def _take(self, name: str, state: ItemState) -> SpoolItem | None:
        target = self._dir("work") / name
        try:
            (self._dir("new") / name).rename(target)
        except FileNotFoundError:
            return None  # another worker took it
        state = replace(state, attempts=state.attempts + 1)
        state.write(target)
        return SpoolItem(id=name, path=target, state=state)

    def mark_solo(self, item: SpoolItem) -> SpoolItem:
        """Record, durably, that the item is now processed alone (see ItemState)."""
        state = replace(item.state, solo=True)
        state.write(item.path)
        return replace(item, state=state)

    def finish(self, item: SpoolItem, *, keep_message: bool = True) -> None:
        """The register holds the item now: move it to done/. Without ``keep_message`` the
        bytes are dropped there: a secret-marked or infected message lives only in the
        restricted store (R-SECRET), never in a copy beside the others."""
        target = self._dir("done") / item.id
        self._move(item.path, target)
        if not keep_message:
            (target / MESSAGE_FILE).unlink(missing_ok=True)
            fsync_directory(target)

    def retry_later(self, item: SpoolItem, delay: float, error: str) -> None:
        """A transient failure: back to new/, not to be claimed before ``delay`` seconds."""
        state = replace(
            ItemState.read(item.path),
            failures=item.state.failures + 1,
            solo=False,
            not_before=time.time() + delay,
            last_error=error,
        )
        state.write(item.path)
        self._move(item.path, self._dir("new") / item.id)

    def quarantine(self, item: SpoolItem, reason: str) -> Path:
        """Park the item for an administrator with the reason written beside it."""
        (item.path / REASON_FILE).write_text(reason + "\n", encoding="utf-8")
        target = self._dir("quarantine") / item.id
        self._move(item.path, target)
        return target

    def quarantined_item(self, item_id: str) -> SpoolItem:
        """A parked item, to look at (``gateway quarantine show``); SpoolError if none."""
        path = self._dir("quarantine") / item_id
        if "/" in item_id or item_id in {"", ".", ".."} or not path.is_dir():
            raise SpoolError(f"spool item {item_id} is not in quarantine")
        return SpoolItem(id=item_id, path=path, state=ItemState.read(path))

    def release(self, item_id: str, state: ItemState) -> None:
        """An administrator sends a parked item back to new/ with ``state`` (its counters)."""
        item = self.quarantined_item(item_id)
        (item.path / REASON_FILE).unlink(missing_ok=True)
        state.write(item.path)
        self._move(item.path, self._dir("new") / item_id)

    def close_quarantined(self, item_id: str) -> None:
        """A parked item an administrator decided (rejected): to done/."""
        item = self.quarantined_item(item_id)
        self._move(item.path, self._dir("done") / item_id)

    def recover(self) -> int:
        """At start-up: items left in work/ by a crash go back to new/; returns their count.

        Each counts a crash; one that was being processed alone counts a solo crash.
        """
        count = 0
        for name in sorted(os.listdir(self._dir("work"))):
            self._back_after_crash(name)
            count += 1
        for name in os.listdir(self._dir("tmp")):  # never acknowledged: safe to drop
            shutil.rmtree(self._dir("tmp") / name, ignore_errors=True)
        return count

    def crashed(self, item: SpoolItem) -> None:
        """The process running ``item`` died (a pipeline process, DESIGN §1.2): back to new/,
        counted as a crash as :meth:`recover` counts it, so it runs alone next time."""
        self._back_after_crash(item.id)

    def _back_after_crash(self, name: str) -> None:
        item_dir = self._dir("work") / name
        state = ItemState.read(item_dir)
        replace(
            state,
            crashes=state.crashes + 1,
            solo_crashes=state.solo_crashes + int(state.solo),
            solo=False,
        ).write(item_dir)
        self._move(item_dir, self._dir("new") / name)

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
            fsync_directory(target.parent)
        except OSError as exc:
            raise SpoolError(f"cannot move spool item {source.name}: {exc}") from exc
