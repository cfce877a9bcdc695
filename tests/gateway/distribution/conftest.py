"""A pipeline whose rules propose (R-DISTRIB): two leaders, five units, signed documents."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from gateway.pipeline.flow import Pipeline
from rules.calendar import WorkingCalendar
from rules.rulesfile import load_rules
from tests.gateway.pipeline.test_pipeline import make_pipeline
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.routing_rules import RulesRouter
from tests.support.signing import sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CHAIRMAN = "chutich@example.gov.vn"
VICE = "phochutich@example.gov.vn"

RULES = """\
units:
  - {code: VP, name: "Văn phòng", mailbox: vanphong@example.gov.vn}
  - {code: TCKH, name: "Phòng Tài chính – Kế hoạch", mailbox: tckh@example.gov.vn}
  - {code: TP, name: "Phòng Tư pháp", mailbox: tuphap@example.gov.vn}
  - {code: KT, name: "Phòng Kinh tế", mailbox: kinhte@example.gov.vn}
  - {code: NV, name: "Phòng Nội vụ", mailbox: noivu@example.gov.vn}
leaders:
  - {code: CT, name: "Chủ tịch UBND", mailbox: chutich@example.gov.vn, account: lanhdao,
     default: true}
  - {code: PCT, name: "Phó Chủ tịch UBND", mailbox: phochutich@example.gov.vn, account: phochutich}
deadline: "3 working days"
rules:
  - name: ngan-sach
    when: {words: ["ngân sách", "dự toán"], look_in: [summary]}
    then:
      propose: true
      leader: PCT
      lead: TCKH
      cooperate: [KT]
      inform: [VP]
      deadline: "5 working days"
  - name: mac-dinh
    default: true
    then: {propose: true, lead: VP}
"""


def proposing_pipeline(engine: Engine, tmp_path: Path, pki: TestPki) -> Pipeline:
    router = RulesRouter(load_rules(RULES, "rules.yaml"), WorkingCalendar(zone=ZONE))
    return replace(make_pipeline(engine, tmp_path, pki), router=router)


def signed_mail(pki: TestPki, number: str, summary: str, urgency: str | None = None) -> bytes:
    pdf = official_document_pdf(
        number=number,
        symbol="UBND-VP",
        issued_on=date(2026, 11, 20),
        summary=summary,
        urgency_stamp=urgency,
    )
    return official_mail(
        sender=AGENCY,
        subject=f"Công văn số {number}/UBND-VP V/v {summary}",
        message_id=f"<cv{number}@vp.rachgia.example.gov.vn>",
        attachments=[
            (f"{number}-UBND-VP.pdf", sign_as_person_then_agency(pdf, pki), "application/pdf")
        ],
    )


WEDNESDAY_9 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def proposing_gateway(
    root: Path, pki: TestPki, env: dict[str, str] | None = None
) -> GatewayProcess:
    """A real deployment (``gateway init``) whose rules propose (:data:`RULES`)."""
    gateway = GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            **(env or {}),
        },
    )
    (gateway.root / "rules.yaml").write_text(RULES, encoding="utf-8")
    return gateway


def send(gateway: GatewayProcess, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(AGENCY, [GATEWAY], raw)


def wait_for(found: Callable[[], list[EmailMessage]], timeout: float = 30.0) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = found()
        if mails:
            return mails
        time.sleep(0.2)
    return found()
