"""Each leader's distributions in the monthly report (R-DISTRIB, R-ASSIGN, R-MONTHLY):
documents proposed to a leader in the month, decided within the assign-by limit (the
next working morning) or late, and those still waiting — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.config.settings import load
from gateway.distribution.decide import Desk, apply_decision, as_proposed
from gateway.pipeline.flow import Pipeline
from gateway.reports.month_inputs import compute
from gateway.reports.monthly import to_json, to_xlsx
from gateway.reports.monthly_sections import LEADERS_TITLE
from registry.database import write_session
from registry.queries import get_entry
from registry.recorder import Recorder
from registry.reports.values import LeaderRow
from registry.tracking.distribution import Distribution
from tests.gateway.distribution.conftest import proposing_pipeline, signed_mail
from tests.gateway.pipeline.test_pipeline import envelope
from tests.support.pki import TestPki

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BUDGET = "dự toán ngân sách năm 2027"  # the rules propose it to the vice-chairman (PCT)
OTHER = "tổ chức hội nghị tổng kết"  # the default rule: the chairman (CT)


def _decide(pipeline: Pipeline, number: int, at: datetime) -> None:
    """The vice-chairman accepts entry 2026/``number`` as proposed, at ``at``."""
    with write_session(pipeline.engine) as session:
        entry = get_entry(session, 2026, number)
        row = session.scalars(
            select(Distribution).where(col(Distribution.entry_id) == entry.id)
        ).one()
        apply_decision(
            Desk.of(pipeline),
            Recorder(session, now=at),
            entry,
            row,
            as_proposed(row),
            by="phochutich",
            channel="console",
        )


def test_r_distrib_the_month_counts_each_leaders_decisions_against_the_limit(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN four documents received in November 2026 awaiting distribution: two budget
    ones for the vice-chairman — received Monday 23/11 09:00 and decided Thursday 26/11
    (late: the limit was Tuesday morning), received Wednesday 25/11 09:00 and decided at
    10:00 (in time) — and two for the chairman, never decided — received Thursday 26/11
    (its limit, Friday morning, long past) and Monday 30/11 at 16:00 (its limit, Tuesday
    1/12 at 11:30, after the month)
    WHEN November's report is computed
    THEN the vice-chairman: 2 proposed, 1 in time, 1 late; the chairman: 2 proposed, 1
    waiting within the limit, 1 waiting past it; the XLSX and JSON say the same."""
    pipeline = proposing_pipeline(engine, tmp_path, pki)
    for number, summary, at in (
        ("81", BUDGET, datetime(2026, 11, 23, 9, tzinfo=ZONE)),
        ("82", BUDGET, datetime(2026, 11, 25, 9, tzinfo=ZONE)),
        ("83", OTHER, datetime(2026, 11, 26, 9, tzinfo=ZONE)),
        ("84", OTHER, datetime(2026, 11, 30, 16, tzinfo=ZONE)),
    ):
        raw = signed_mail(pki, number, summary)
        [_incoming] = pipeline.process(f"doc-{number}", raw, envelope(at=at)).entries
    _decide(pipeline, 1, datetime(2026, 11, 26, 10, tzinfo=ZONE))
    _decide(pipeline, 2, datetime(2026, 11, 25, 10, tzinfo=ZONE))
    (tmp_path / "gateway.toml").write_text("", encoding="utf-8")
    deployment = load(tmp_path / "gateway.toml", environ={})
    report = compute(engine, deployment, 2026, 11, now=datetime(2026, 12, 7, tzinfo=UTC))

    assert report.leaders == (
        LeaderRow("Chủ tịch UBND", proposed=2, waiting=1, waiting_overdue=1),
        LeaderRow("Phó Chủ tịch UBND", proposed=2, decided_in_time=1, decided_late=1),
    )
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["Ý kiến phân công"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    assert str(rows[0][0]).startswith(LEADERS_TITLE)
    assert ("Phó Chủ tịch UBND", 2, 1, 1, 0, 0) in rows
    leaders = json.loads(to_json(report))["leaders"]
    assert {row["leader"]: row["waiting_overdue"] for row in leaders} == {
        "Chủ tịch UBND": 1,
        "Phó Chủ tịch UBND": 0,
    }
