"""``gateway directory remove CODE`` (DESIGN §4.9): an agency's database row taken out, the
agencies.yaml entry of that code in force again, every reader of the directory noticing it
at its next lookup; a code only the file has is refused (the administrator edits the file)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.cli.main import main
from gateway.config.settings import load
from gateway.wiring import directory_in_force, open_database
from registry.agencies.directory import Agency
from registry.agencies.store import remove, store, stored_version
from registry.database import read_session, write_session
from registry.models import AuditEvent
from tests.gateway.cli.test_directory_cli import run

VP_ADDRESS = "vanthu@vp.rachgia.example.gov.vn"  # the sample file's VP
NEW = Agency(
    code="000.00.31.H33",
    name="Sở Nội vụ tỉnh Kiên Giang",
    addresses=("vanthu@snv.kiengiang.gov.vn",),
)


@pytest.fixture
def config(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GATEWAY_GATEWAY__DATABASE_URL", database_url)
    assert main(["init", str(tmp_path / "d")]) == 0
    return tmp_path / "d" / "gateway.toml"


def sources(capsys: pytest.CaptureFixture[str], config: Path) -> dict[str, str]:
    _, listing, _ = run(capsys, "directory", "list", "--json", "-c", str(config))
    return {a["code"]: a["source"] for a in json.loads(listing)}


def test_a_running_directory_notices_a_removal_and_nothing_else(config: Path) -> None:
    """GIVEN a directory in force (as a running gateway holds it) where a database row
    replaces the file's VP and another adds a new Sở
    WHEN each row is removed, with nothing else written afterwards
    THEN the stored version changes each time (the row count drops) and the same directory
    object identifies VP's address by the file's agency again, and no longer knows the Sở."""
    deployment = load(config)
    engine = open_database(deployment)
    try:
        live = directory_in_force(deployment, engine)
        renamed = Agency(
            code="VP", name="Văn phòng (tên trong cơ sở dữ liệu)", addresses=(VP_ADDRESS,)
        )
        with write_session(engine) as session:
            for agency in (renamed, NEW):
                store(session, agency, actor="test", source="test", now=datetime.now(UTC))
        assert live.identify(VP_ADDRESS) == renamed
        assert live.identify(NEW.addresses[0]) == NEW
        with read_session(engine) as session:
            before = stored_version(session)

        with write_session(engine) as session:
            assert remove(session, "VP") is True
        with read_session(engine) as session:
            after = stored_version(session)
        assert after != before and after[0] == before[0] - 1
        back = live.identify(VP_ADDRESS)
        assert back is not None and back.name == "Văn phòng HĐND và UBND thành phố"

        with write_session(engine) as session:
            assert remove(session, NEW.code) is True
            assert remove(session, NEW.code) is False  # nothing left to remove
        assert live.identify(NEW.addresses[0]) is None
        assert live.by_code(NEW.code) is None
    finally:
        engine.dispose()


def test_remove_brings_back_the_file_entry_and_refuses_file_only_codes(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    """GIVEN an import that renamed the file's VP and added a new Sở
    WHEN `gateway directory remove VP` THEN exit 0, it says the agencies.yaml entry is in
    force again, the list shows VP from the file, and the audit trail has directory.remove;
    WHEN the new Sở is removed THEN it says the gateway no longer knows the agency;
    WHEN VP (now only in the file) or an unknown code is removed THEN exit 1 with the
    reason in Vietnamese, and nothing changes."""
    source = tmp_path / "tinh.csv"
    source.write_text(
        "code,name,addresses\n"
        f"VP,Văn phòng (đổi tên),{VP_ADDRESS}\n"
        f"{NEW.code},{NEW.name},{NEW.addresses[0]}\n",
        encoding="utf-8",
    )
    assert run(capsys, "directory", "import", str(source), "-c", str(config))[0] == 0
    assert sources(capsys, config)["VP"] == "database"

    code, out, _ = run(capsys, "directory", "remove", "VP", "-c", str(config))
    assert code == 0
    assert "Đã xóa cơ quan VP (Văn phòng (đổi tên)) khỏi danh bạ trong cơ sở dữ liệu." in out
    assert "(Văn phòng HĐND và UBND thành phố) có hiệu lực trở lại." in out
    assert sources(capsys, config)["VP"] == "file"

    code, out, _ = run(capsys, "directory", "remove", NEW.code, "-c", str(config))
    assert code == 0 and "cổng không còn nhận ra cơ quan này" in out
    assert NEW.code not in sources(capsys, config)

    code, out, err = run(capsys, "directory", "remove", "VP", "-c", str(config))
    assert code == 1 and out == ""
    assert "chỉ có trong tệp cấu hình agencies.yaml" in err
    code, _, err = run(capsys, "directory", "remove", "KHONG-CO", "-c", str(config))
    assert code == 1 and "Không có cơ quan mã “KHONG-CO” trong danh bạ." in err

    engine = open_database(load(config))
    try:
        with read_session(engine) as session:
            events = list(
                session.scalars(
                    select(AuditEvent)
                    .where(col(AuditEvent.action) == "directory.remove")
                    .order_by(col(AuditEvent.id))
                )
            )
    finally:
        engine.dispose()
    assert [(e.details["code"], e.details["file_agency_in_force"]) for e in events] == [
        ("VP", True),
        (NEW.code, False),
    ]
    assert all(e.actor.startswith("cli") for e in events)
