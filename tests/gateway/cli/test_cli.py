"""The command line as a user meets it: exit codes, messages, init, ingest, listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    return tmp_path / "d" / "gateway.toml"


def test_init_writes_a_working_deployment_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN an empty folder WHEN `gateway init` runs twice
    THEN the files are written once with the 30 CV54 units and the province-level
    placeholders; the second run exits 1."""
    target = tmp_path / "deploy"
    assert main(["init", str(target)]) == 0
    for name in ("gateway.toml", "agencies.yaml", "rules.yaml", "trust/README.txt"):
        assert (target / name).is_file()
    sample = (target / "agencies.yaml").read_text()
    assert sample.count("- code:") - sample.count("group: cap-tren") == 30  # CV54's units
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in sample  # and the province, as placeholders
    assert main(["init", str(target)]) == 1
    assert "không ghi đè" in capsys.readouterr().err


def test_configuration_error_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a config with an unknown key WHEN any command runs THEN exit 2, key named."""
    config = tmp_path / "gateway.toml"
    config.write_text('[outgoing]\nrelay = "smtp://127.0.0.1:25"\nrely = "x"\n')
    assert main(["register", "list", "-c", str(config)]) == 2
    err = capsys.readouterr().err
    assert "Lỗi cấu hình" in err and f"{config}:3: [outgoing] rely: unknown key" in err


def test_ingest_prints_each_outcome_and_listings_show_them(
    deployment: Path, tmp_path: Path, signed_pdf: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a signed document and a message without one as .eml files
    WHEN ingested THEN exit 0, each outcome printed; register and inbound list agree."""
    good = tmp_path / "good.eml"
    good.write_bytes(
        official_mail(
            sender=AGENCY,
            message_id="<g@vp>",
            attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        )
    )
    empty = tmp_path / "empty.eml"
    empty.write_bytes(official_mail(sender=AGENCY, message_id="<e@vp>"))
    assert main(["ingest", "-c", str(deployment), str(good), str(empty)]) == 0
    out = capsys.readouterr().out
    assert f"{good}: đã tiếp nhận; số đến " in out
    assert f"{empty}: từ chối; lý do: no-document" in out

    assert main(["inbound", "list", "--json", "-c", str(deployment)]) == 0
    inbound = json.loads(capsys.readouterr().out)
    assert [(m["message_id"], m["outcome"], m["reasons"]) for m in inbound] == [
        ("<g@vp>", "accepted", []),
        ("<e@vp>", "rejected", ["no-document"]),
    ]
    assert set(inbound[0]) >= {
        "received_at",
        "message_id",
        "sender_address",
        "subject",
        "outcome",
        "reasons",
        "entries",
    }
    assert main(["register", "list", "--search", "chan chinh", "-c", str(deployment)]) == 0
    table = capsys.readouterr().out
    assert "54/UBND-VP" in table and "Số đến" in table
    assert main(["outbox", "list", "--json", "-c", str(deployment)]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert sorted(m["kind"] for m in sent) == ["receipt", "rejection", "routed-copy"]
    assert {m["status"] for m in sent} == {"sent"}


def test_register_show_of_a_missing_number_exits_1_in_vietnamese(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN an empty register WHEN an entry is asked for / asked badly THEN exit 1 / 2."""
    assert main(["register", "show", "2026/9", "-c", str(deployment)]) == 1
    assert "Không tìm thấy" in capsys.readouterr().err
    assert main(["register", "show", "2026-9", "-c", str(deployment)]) == 2
    assert "NĂM/SỐ" in capsys.readouterr().err


def test_unreadable_file_is_reported_and_exit_is_1(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a path that does not exist WHEN ingested THEN exit 1 with a Vietnamese message."""
    assert main(["ingest", "-c", str(deployment), str(tmp_path / "missing.eml")]) == 1
    assert "không đọc được tệp" in capsys.readouterr().err
