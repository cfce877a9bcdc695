"""`gateway rules check` / `rules test FILE.eml` / `rules test --replay N` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"

RULES = """\
units:
  - {code: VP, name: "Văn phòng", mailbox: vanphong@example.gov.vn}
  - {code: NV, name: "Phòng Nội vụ", mailbox: noivu@example.gov.vn}
  - {code: TCKH, name: "Phòng Tài chính – Kế hoạch", mailbox: tckh@example.gov.vn}
rules:
  - name: Văn bản điện tử
    when: {words: ["van ban dien tu"], look_in: [summary], agency_code: [VP]}
    then: {lead: NV, cooperate: [VP], deadline: "3 working days"}
  - name: Mặc định
    default: true
    then: {lead: VP}
"""


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    (tmp_path / "d" / "rules.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path / "d" / "gateway.toml"


@pytest.fixture
def mail(tmp_path: Path, signed_pdf: bytes) -> Path:
    path = tmp_path / "cv.eml"
    path.write_bytes(
        official_mail(
            sender=AGENCY,
            message_id="<r1@vp>",
            attachments=[("cv-54.pdf", signed_pdf, "application/pdf")],
        )
    )
    return path


def test_rules_check_prints_a_vietnamese_summary(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a valid rules file WHEN `rules check` THEN exit 0 and a short summary."""
    assert main(["rules", "check", "-c", str(deployment)]) == 0
    out = capsys.readouterr().out
    assert "Tệp quy tắc hợp lệ" in out
    assert "3 đơn vị, 2 quy tắc (2 đang bật), quy tắc mặc định: “Mặc định”" in out


def test_rules_check_names_file_line_rule_and_field(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a rule leading a unit that does not exist WHEN `rules check` THEN exit 2 and the
    error names the file, the line, the rule and the field."""
    rules = deployment.parent / "rules.yaml"
    rules.write_text(RULES.replace("lead: NV", "lead: NVV"), encoding="utf-8")
    assert main(["rules", "check", "-c", str(deployment)]) == 2
    err = capsys.readouterr().err
    assert f"{rules}:8: rule 'Văn bản điện tử': then.lead: unknown unit 'NVV'" in err


def test_rules_test_explains_the_routing_without_registering(
    deployment: Path, mail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a signed công văn about electronic documents WHEN `rules test FILE.eml` THEN the
    decision (NV leads, VP cooperates) and the trace are printed; nothing is registered."""
    assert main(["rules", "test", str(mail), "-c", str(deployment)]) == 0
    out = capsys.readouterr().out
    assert "chủ trì: Phòng Nội vụ (NV) → noivu@example.gov.vn" in out
    assert "phối hợp: Văn phòng (VP) → vanphong@example.gov.vn" in out
    assert "✔ khớp: Văn bản điện tử — cơ quan gửi là VP; trích yếu có" in out

    assert main(["rules", "test", str(mail), "--json", "-c", str(deployment)]) == 0
    result = json.loads(capsys.readouterr().out)
    (document,) = result["documents"]
    assert document["filename"] == "cv-54.pdf"
    assert document["facts"]["sender_agency_code"] == "VP"
    assert document["facts"]["signature_verdict"] == "valid"
    routing = document["routing"]
    assert routing["matched_rules"] == ["Văn bản điện tử"]
    assert [(a["unit"], a["role"]) for a in routing["assignments"]] == [
        ("NV", "lead"),
        ("VP", "cooperate"),
    ]
    assert not (deployment.parent / "var" / "gateway.db").exists()


def test_replay_shows_what_a_changed_rules_file_would_change(
    deployment: Path, mail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a document registered and routed to NV WHEN the rules file now sends such
    documents to TCKH and `rules test --replay 5` runs THEN the change is listed."""
    assert main(["ingest", "-c", str(deployment), str(mail)]) == 0
    capsys.readouterr()
    assert main(["rules", "test", "--replay", "5", "-c", str(deployment)]) == 0
    assert "không thay đổi (Văn bản điện tử)" in capsys.readouterr().out

    rules = deployment.parent / "rules.yaml"
    rules.write_text(RULES.replace("lead: NV", "lead: TCKH"), encoding="utf-8")
    assert main(["rules", "test", "--replay", "5", "--json", "-c", str(deployment)]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["changes"] == ["- chủ trì NV", "+ chủ trì TCKH"]
    assert row["rules_version"] != row["stored_rules_version"]
