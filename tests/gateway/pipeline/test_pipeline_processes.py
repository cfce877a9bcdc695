"""The pipeline in processes of its own (``[gateway] pipeline_processes``, DESIGN §1.2).

A claimed item is run in a lane; a lane that dies with the item counts as a crash of that
item (it then runs alone, and a poison item is quarantined), the other lanes go on; a
lane never outlives the service; its log lines reach the service's log.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.cli.main import main
from gateway.config.sections import GatewaySection
from gateway.config.settings import load
from gateway.errors import PipelineProcessDiedError
from gateway.pipeline.flow import ProcessResult
from gateway.pipeline.lanes import LaneDiedError, ProcessLanes
from gateway.pipeline.processes import PipelineProcesses, lane_count
from gateway.pipeline.worker import Worker
from gateway.spool.envelope import Envelope
from gateway.spool.queue import ItemState, Spool, SpoolItem
from gateway.wiring import open_database
from registry.database import make_engine, read_session
from registry.queries import list_inbound
from tests.gateway.pipeline.test_worker import ENVELOPE, pipeline_on
from tests.support.messages import official_mail
from tests.support.pki import TestPki


def _nothing() -> None:
    """A lane's initializer with nothing to set up."""


def _pid_or_die(die: bool) -> int:
    if die:
        os._exit(3)  # as a crash in a C extension would end the process
    return os.getpid()


def test_no_more_pipeline_processes_than_workers_and_the_administrator_is_told(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN pipeline_processes above workers WHEN the service counts its lanes THEN it
    starts one per worker (each worker waits for its own item's lane, so the rest would
    only hold memory) and the log says so and what to raise; at or below workers, all of
    them, silently; 0 stays 0 (the pipeline in the threads)."""
    with caplog.at_level(logging.WARNING):
        assert lane_count(GatewaySection(workers=2, pipeline_processes=3)) == 2
    [warning] = [r.getMessage() for r in caplog.records]
    assert "pipeline_processes = 3 but workers = 2" in warning
    assert "raise workers" in warning
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert lane_count(GatewaySection(workers=3, pipeline_processes=3)) == 3
        assert lane_count(GatewaySection(workers=4, pipeline_processes=2)) == 2
        assert lane_count(GatewaySection(workers=2, pipeline_processes=0)) == 0
    assert not caplog.records


def test_a_lane_that_dies_is_replaced_and_the_others_go_on() -> None:
    """GIVEN two lanes WHEN a task ends its process THEN that call raises LaneDiedError, a
    new process takes the lane, and tasks run again in both lanes."""
    lanes = ProcessLanes(2, _nothing)
    try:
        before = set(lanes.warm_up())
        with pytest.raises(LaneDiedError):
            lanes.run(_pid_or_die, True)
        after = {lanes.run(_pid_or_die, False) for _ in range(6)}
        assert len(after) == 2  # both lanes work
        assert len(after - before) == 1  # exactly one of them is a new process
    finally:
        lanes.close()


def test_an_item_whose_pipeline_process_died_runs_alone_and_a_poison_one_is_quarantined(
    tmp_path: Path,
) -> None:
    """GIVEN a pipeline process that dies with an item WHEN the worker handles it THEN the
    item is back in new/ counted as a crash; it is next run alone, and when its process
    has died max_attempts times with it alone it is quarantined unprocessed, not lost."""
    spool = Spool(tmp_path / "spool")
    item_id = spool.put(official_mail(), ENVELOPE)
    runs: list[str] = []

    def dies(item: SpoolItem, envelope: Envelope) -> ProcessResult:
        runs.append(item.id)
        raise PipelineProcessDiedError("pipeline process died")

    pipeline = pipeline_on(f"sqlite:///{tmp_path / 'g.db'}", tmp_path)
    worker = Worker(spool, pipeline, max_attempts=2, run=dies)
    for crashes, solo_crashes in ((1, 0), (2, 1), (3, 2)):
        item = spool.claim()
        assert item is not None
        assert worker.handle(item) is None
        assert spool.waiting() == [item_id]
        state = ItemState.read(tmp_path / "spool" / "new" / item_id)
        assert (state.crashes, state.solo_crashes) == (crashes, solo_crashes)
    item = spool.claim()
    assert item is not None
    assert worker.handle(item) is None
    assert spool.quarantined() == [item_id]
    assert runs == [item_id] * 3  # the fourth time it was parked without running


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    return tmp_path / "d" / "gateway.toml"


def test_pipeline_processes_register_and_their_log_lines_reach_the_service_log(
    deployment: Path, signed_pdf: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN two pipeline processes on a deployment WHEN two messages are processed THEN
    both are registered once, by processes other than this one, and each process's log
    line about its item is handled by this process's logging (the service log, /system)."""
    settings = load(deployment)
    open_database(settings)  # upgraded by the service before it starts its lanes
    caplog.set_level(logging.INFO)  # the levels the lanes are started with
    processes = PipelineProcesses(settings, 2)
    try:
        processes.warm_up()
        mails = [
            official_mail(
                attachments=[(f"{n}.pdf", signed_pdf, "application/pdf")],
                message_id=f"<lane-{n}@vp.rachgia.example.gov.vn>",
            )
            for n in (1, 2)
        ]
        spool = Spool(settings.data_dir / "spool")
        for raw in mails:
            spool.put(raw, ENVELOPE)
        items = [spool.claim(), spool.claim()]
        assert None not in items
        results = [processes(item, ENVELOPE) for item in items if item is not None]
        again = processes(items[0], ENVELOPE) if items[0] is not None else None
    finally:
        processes.close()
    ids = [item.id for item in items if item is not None]
    assert [r.already_done for r in results] == [False, False]
    assert again is not None and again.already_done and again.entries == results[0].entries
    with read_session(make_engine(settings.database_url)) as session:
        assert sorted(i.spool_id for i in list_inbound(session)) == sorted(ids)
    lines = [r for r in caplog.records if r.name == "gateway.pipeline.flow"]
    assert {r.process for r in lines} - {os.getpid()}, "logged from the pipeline processes"
    assert any(f"{ids[1]}:" in r.getMessage() for r in lines)


ORPHAN = """
import sys, time
from gateway.pipeline.lanes import ProcessLanes
from tests.gateway.pipeline.test_pipeline_processes import _nothing
lanes = ProcessLanes(1, _nothing)
print(lanes.warm_up()[0], flush=True)
time.sleep(600)
"""


def test_a_lane_does_not_outlive_a_killed_service() -> None:
    """GIVEN a process with a lane WHEN that process is SIGKILLed (no chance to stop its
    lanes) THEN the lane's process ends by itself within seconds, never working on."""
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    assert parent.stdout is not None
    with parent.stdout:
        lane = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Path(f"/proc/{lane}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{lane}").exists() or _zombie(lane)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
