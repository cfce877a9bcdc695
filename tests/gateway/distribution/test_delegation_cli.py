"""``gateway distribute delegate|delegations`` (R-DISTRIB, DESIGN §4.8) on a real
deployment (``gateway init``, the proposing rules): set, list, cancel; dates day first;
refusals in Vietnamese with exit 1 (refused) or 2 (usage); ``gateway distribute
YEAR/NUMBER`` keeps its own arguments."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.cli.main import build_parser, main
from tests.gateway.distribution.conftest import RULES, ZONE

pytestmark = pytest.mark.slow


def _day(offset: int) -> str:
    return (datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=offset)).strftime("%d/%m/%Y")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    root = tmp_path / "d"
    assert main(["init", str(root)]) == 0
    (root / "rules.yaml").write_text(RULES, encoding="utf-8")
    return root / "gateway.toml"


def test_gateway_distribute_delegate_then_delegations_then_cancel(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a deployment whose rules name CT and PCT
    WHEN PCT is delegated to CT from today for three days, the delegations are listed,
    the delegation is cancelled, and they are listed again
    THEN the delegation is made (names and dd/mm/yyyy dates in the answer), listed in force,
    then cancelled and no longer listed."""
    c = ["-c", str(config)]
    capsys.readouterr()
    code = main(
        [
            "distribute",
            "delegate",
            "PCT",
            "--to",
            "CT",
            "--from",
            _day(0),
            "--until",
            _day(3),
            "--by",
            "quantri",
            "--json",
            *c,
        ]
    )
    assert code == 0
    made = json.loads(capsys.readouterr().out)
    assert (made["leader"], made["delegate"], made["starts"], made["ends"], made["in_force"]) == (
        "Phó Chủ tịch UBND",
        "Chủ tịch UBND",
        _day(0),
        _day(3),
        True,
    )
    assert main(["distribute", "delegations", "--json", *c]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == [made["id"]]
    assert main(["distribute", "delegations", "--cancel", str(made["id"]), *c]) == 0
    assert f"đã hủy ủy quyền số {made['id']}" in capsys.readouterr().out
    assert main(["distribute", "delegations", *c]) == 0
    assert "không có ủy quyền nào" in capsys.readouterr().out
    assert main(["distribute", "delegations", "--cancel", str(made["id"]), *c]) == 1
    assert "Ủy quyền này đã được hủy trước đó." in capsys.readouterr().err


def test_gateway_distribute_delegate_refusals(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the same deployment WHEN the date is impossible, or the leader unknown
    THEN exit 2 / exit 1 with the reason in Vietnamese; and ``distribute 2026/1 --by X``
    still parses as a decision."""
    c = ["-c", str(config)]
    capsys.readouterr()
    bad = ["distribute", "delegate", "PCT", "--to", "CT", "--from", "31/02/2026"]
    assert main([*bad, "--until", _day(1), *c]) == 2
    assert "--from: Ngày không hợp lệ" in capsys.readouterr().err
    unknown = ["distribute", "delegate", "GD", "--to", "CT", "--from", _day(0)]
    assert main([*unknown, "--until", _day(1), *c]) == 1
    assert "Không có lãnh đạo “GD” trong quy tắc." in capsys.readouterr().err
    parsed = build_parser().parse_args(["distribute", "2026/1", "--lead", "TP", "--by", "x"])
    assert (parsed.number, parsed.lead, parsed.handler.__name__) == (
        "2026/1",
        "TP",
        "cmd_distribute",
    )
