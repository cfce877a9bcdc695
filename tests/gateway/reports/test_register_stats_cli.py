"""``gateway register list --overdue/--status`` and ``gateway register stats``, as a clerk
runs them, on a deployment whose register lives in SQLite or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from registry.database import make_engine, write_session
from registry.models import AssignmentRecord, AssignmentStatus, RegisterEntry
from tests.gateway.routing.test_routing_pipeline import RULES, mail, signed
from tests.support.gateway_process import run_cli
from tests.support.pki import TestPki

DOCUMENTS = {  # number → summary (the rules of test_routing_pipeline decide the units)
    "81": "dự toán ngân sách năm 2027",  # TCKH lead, KT cooperate, VP inform
    "82": "tổ chức lễ hội cuối năm",  # VHTT lead
    "83": "báo cáo tình hình tháng 11",  # VP lead (default rule)
}


class Deployment:
    """A ``gateway init`` deployment on the test database, run through the CLI."""

    def __init__(self, root: Path, root_pem: bytes, database_url: str) -> None:
        self.root = root
        result = run_cli("init", str(root), cwd=root.parent)
        assert result.returncode == 0, result.stderr
        (root / "trust" / "test-root.pem").write_bytes(root_pem)
        (root / "rules.yaml").write_text(RULES, encoding="utf-8")
        self.database_url = database_url
        self.env = {"GATEWAY_GATEWAY__DATABASE_URL": database_url}

    def cli(self, *args: str) -> str:
        result = run_cli(*args, "-c", str(self.root / "gateway.toml"), cwd=self.root, env=self.env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json"))


_SIGNED: dict[str, bytes] = {}


def signed_once(pki: TestPki, number: str, summary: str) -> bytes:
    """Signing is slow: each document is signed once for both databases."""
    if number not in _SIGNED:
        _SIGNED[number] = signed(pki, number, summary)
    return _SIGNED[number]


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[Deployment]:
    deployed = Deployment(tmp_path / "deploy", pki.root_pem(), database_url)
    files = []
    for number, summary in DOCUMENTS.items():
        path = tmp_path / f"{number}.eml"
        path.write_bytes(mail(signed_once(pki, number, summary), number, summary))
        files.append(str(path))
    deployed.cli("ingest", *files)
    yield deployed


def age_and_finish(database_url: str) -> None:
    """Budget's assignments are a day late; the festival's is done."""
    engine = make_engine(database_url)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with write_session(engine) as session:
        entries = {e.document_number: e for e in session.scalars(select(RegisterEntry))}
        rows = session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id)))
        for row in rows:
            if row.entry_id == entries["81/UBND-VP"].id and row.role != "inform":
                row.due_at = yesterday
            if row.entry_id == entries["82/UBND-VP"].id:
                row.status = AssignmentStatus.DONE
        entries["82/UBND-VP"].status = "done"
    engine.dispose()


def numbers(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["document_number"] for r in rows)


def test_register_list_overdue_status_and_stats_per_unit(deployment: Deployment) -> None:
    """GIVEN three routed documents — one with late assignments, one done, one on time
    WHEN the clerk lists with --overdue and with --status, and asks for stats
    THEN each filter shows exactly its documents (§4.3 shape, with assignments), and the
    stats count each unit's assignments assigned, in progress, done, overdue and in all."""
    age_and_finish(deployment.database_url)
    everything = deployment.cli_json("register", "list")
    assert numbers(everything) == ["81/UBND-VP", "82/UBND-VP", "83/UBND-VP"]
    overdue = deployment.cli_json("register", "list", "--overdue")
    assert numbers(overdue) == ["81/UBND-VP"]
    assert [(a["unit"], a["role"]) for a in overdue[0]["assignments"]] == [
        ("TCKH", "lead"),
        ("KT", "cooperate"),
        ("VP", "inform"),
    ]
    assert numbers(deployment.cli_json("register", "list", "--status", "done")) == ["82/UBND-VP"]
    assigned = deployment.cli_json("register", "list", "--status", "assigned")
    assert numbers(assigned) == ["81/UBND-VP", "83/UBND-VP"]
    both = deployment.cli_json("register", "list", "--status", "assigned", "--overdue")
    assert numbers(both) == ["81/UBND-VP"]
    assert "81/UBND-VP" in deployment.cli("register", "list", "--overdue")

    # register stats: each unit's assignments as assigned, in progress, done, overdue and
    # total (JSON for scripts); the text table has Vietnamese headers and a total line.
    year = str(datetime.now(UTC).year)
    stats = {s["unit_code"]: s for s in deployment.cli_json("register", "stats", "--year", year)}
    keys = ("assigned", "in_progress", "done", "overdue", "total")
    assert {code: tuple(s[k] for k in keys) for code, s in stats.items()} == {
        "TCKH": (1, 0, 0, 1, 1),
        "KT": (1, 0, 0, 1, 1),
        "VP": (2, 0, 0, 0, 2),
        "VHTT": (0, 0, 1, 0, 1),
    }
    assert stats["TCKH"]["unit_name"] == "Phòng Tài chính - Kế hoạch"
    text = deployment.cli("register", "stats")
    header, *lines = text.splitlines()
    assert header.split() == ["Mã", "đơn", "vị", "Đơn", "vị", "Đã", "giao", "Đang", "xử", "lý",
                              "Hoàn", "thành", "Quá", "hạn", "Tổng"]  # fmt: skip
    assert lines[-1].split() == ["Cộng", "4", "0", "1", "2", "5"]
    assert deployment.cli_json("register", "stats", "--year", "1999") == []
