"""The Router: rules from the deployment, the [office_hours] calendar, reload and SIGHUP."""

from __future__ import annotations

import logging
import signal
import smtplib
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gateway.config.settings import load
from gateway.pipeline.analysis import analyse
from gateway.pipeline.entries import entry_draft
from gateway.routing.in_force import Router, calendar_for, routing_facts
from gateway.spool.envelope import Envelope
from gateway.trust.store import load_trust
from gateway.wiring import load_directory, sample_directory_text
from mailparse.signatures.verify import verify_pdf
from rules.routing_types import Role, RoutingFacts
from rules.rulesfile import RulesError, load_rules
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY = "vanthu@vp.rachgia.example.gov.vn"


def rules_text(lead: str) -> str:
    return (
        "units:\n"
        "  - {code: VP, name: Văn phòng, mailbox: vanphong@example.gov.vn}\n"
        "  - {code: TCKH, name: Phòng Tài chính – Kế hoạch, mailbox: tckh@example.gov.vn}\n"
        "rules:\n"
        "  - name: Mặc định\n"
        "    default: true\n"
        f"    then: {{lead: {lead}}}\n"
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "rules.yaml").write_text(rules_text("VP"), encoding="utf-8")
    path = tmp_path / "gateway.toml"
    path.write_text(
        '[office_hours]\nextra_days_off = ["2026-03-02"]\nmakeup_working_days = [2026-03-07]\n',
        encoding="utf-8",
    )
    return path


def lead_of(router: Router) -> str:
    routing = router.route(RoutingFacts(received_at=datetime(2026, 3, 3, 9, tzinfo=VN)), NOW)
    assert routing.lead is not None
    return routing.lead.unit


NOW = datetime(2026, 3, 3, 9, 0, tzinfo=VN)


def test_an_invalid_file_on_reload_keeps_the_last_good_rules(
    config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a router on valid rules WHEN the file turns invalid and reload() runs THEN it is
    refused with a logged reason naming the file and line, and the old rules stay; WHEN the
    file is fixed THEN the next reload takes the new rules."""
    router = Router(load(config))
    good_version = router.rules.version
    assert lead_of(router) == "VP"
    rules = config.parent / "rules.yaml"
    rules.write_text(rules_text("KHONGCO"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="gateway.routing.in_force"):
        assert router.reload() is False
    assert f"{rules}:7: rule 'Mặc định': then.lead: unknown unit 'KHONGCO'" in caplog.text
    assert router.rules.version == good_version and lead_of(router) == "VP"

    rules.write_text(rules_text("TCKH"), encoding="utf-8")
    assert router.reload() is True
    assert lead_of(router) == "TCKH" and router.rules.version != good_version
    assert router.units["TCKH"].mailbox == "tckh@example.gov.vn"


def test_office_hours_section_builds_the_calendar(config: Path) -> None:
    """GIVEN [office_hours] with an extra day off (Mon 2 Mar) and a make-up Saturday (7 Mar)
    THEN the calendar skips the Monday and works the Saturday."""
    calendar = calendar_for(load(config))
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert calendar.is_working_day(date(2026, 3, 7))
    friday = datetime(2026, 2, 27, 16, 30, tzinfo=VN)
    assert calendar.add_working_hours(friday, 2) == datetime(2026, 3, 3, 8, 30, tzinfo=VN)
    assert calendar.next_working_morning(datetime(2026, 3, 6, 17, tzinfo=VN)).day == 7


def test_embedded_defaults_route_everything_to_the_office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN no config file at all WHEN a router is built THEN the shipped sample rules apply:
    an ordinary document goes to Văn phòng."""
    monkeypatch.chdir(tmp_path)
    router = Router(load(None))
    assert lead_of(router) == "VP"
    assert router.units["VP"].mailbox == "vanphong@example.gov.vn"


def test_routing_facts_from_an_analysed_signed_document(
    config: Path, signed_pdf: bytes, pki: TestPki
) -> None:
    """GIVEN a signed công văn from a directory agency WHEN analysed THEN the routing facts
    carry its agency, group, type, summary, verdict, subject and attachment names."""
    (config.parent / "trust").mkdir()
    (config.parent / "trust" / "root.pem").write_bytes(pki.root_pem())
    (config.parent / "agencies.yaml").write_text(sample_directory_text(), encoding="utf-8")
    deployment = load(config)
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    received = datetime(2026, 11, 20, 9, 0, tzinfo=VN)
    analysis = analyse(
        raw,
        directory=load_directory(deployment),
        trust=load_trust(deployment),
        received_at=received,
        verify=verify_pdf,
        log_id="t",
    )
    (pdf,) = analysis.pdfs
    envelope = Envelope(received_at=received, protocol="file", mail_from="", rcpt_tos=())
    draft = entry_draft(
        pdf=pdf,
        analysis=analysis,
        envelope=envelope,
        year=2026,
        sha256="",
        reference_only=False,
        needs_review=False,
        attachments=(),
    )
    facts = routing_facts(analysis, pdf, draft)
    assert facts.sender_agency_code == "VP"
    assert facts.sender_agency_group == "phong-ban"
    assert facts.sender_domain == "vp.rachgia.example.gov.vn"
    assert facts.signature_verdict == "valid"
    assert facts.document_number == "54/UBND-VP"
    assert "văn bản điện tử" in facts.summary
    assert facts.subject.startswith("Công văn số 54/UBND-VP")
    assert facts.attachment_names == ("cv.pdf",)
    assert facts.received_at == received


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def test_sighup_reloads_a_running_gateway_and_refuses_a_bad_file(
    tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a running `gateway serve` WHEN rules.yaml turns invalid and SIGHUP arrives THEN
    the refusal is logged and it keeps serving; WHEN a valid file sends everything to TCKH and
    SIGHUP arrives THEN the next document is routed to TCKH."""
    gateway = GatewayProcess(tmp_path / "deploy", pki.root_pem())
    rules = gateway.root / "rules.yaml"
    rules.write_text(rules_text("VP"), encoding="utf-8")
    gateway.start()
    try:
        assert gateway.process is not None
        rules.write_text(rules_text("NOPE"), encoding="utf-8")
        gateway.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "rules file refused" in gateway.log_text())
        assert "unknown unit 'NOPE'" in gateway.log_text()

        rules.write_text(rules_text("TCKH"), encoding="utf-8")
        gateway.process.send_signal(signal.SIGHUP)
        wait_until(lambda: "rules reloaded" in gateway.log_text())
        raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            client.sendmail(AGENCY, ["vanthu@example.gov.vn"], raw)
        wait_until(lambda: bool(gateway.cli_json("register", "list")))
        (entry,) = gateway.cli_json("register", "list")
        assert [(a["unit"], a["role"]) for a in entry["assignments"]] == [("TCKH", Role.LEAD)]
        assert gateway.process.poll() is None
    finally:
        gateway.stop()


def test_rules_error_is_a_value_error_for_callers() -> None:
    """GIVEN an empty file THEN RulesError (a ValueError) says what is expected."""
    with pytest.raises(RulesError, match="expected a mapping"):
        load_rules("", "rules.yaml")
