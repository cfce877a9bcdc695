"""The command line as the users' trial met it: units, dates, labels, passwords."""

from __future__ import annotations

import json
import re
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


def _password(tmp_path: Path, text: str) -> str:
    path = tmp_path / "password.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_users_add_refuses_a_unit_that_does_not_exist(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the sample deployment WHEN an officer is added with `--unit XYZ`
    THEN exit 2, the unknown code named in Vietnamese, no account made; `--unit TNMT`
    (a unit of the rules and the directory) is accepted."""
    password = _password(tmp_path, "mat-khau-du-dai-1")
    add = ["users", "add", "cv", "--role", "officer", "--password-file", password]

    assert main([*add, "--unit", "XYZ", "-c", str(deployment)]) == 2
    assert "không có đơn vị mã 'XYZ'" in capsys.readouterr().err
    assert main(["users", "list", "--json", "-c", str(deployment)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*add, "--unit", "TNMT", "-c", str(deployment)]) == 0


def test_register_show_prints_vietnamese_dates_and_labels_and_json_stays_the_contract(
    deployment: Path, tmp_path: Path, signed_pdf: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a registered signed document WHEN `gateway register show 2026/1` (human)
    THEN dates read dd/mm/yyyy (HH:MM), urgency, status and verdicts by their Vietnamese
    names, no ISO time nor code; `--json` still prints ISO 8601 and codes (DESIGN §4.3)."""
    eml = tmp_path / "cv.eml"
    eml.write_bytes(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    assert main(["ingest", "-c", str(deployment), str(eml)]) == 0
    capsys.readouterr()
    assert main(["register", "list", "--json", "-c", str(deployment)]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    number = f"{listed['year']}/{listed['incoming_number']}"

    assert main(["register", "show", number, "-c", str(deployment)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"Ngày giờ đến\s+\d{2}/\d{2}/\d{4} \d{2}:\d{2}\n", text)
    assert re.search(r"Ngày văn bản\s+20/11/2026\n", text)
    assert re.search(r"Độ khẩn\s+Thường\n", text)
    assert "Hợp lệ" in text
    for code in ("thuong", "registered", "assigned", "valid", "T0", "+07:00", "2026-11-20"):
        assert code not in text, code

    assert main(["register", "show", number, "--json", "-c", str(deployment)]) == 0
    contract = json.loads(capsys.readouterr().out)
    assert contract["issued_on"] == "2026-11-20" and contract["urgency"] == "thuong"
    assert "T" in contract["received_at"] and contract["signatures"][0]["verdict"] == "valid"


@pytest.mark.parametrize("flag", ["--from", "--to"])
def test_a_bad_from_date_is_a_usage_error_naming_the_value(
    deployment: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """GIVEN `gateway register print --from 2026-13-45` WHEN run
    THEN exit 2 as a usage error naming the value, not a configuration error."""
    with pytest.raises(SystemExit) as stopped:
        main(["register", "print", "--year", "2026", flag, "2026-13-45", "-c", str(deployment)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "'2026-13-45'" in err and "YYYY-MM-DD" in err
    assert "configuration error" not in err and "cấu hình" not in err


def test_r_channel_smtp_user_add_refuses_a_weak_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a deployment with SMTP AUTH users WHEN `gateway smtp-user add` is given a
    short password THEN exit 2 with the rule `users add` applies, and no user is written;
    a strong one is accepted."""
    config = tmp_path / "gateway.toml"
    config.write_text('[smtp]\nauth_users_file = "smtp-users"\n', encoding="utf-8")
    add = ["smtp-user", "add", "vanphong", "-c", str(config), "--password-file"]

    assert main([*add, _password(tmp_path, "123456")]) == 2
    assert "ít nhất 10 ký tự" in capsys.readouterr().err
    assert not (tmp_path / "smtp-users").exists()
    assert main([*add, _password(tmp_path, "Mat-khau-Gui-1")]) == 0
