"""``gateway directory import|list`` (DESIGN §4.9): a province's directory merged by code,
errors naming the line and the field, closed-network addresses recognised and warned
about, and the directory in force read again by a running gateway."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gateway.cli.main import main
from gateway.config.settings import load
from gateway.wiring import directory_in_force, open_database
from mailparse.mime import parse
from registry.agencies.directory import Agency
from registry.agencies.store import store
from registry.database import write_session
from tests.support.messages import official_mail

SIGNERS = "Ủy ban nhân dân thành phố Rạch Giá;Văn phòng HĐND và UBND thành phố Rạch Giá"
CSV = "\n".join(
    [
        "code,name,parent,group,addresses,domains,signer_organizations",
        "000.00.31.H33,Sở Nội vụ tỉnh Kiên Giang,000.00.00.H33,so,vanthu@snv.kiengiang.gov.vn,"
        "snv.kiengiang.gov.vn,Sở Nội vụ tỉnh Kiên Giang",
        "VP,Văn phòng HĐND và UBND thành phố (đổi tên),,phong-ban,"
        f"vanthu@vp.rachgia.example.gov.vn,vp.rachgia.example.gov.vn,{SIGNERS}",
        "TRAM,Trạm nội bộ,,,vanthu@tram.local,,",
        "",
    ]
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    return tmp_path / "d" / "gateway.toml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_merges_by_code_and_reports_added_changed_unchanged(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the sample directory and a CSV with a new Sở, a renamed VP and a closed-network
    unit WHEN imported with --dry-run THEN the report says 2 added, 1 changed (name) and
    nothing is stored; WHEN imported THEN `directory list --json` shows them from the
    database, with a warning for the .local address; a second import changes nothing."""
    source = tmp_path / "tinh.csv"
    source.write_text(CSV, encoding="utf-8")
    code, out, _ = run(capsys, "directory", "import", str(source), "--dry-run", "-c", str(config))
    assert code == 0
    assert "Sẽ thêm 2, sẽ sửa 1, không đổi 0." in out
    assert "~ VP: name" in out
    _, listing, _ = run(capsys, "directory", "list", "--json", "-c", str(config))
    assert "000.00.31.H33" not in {a["code"] for a in json.loads(listing)}

    code, out, err = run(capsys, "directory", "import", str(source), "-c", str(config))
    assert code == 0 and "Đã thêm 2, đã sửa 1, không đổi 0." in out
    assert "TRAM: vanthu@tram.local" in err
    _, listing, _ = run(capsys, "directory", "list", "--json", "-c", str(config))
    agencies = {a["code"]: a for a in json.loads(listing)}
    assert agencies["000.00.31.H33"]["parent"] == "000.00.00.H33"
    assert agencies["000.00.31.H33"]["source"] == "database"
    assert agencies["VP"]["name"] == "Văn phòng HĐND và UBND thành phố (đổi tên)"
    assert agencies["QLDT"]["source"] == "file"
    assert len(agencies) == 49 + 2  # the sample (30 units and 19 placeholders) and 2 new

    _, out, _ = run(capsys, "directory", "import", str(source), "-c", str(config))
    assert "Đã thêm 0, đã sửa 0, không đổi 3." in out


def test_import_errors_name_the_line_and_the_field(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a CSV with an empty name on line 3 and a code repeated on line 4, and a YAML
    file with an unknown field in its second agency WHEN imported THEN exit 1, each problem
    names file:line and the field, and nothing is stored."""
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "code,name,addresses\nA1,Sở A,a@a.gov.vn\nA2,,b@b.gov.vn\nA1,Sở A lần hai,\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "directory", "import", str(bad_csv), "-c", str(config))
    assert code == 1
    assert f"{bad_csv}:3: name:" in err
    assert f"{bad_csv}:4: code: A1 đã có ở dòng 2" in err

    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text(
        "agencies:\n  - code: B1\n    name: Sở B\n  - code: B2\n    name: Sở C\n    email: x\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "directory", "import", str(bad_yaml), "-c", str(config))
    assert code == 1 and f"{bad_yaml}:4: email:" in err
    _, listing, _ = run(capsys, "directory", "list", "--json", "-c", str(config))
    assert not {"A1", "A2", "B1", "B2"} & {a["code"] for a in json.loads(listing)}


def test_a_closed_network_address_is_recognised_only_when_listed() -> None:
    """GIVEN mail from vanthu@tram.local (a special-use domain email-validator refuses)
    WHEN parsed without and with the directory's local domains THEN the From is unreadable
    without, and read exactly with."""
    raw = official_mail(sender="Trạm <vanthu@tram.local>")
    assert parse(raw).sender is None
    parsed = parse(raw, local_domains=frozenset({"tram.local"}))
    assert parsed.sender is not None and parsed.sender.address == "vanthu@tram.local"


def add_tram(engine: Engine) -> None:
    """Agency TRAM, on a closed network's domain, added to the directory table."""
    with write_session(engine) as session:
        store(
            session,
            Agency(code="TRAM", name="Trạm nội bộ", addresses=("vanthu@tram.local",)),
            actor="test",
            source="test",
            now=datetime.now(UTC),
        )


def test_the_directory_in_force_sees_an_added_agency_at_once(config: Path) -> None:
    """GIVEN a running gateway's directory (built once at start) WHEN another process adds
    an agency to the database THEN the next lookup identifies its address, with no reload;
    its .local domain becomes a local domain the parser accepts."""
    deployment = load(config)
    engine = open_database(deployment)
    try:
        directory = directory_in_force(deployment, engine)
        assert directory.identify("vanthu@tram.local") is None
        add_tram(engine)  # as another process would
        found = directory.identify("VanThu@tram.local")
        assert found is not None and found.code == "TRAM"
        assert "tram.local" in directory.local_domains
    finally:
        engine.dispose()


def test_one_message_sees_one_directory(config: Path) -> None:
    """GIVEN a message being worked on (the directory held for it) WHEN another process adds
    an agency meanwhile THEN the message's later lookups do not see it (one message, one
    directory), even after another thread (the console) has read the new directory; the
    next message does."""
    deployment = load(config)
    engine = open_database(deployment)
    try:
        directory = directory_in_force(deployment, engine)
        with directory.held():
            add_tram(engine)  # as another process would
            console: list[Agency | None] = []
            reader = threading.Thread(
                target=lambda: console.append(directory.identify("vanthu@tram.local"))
            )
            reader.start()
            reader.join()
            assert [a.code for a in console if a is not None] == ["TRAM"]
            assert directory.identify("vanthu@tram.local") is None
            assert "tram.local" not in directory.local_domains
        found = directory.identify("vanthu@tram.local")
        assert found is not None and found.code == "TRAM"
    finally:
        engine.dispose()
