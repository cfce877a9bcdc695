"""A mixed mailbox through the real pipeline, routed by ten units and a dozen rules (R-TRACK).

Real signed PDFs, `gateway ingest` on a deployment made by `gateway init`, on SQLite and
PostgreSQL; the register is read back through `register list --json`. The commands run as
subprocesses, as an operator runs them (each its own database connections).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gateway.cli.main import main
from tests.support.gateway_process import run_cli
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf, plain_pdf
from tests.support.pki import TestPki
from tests.support.routing_rules import TEN_UNITS
from tests.support.signing import sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    (tmp_path / "d" / "rules.yaml").write_text(TEN_UNITS, encoding="utf-8")
    return tmp_path / "d" / "gateway.toml"


def days_off_around_now() -> str:
    """Today and tomorrow (local) as extra days off: every document arrives outside office
    hours, whatever the hour the suite runs at (a run over midnight included), so the rule
    'ngoai-gio-de-biet' always applies instead of only on evenings and lunch breaks."""
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return json.dumps([today.isoformat(), (today + timedelta(days=1)).isoformat()])


def gateway(config: Path, database_url: str, *args: str) -> str:
    env = {
        "GATEWAY_GATEWAY__DATABASE_URL": database_url,
        "GATEWAY_AUTH__RESOLVER": "off",
        "GATEWAY_OFFICE_HOURS__EXTRA_DAYS_OFF": days_off_around_now(),
    }
    result = run_cli(*args, "-c", str(config), cwd=config.parent, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def signed(pki: TestPki, number: str, summary: str, urgency_stamp: str | None = None) -> bytes:
    pdf = official_document_pdf(number=number, summary=summary, urgency_stamp=urgency_stamp)
    return sign_as_person_then_agency(pdf, pki)


def test_a_mixed_mailbox_is_routed_as_the_rules_say(
    deployment: Path, tmp_path: Path, pki: TestPki, database_url: str
) -> None:
    """GIVEN ten units and a dozen rules, and today a day off (so the outcome does not
    depend on the hour the suite runs at) WHEN a Hỏa tốc notice, a budget document, a land
    document, a document with a map appendix and an unsigned invitation are ingested THEN
    each register entry carries the assignees its rules name, in order."""
    mails = [
        ("Hỏa tốc", [signed(pki, "101", "ứng phó với bão số 9", "HỎA TỐC")]),
        ("Ngân sách", [signed(pki, "102", "phân bổ dự toán ngân sách năm 2027")]),
        ("Đất đai", [signed(pki, "103", "thu hồi đất đai thực hiện dự án khu đô thị mới")]),
        ("Bản đồ", [signed(pki, "104", "điều chỉnh tuyến đường nội thị"), plain_pdf("bản đồ")]),
        ("Giấy mời", [plain_pdf("Giấy mời họp giao ban tháng 12")]),
    ]
    paths = []
    for index, (subject, pdfs) in enumerate(mails):
        names = ["van-ban.pdf", "ban-do-1.pdf"]
        path = tmp_path / f"m{index}.eml"
        path.write_bytes(
            official_mail(
                sender=AGENCY,
                subject=subject,
                message_id=f"<m{index}@vp>",
                attachments=[(n, p, "application/pdf") for n, p in zip(names, pdfs, strict=False)],
            )
        )
        paths.append(str(path))
    gateway(deployment, database_url, "ingest", *paths)
    listing = gateway(deployment, database_url, "register", "list", "--json")
    entries = sorted(json.loads(listing), key=lambda e: e["incoming_number"])
    routed = [[(a["unit"], a["role"]) for a in e["assignments"]] for e in entries]
    assert routed == [  # outside office hours VP is informed of all but the urgent one,
        [("VP", "lead")],  # whose rule stops the walk before 'ngoai-gio-de-biet'
        [("TCKH", "lead"), ("VP", "inform"), ("KT", "cooperate")],
        [("TNMT", "lead"), ("VP", "inform"), ("QLDT", "cooperate"), ("TP", "cooperate")],
        [("QLDT", "lead"), ("VP", "inform")],
        [("VP", "lead")],  # leading it, VP is not also informed
    ]
    assert entries[0]["urgency"] == "hoa_toc"
    assert entries[4]["reference_only"] is True

    replay = json.loads(
        gateway(deployment, database_url, "rules", "test", "--replay", "10", "--json")
    )
    assert [r["matched_rules"] for r in replay] == [
        ["hoa-toc"],
        ["ngoai-gio-de-biet", "tai-chinh"],
        ["ngoai-gio-de-biet", "dat-dai"],
        ["ngoai-gio-de-biet", "ban-do"],
        ["ngoai-gio-de-biet", "mac-dinh"],
    ]
    assert all(r["changes"] == [] for r in replay)
