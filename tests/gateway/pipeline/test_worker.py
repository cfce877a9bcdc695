"""The worker: bounded attempts, quarantine with a reason, nothing lost on failure."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import templates
from gateway.pipeline.flow import Pipeline
from gateway.pipeline.worker import Worker
from gateway.spool.envelope import Envelope
from gateway.spool.queue import Spool
from gateway.storage.archive import Archive
from gateway.wiring import sample_directory_text
from mailparse.signatures.verdicts import TrustStore
from mailparse.signatures.verify import verify_pdf
from registry.agencies.directory import parse_directory
from registry.database import make_engine, read_session, upgrade
from registry.queries import list_inbound
from rules.decision import Policy
from tests.support.messages import official_mail

ENVELOPE = Envelope(
    received_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    protocol="smtp",
    mail_from="vanthu@vp.rachgia.example.gov.vn",
    rcpt_tos=("vanthu@example.gov.vn",),
)


def pipeline_on(database_url: str, tmp_path: Path) -> Pipeline:
    return Pipeline(
        engine=make_engine(database_url),
        archive=Archive(tmp_path / "archive"),
        restricted=Archive(tmp_path / "restricted"),
        directory=parse_directory(sample_directory_text(), "sample"),
        trust=TrustStore(),
        policy=Policy(),
        verify=verify_pdf,
        templates=templates.environment(),
        from_address="vanthu@example.gov.vn",
        zone=ZoneInfo("Asia/Ho_Chi_Minh"),
    )


def test_a_database_that_cannot_be_opened_means_retries_then_quarantine(tmp_path: Path) -> None:
    """GIVEN a database path that is a directory (the database cannot be opened)
    WHEN the worker takes the item max_attempts times
    THEN it is put back each time, then quarantined with the reason; the bytes are kept."""
    (tmp_path / "db").mkdir()
    spool = Spool(tmp_path / "spool")
    item_id = spool.put(official_mail(), ENVELOPE)
    worker = Worker(spool, pipeline_on(f"sqlite:///{tmp_path / 'db'}", tmp_path), max_attempts=3)
    far_future = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
    for attempt in range(1, 4):
        item = spool.claim(now=far_future)
        assert item is not None and item.attempts == attempt
        assert worker.handle(item) is None
    assert spool.waiting() == []
    assert spool.quarantined() == [item_id]
    reason = (tmp_path / "spool" / "quarantine" / item_id / "reason.txt").read_text()
    assert "database unavailable" in reason
    quarantined = tmp_path / "spool" / "quarantine" / item_id / "message.eml"
    assert quarantined.read_bytes() == official_mail()


def test_an_item_that_kills_the_process_when_run_alone_is_quarantined(tmp_path: Path) -> None:
    """GIVEN an item during which the process died max_attempts times while it ran alone
    (a poison message) WHEN claimed again THEN it is quarantined unprocessed and recorded."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(make_engine(url))
    spool = Spool(tmp_path / "spool")
    item_id = spool.put(official_mail(), ENVELOPE)
    for _ in range(2):
        item = spool.claim()
        assert item is not None
        spool.mark_solo(item)  # what the worker writes before running a suspect item alone
        spool.recover()  # the restart after the crash
    item = spool.claim()
    assert item is not None and item.state.solo_crashes == 2
    worker = Worker(spool, pipeline_on(url, tmp_path), max_attempts=2)
    assert worker.handle(item) is None
    assert spool.quarantined() == [item_id]
    with read_session(make_engine(url)) as session:
        [inbound] = list_inbound(session)
        assert (inbound.spool_id, inbound.outcome, inbound.answered) == (
            item_id,
            "quarantined",
            False,
        )
        assert "died 2 times processing this item alone" in inbound.note


def test_an_innocent_item_caught_in_many_crashes_is_still_processed(tmp_path: Path) -> None:
    """GIVEN an item that was in work/ during 10 crashes, none while it ran alone
    WHEN claimed THEN it is processed (alone) to its end, not quarantined."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(make_engine(url))
    spool = Spool(tmp_path / "spool")
    spool.put(official_mail(sender="vanthu@vp.rachgia.example.gov.vn"), ENVELOPE)
    for _ in range(10):
        assert spool.claim() is not None
        spool.recover()
    item = spool.claim()
    assert item is not None and item.state.crashes == 10
    result = Worker(spool, pipeline_on(url, tmp_path), max_attempts=2).handle(item)
    assert result is not None and result.outcome == "rejected"  # no PDF: a normal answer
    assert spool.quarantined() == []


def test_an_unreadable_spool_item_is_quarantined_at_once(tmp_path: Path) -> None:
    """GIVEN a spool item whose envelope was damaged on disk WHEN handled
    THEN it is quarantined immediately with the reason (no pointless retries)."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(make_engine(url))
    spool = Spool(tmp_path / "spool")
    item_id = spool.put(official_mail(), ENVELOPE)
    (tmp_path / "spool" / "new" / item_id / "envelope.json").write_text("{not json")
    item = spool.claim()
    assert item is not None
    Worker(spool, pipeline_on(url, tmp_path), max_attempts=5).handle(item)
    assert spool.quarantined() == [item_id]
    assert "unreadable" in (tmp_path / "spool" / "quarantine" / item_id / "reason.txt").read_text()
