"""The spool: durable before acknowledged, claim by rename, recovery, bounded attempts."""

from __future__ import annotations

import errno
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import SpoolError
from gateway.spool.envelope import Envelope
from gateway.spool.queue import Spool

ENVELOPE = Envelope(
    received_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    protocol="smtp",
    mail_from="vanthu@vp.rachgia.example.gov.vn",
    rcpt_tos=("vanthu@example.gov.vn",),
    peer="127.0.0.1:40000",
)
RAW = b"Subject: th\xc6\xb0\r\n\r\nbody with a bare \n and trailing spaces   \r\n"


def test_put_stores_bytes_unchanged_and_claim_takes_the_oldest(tmp_path: Path) -> None:
    """GIVEN two spooled messages WHEN claimed THEN the oldest comes first, bytes unchanged."""
    spool = Spool(tmp_path)
    first = spool.put(RAW, ENVELOPE)
    second = spool.put(b"other", ENVELOPE)
    item = spool.claim()
    assert item is not None and item.id == first
    assert item.raw() == RAW
    assert item.envelope() == ENVELOPE
    assert item.attempts == 1
    assert spool.waiting() == [second]


def test_claimed_items_return_to_new_at_recovery_counting_the_crash(tmp_path: Path) -> None:
    """GIVEN an item claimed when the process died WHEN the spool recovers
    THEN the item waits again, its next claim counts a second attempt and one crash; a
    crash while the item ran alone also counts as a solo crash."""
    spool = Spool(tmp_path)
    item_id = spool.put(RAW, ENVELOPE)
    assert spool.claim() is not None
    assert Spool(tmp_path).recover() == 1
    again = Spool(tmp_path).claim()
    assert again is not None and again.id == item_id
    assert (again.attempts, again.state.crashes, again.state.solo_crashes) == (2, 1, 0)
    spool.mark_solo(again)
    Spool(tmp_path).recover()
    third = Spool(tmp_path).claim()
    assert third is not None
    assert (third.attempts, third.state.crashes, third.state.solo_crashes) == (3, 2, 1)
    assert third.state.solo is False


def test_retry_later_waits_until_its_time(tmp_path: Path) -> None:
    """GIVEN an item put back after a transient failure WHEN claimed before its time
    THEN nothing is given; after its time it is."""
    spool = Spool(tmp_path)
    spool.put(RAW, ENVELOPE)
    item = spool.claim()
    assert item is not None
    spool.retry_later(item, 60, "database locked")
    assert spool.claim() is None
    later = spool.claim(now=datetime.now(UTC).timestamp() + 120)
    assert later is not None and later.attempts == 2
    assert later.state.failures == 1
    state = json.loads((later.path / "state.json").read_text())
    assert state["last_error"] == "database locked"


def test_quarantine_keeps_the_item_and_its_reason(tmp_path: Path) -> None:
    """GIVEN a failing item WHEN quarantined THEN it is parked with its reason, bytes intact."""
    spool = Spool(tmp_path)
    item_id = spool.put(RAW, ENVELOPE)
    item = spool.claim()
    assert item is not None
    path = spool.quarantine(item, "gave up after 5 attempts")
    assert spool.quarantined() == [item_id]
    assert (path / "message.eml").read_bytes() == RAW
    assert "gave up" in (path / "reason.txt").read_text()


def test_finish_moves_to_done(tmp_path: Path) -> None:
    """GIVEN a processed item WHEN finished THEN it is in done/ and never claimed again."""
    spool = Spool(tmp_path)
    item_id = spool.put(RAW, ENVELOPE)
    item = spool.claim()
    assert item is not None
    spool.finish(item)
    assert (tmp_path / "done" / item_id / "message.eml").exists()
    assert spool.claim() is None


def test_a_spool_that_cannot_be_written_raises_spool_error(tmp_path: Path) -> None:
    """GIVEN a spool whose tmp/ is not a directory WHEN a message is put THEN SpoolError
    (the SMTP listener turns it into 451), and nothing half-written is left in new/."""
    spool = Spool(tmp_path)
    (tmp_path / "tmp").rmdir()
    (tmp_path / "tmp").write_text("not a directory")
    with pytest.raises(SpoolError):
        spool.put(RAW, ENVELOPE)
    assert spool.waiting() == []


class _FullDisk(io.BytesIO):
    """A message file on a disk that fills up after ``room`` bytes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def test_an_arrival_written_piece_by_piece_is_spooled_at_its_commit(tmp_path: Path) -> None:
    """GIVEN a message written into an arrival line by line WHEN committed THEN it waits in
    new/ byte for byte, under the arrival's id, and tmp/ is empty; before the commit it
    was nowhere but tmp/."""
    spool = Spool(tmp_path)
    arrival = spool.arrival()
    for line in RAW.splitlines(keepends=True):
        arrival.write(memoryview(line))
    assert spool.waiting() == [] and [p.name for p in (tmp_path / "tmp").iterdir()] == [arrival.id]
    assert arrival.commit(ENVELOPE) == arrival.id
    item = spool.claim()
    assert item is not None and (item.id, item.raw(), item.envelope()) == (
        arrival.id,
        RAW,
        ENVELOPE,
    )
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_disk_full_during_data_fails_the_commit_and_leaves_nothing(tmp_path: Path) -> None:
    """GIVEN a disk that fills up while a message arrives WHEN the rest is written and the
    arrival committed THEN the commit raises SpoolError (the listener answers 451), nothing
    waits and tmp/ is empty."""
    spool = Spool(tmp_path)
    arrival = spool.arrival()
    arrival._handle.close()
    arrival._handle = _FullDisk(room=10)
    for line in RAW.splitlines(keepends=True):
        arrival.write(line)
    assert arrival.size == len(RAW)
    with pytest.raises(SpoolError, match="No space left"):
        arrival.commit(ENVELOPE)
    assert spool.waiting() == []
    assert list((tmp_path / "tmp").iterdir()) == []
