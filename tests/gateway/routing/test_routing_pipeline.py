"""Routing in the pipeline: ten units, a dozen rules, signed documents in, routed copies out.

In process on SQLite and PostgreSQL (the ``engine`` fixture) for the transaction and its
idempotence; end to end through a real ``gateway serve`` for the mixed mailbox.
"""

from __future__ import annotations

import hashlib
import smtplib
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.pipeline.flow import Pipeline
from registry.database import make_engine, read_session
from registry.models import AssignmentRecord, InboundMessage, OutboxMessage, RegisterEntry
from rules.calendar import WorkingCalendar
from rules.routing_types import BODY_CHARS
from rules.rulesfile import load_rules
from tests.gateway.pipeline.test_pipeline import count, envelope, make_pipeline, outbox
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.routing_rules import RulesRouter
from tests.support.signing import sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
APPENDIX = b"PK\x03\x04 bang so lieu du toan \x00\x01\x02\xff" * 64

UNITS = {
    "VP": "Văn phòng HĐND và UBND thành phố",
    "TCKH": "Phòng Tài chính - Kế hoạch",
    "NV": "Phòng Nội vụ",
    "TNMT": "Phòng Tài nguyên và Môi trường",
    "TP": "Phòng Tư pháp",
    "GDDT": "Phòng Giáo dục và Đào tạo",
    "YT": "Phòng Y tế",
    "VHTT": "Phòng Văn hóa và Thông tin",
    "KT": "Phòng Kinh tế",
    "QLDT": "Phòng Quản lý đô thị",
}

RULES = (
    "units:\n"
    + "".join(
        f'  - {{code: {code}, name: "{name}", mailbox: "{code.lower()}@example.gov.vn",'
        f' leader: "truong.{code.lower()}@example.gov.vn"}}\n'
        for code, name in UNITS.items()
    )
    + """
deadline: "3 working days"
rules:
  - name: "UBND thành phố: gắn nhãn"
    when: {agency_code: [VP]}
    then: {tags: [ubnd-thanh-pho]}
    stop: false
  - name: "Quảng cáo: không tiếp nhận"
    when: {words: ["quảng cáo"]}
    then: {reject: {reason: no-document, text: "Thư quảng cáo không phải văn bản hành chính."}}
  - name: "Khiếu nại, tố cáo: văn thư xem xét"
    when: {words: ["khiếu nại", "tố cáo"]}
    then: {hold: "Đơn khiếu nại, tố cáo: văn thư trình lãnh đạo"}
  - name: "Dịch bệnh khẩn"
    when: {all: [{urgency: [khan, thuong_khan, hoa_toc]}, {words: ["dịch bệnh"]}]}
    then: {lead: YT, cooperate: [VP], deadline: "2h", priority: 50}
  - name: "Hỏa tốc"
    when: {urgency: [hoa_toc, hoa_toc_hen_gio, thuong_khan]}
    then: {lead: VP, deadline: "2h"}
  - name: "Đất đai (cũ)"
    enabled: false
    when: {words: ["đất đai"]}
    then: {lead: KT}
  - name: "Ngân sách"
    when: {words: ["ngân sách", "dự toán"], look_in: [summary]}
    then: {lead: TCKH, cooperate: [KT], inform: [VP], deadline: "5 working days"}
  - name: "Đất đai"
    when: {words: ["đất đai"], look_in: [summary]}
    then: {lead: TNMT, cooperate: [TP, QLDT], deadline: "5 working days"}
  - name: "Trường học"
    when: {words: ["trường học", "học sinh"]}
    then: {lead: GDDT}
  - name: "Công chức"
    when: {words: ["công chức", "biên chế"], look_in: [summary]}
    then: {lead: NV}
  - name: "Lễ hội"
    when: {words: ["lễ hội"], look_in: [summary]}
    then: {lead: VHTT}
  - name: "Mặc định"
    default: true
    then: {lead: VP, deadline: "by next working morning"}
"""
)


def routed_pipeline(engine: Engine, tmp_path: Path, pki: TestPki) -> Pipeline:
    router = RulesRouter(load_rules(RULES, "test rules.yaml"), WorkingCalendar(zone=ZONE))
    return replace(make_pipeline(engine, tmp_path, pki), router=router)


def signed(pki: TestPki, number: str, summary: str, urgency: str | None = None) -> bytes:
    pdf = official_document_pdf(
        number=number,
        symbol="UBND-VP",
        issued_on=date(2026, 11, 20),
        summary=summary,
        urgency_stamp=urgency,
    )
    return sign_as_person_then_agency(pdf, pki)


def mail(pdf: bytes, number: str, summary: str, *extra: tuple[str, bytes, str]) -> bytes:
    return official_mail(
        sender=AGENCY,
        subject=f"Công văn số {number}/UBND-VP V/v {summary}",
        message_id=f"<cv{number}@vp.rachgia.example.gov.vn>",
        attachments=[(f"{number}-UBND-VP.pdf", pdf, "application/pdf"), *extra],
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def routed_copies(mails: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in mails if m["Auto-Submitted"] == "auto-generated"]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


# --- in process, both databases ---------------------------------------------------------


def test_r_assign_routing_is_written_and_copies_queued_in_the_same_transaction(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN an urgent signed document about an epidemic (rule "Dịch bệnh khẩn")
    WHEN processed at 09:00 on a Wednesday
    THEN the entry is assigned to YT (lead, due 11:00) and VP (cooperating), trace and rules
    version are stored, one routed copy per assignment is queued with the Message-ID kept on
    the assignment, and the receipt reports the assignment."""
    summary = "phòng, chống dịch bệnh sốt xuất huyết"
    raw = mail(signed(pki, "61", summary, "KHẨN"), "61", summary)
    result = routed_pipeline(engine, tmp_path, pki).process("r1", raw, envelope())
    assert result.entries == ("2026/1",)
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        rows = list(session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id))))
        kinds = {r.message_id: r.kind for r in session.scalars(select(OutboxMessage))}
    assert [(a.unit_code, a.role, a.mailbox) for a in rows] == [
        ("YT", "lead", "yt@example.gov.vn"),
        ("VP", "cooperate", "vp@example.gov.vn"),
    ]
    assert rows[0].due_at == datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 11:00 in Hà Nội
    assert entry.status == "assigned"
    assert entry.urgency == "khan"
    assert entry.priority >= 50
    assert entry.tags == ["ubnd-thanh-pho"]
    assert entry.rules_version != ""
    matched = [t["rule"] for t in entry.routing_trace if t["matched"]]
    assert matched == ["UBND thành phố: gắn nhãn", "Dịch bệnh khẩn"]
    assert entry.routing_facts["urgency"] == "khan"
    assert {kinds[a.routed_message_id or ""] for a in rows} == {"routed-copy"}
    [receipt] = [m for m in outbox(engine) if m["Auto-Submitted"] == "auto-replied"]
    assert str(receipt["Subject"]).startswith("[KHẨN] Biên nhận")
    assert "Phòng Y tế: Chủ trì, hạn xử lý: 25/11/2026 11:00" in text_of(receipt)


BODY_RULES = """
units:
  - {code: VP, name: "Văn phòng", mailbox: vp@example.gov.vn}
  - {code: TNMT, name: "Phòng Tài nguyên và Môi trường", mailbox: tnmt@example.gov.vn}
rules:
  - name: "Thư nói về giải phóng mặt bằng"
    when: {words: ["giải phóng mặt bằng"], look_in: [body]}
    then: {lead: TNMT}
  - name: "Mặc định"
    default: true
    then: {lead: VP}
"""


def test_the_rules_read_the_first_hundred_thousand_characters_of_the_body(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a rule on words of the mail's body WHEN they are in the body's first 100 000
    characters, and WHEN only after them THEN the first goes by the rule, the second by the
    default; the facts kept with each entry hold at most those characters."""
    router = RulesRouter(load_rules(BODY_RULES, "rules.yaml"), WorkingCalendar(zone=ZONE))
    pipeline = replace(make_pipeline(engine, tmp_path, pki), router=router)
    phrase = "Đề nghị phối hợp giải phóng mặt bằng dự án.\n"
    filler = "Kính gửi các cơ quan, đơn vị.\n" * (BODY_CHARS // 30 + 10)
    for n, body in ((63, phrase + filler), (64, filler + phrase)):
        summary = "phối hợp thực hiện dự án"
        raw = official_mail(
            sender=AGENCY,
            subject=f"Công văn số {n}/UBND-VP V/v {summary}",
            message_id=f"<cv{n}@vp.rachgia.example.gov.vn>",
            attachments=[(f"{n}.pdf", signed(pki, str(n), summary), "application/pdf")],
            body=body,
        )
        pipeline.process(f"body-{n}", raw, envelope())
    with read_session(engine) as session:
        entries = list(session.scalars(select(RegisterEntry).order_by(col(RegisterEntry.id))))
        leads = [
            session.scalars(
                select(col(AssignmentRecord.unit_code)).where(
                    col(AssignmentRecord.entry_id) == e.id
                )
            ).one()
            for e in entries
        ]
    assert leads == ["TNMT", "VP"]
    assert [len(e.routing_facts["body"]) for e in entries] == [BODY_CHARS, BODY_CHARS]


def test_reprocessing_a_committed_item_queues_no_second_routed_copy(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a routed document committed WHEN the same spool item is processed again
    THEN nothing new is written: still one receipt and one routed copy per assignment."""
    summary = "tổ chức lễ hội văn hóa cuối năm"
    raw = mail(signed(pki, "62", summary), "62", summary)
    pipeline = routed_pipeline(engine, tmp_path, pki)
    first = pipeline.process("again", raw, envelope())
    second = pipeline.process("again", raw, envelope())
    assert second.already_done is True
    assert second.entries == first.entries == ("2026/1",)
    assert count(engine, AssignmentRecord) == 1
    assert count(engine, OutboxMessage) == 2  # the receipt and VHTT's routed copy


def test_a_rule_rejection_refuses_the_document_without_a_number(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a signed document a rule rejects ("Quảng cáo") WHEN processed
    THEN no number is used, no copy is routed, the sender gets a rejection (02) naming the
    rule's reason code and its text, and the inbound trace names the rule that refused it."""
    summary = "giới thiệu quảng cáo sản phẩm"
    raw = mail(signed(pki, "63", summary), "63", summary)
    result = routed_pipeline(engine, tmp_path, pki).process("ad", raw, envelope())
    assert (result.outcome, result.entries, result.reasons) == ("rejected", (), ("no-document",))
    assert count(engine, RegisterEntry) == 0
    with read_session(engine) as session:
        trace = session.scalars(select(InboundMessage)).one().trace
    [step] = [s for s in trace if s["rule"] == "routing-reject"]
    assert step["hit"] is True
    assert "Quảng cáo: không tiếp nhận" in step["why"]
    assert step["subject"] == "63-UBND-VP.pdf"
    [answer] = outbox(engine)
    assert answer["X-Document-Status"] == "02"
    assert answer["X-Reject-Reasons"] == "no-document"
    assert "Thư quảng cáo không phải văn bản hành chính." in text_of(answer)  # the rule's text


def test_without_a_router_nothing_is_routed(engine: Engine, tmp_path: Path, pki: TestPki) -> None:
    """GIVEN a pipeline without routing rules WHEN a document is registered
    THEN the old behaviour stands: status registered, no assignment, only the receipt."""
    summary = "dự toán ngân sách năm 2027"
    raw = mail(signed(pki, "64", summary), "64", summary)
    make_pipeline(engine, tmp_path, pki).process("plain", raw, envelope())
    assert count(engine, AssignmentRecord) == 0
    assert count(engine, OutboxMessage) == 1


# --- end to end: a real gateway, a mixed mailbox ----------------------------------------


@pytest.fixture
def routed_gateway(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    process = GatewayProcess(tmp_path / "deploy", pki.root_pem())
    (process.root / "rules.yaml").write_text(RULES, encoding="utf-8")
    process.start()
    try:
        yield process
    finally:
        process.stop()


MAILBOX = [  # (number, summary, urgency stamp, expected (unit, role) pairs; None: not routed)
    (
        "71",
        "dự toán ngân sách năm 2027",
        None,
        [("TCKH", "lead"), ("KT", "cooperate"), ("VP", "inform")],
    ),
    (
        "72",
        "quản lý đất đai trên địa bàn",
        None,
        [("TNMT", "lead"), ("TP", "cooperate"), ("QLDT", "cooperate")],
    ),
    ("73", "phòng, chống dịch bệnh mùa mưa", "KHẨN", [("YT", "lead"), ("VP", "cooperate")]),
    ("74", "tuyển dụng công chức năm 2027", None, [("NV", "lead")]),
    ("75", "an toàn cho học sinh", None, [("GDDT", "lead")]),
    ("76", "báo cáo tình hình tháng 11", None, [("VP", "lead")]),
    ("77", "giải quyết đơn khiếu nại", None, []),
]


@pytest.mark.slow
def test_mixed_mailbox_is_routed_end_to_end(routed_gateway: GatewayProcess, pki: TestPki) -> None:
    """GIVEN a gateway with ten units and a dozen rules
    WHEN an agency mails seven signed documents over SMTP (one with an appendix, one urgent,
    one a rule holds for the clerk)
    THEN each is registered and assigned to the expected units with its trace and rules
    version, the held one is registered but not routed, and each assignee gets one routed
    copy with its role, deadline, the Reply-To token of its assignment and the files byte
    for byte; ``register list --json`` shows the assignments."""
    sent: dict[str, bytes] = {}
    with smtplib.SMTP("127.0.0.1", routed_gateway.port, timeout=30) as client:
        for number, summary, urgency, _ in MAILBOX:
            pdf = signed(pki, number, summary, urgency)
            sent[number] = pdf
            extra = [("Phụ lục dự toán.xlsx", APPENDIX, "application/vnd.ms-excel")]
            raw = mail(pdf, number, summary, *(extra if number == "71" else []))
            client.sendmail(AGENCY, [GATEWAY], raw)
    expected_copies = sum(len(units) for *_, units in MAILBOX)
    mails = routed_gateway.wait_for_outbox(len(MAILBOX) + expected_copies, timeout=60, routed=True)
    assert len(mails) == len(MAILBOX) + expected_copies, routed_gateway.log_text()

    entries = {e["document_number"]: e for e in routed_gateway.cli_json("register", "list")}
    year = datetime.now(ZONE).year
    with read_session(make_engine(f"sqlite:///{routed_gateway.data_dir / 'gateway.db'}")) as s:
        tokens = {(a.unit_code, a.entry_id): a for a in s.scalars(select(AssignmentRecord))}
        stored = {e.document_number: e for e in s.scalars(select(RegisterEntry))}
    copies = routed_copies(mails)
    for number, _, urgency, units in MAILBOX:
        entry = entries[f"{number}/UBND-VP"]
        assert [(a["unit"], a["role"]) for a in entry["assignments"]] == units
        assert entry["status"] == ("assigned" if units else "registered")
        record = stored[f"{number}/UBND-VP"]
        assert record.rules_version and record.routing_trace
        incoming = f"{year}/{entry['incoming_number']}"
        mine = [c for c in copies if c["X-Incoming-Number"] == incoming]
        assert sorted(str(c["To"]) for c in mine) == sorted(
            f"{u.lower()}@example.gov.vn" for u, _ in units
        )
        for copy in mine:
            unit = str(copy["To"]).partition("@")[0].upper()
            assignment = tokens[(unit, record.id or 0)]
            assert copy["Reply-To"] == f"vanthu+{assignment.token}@example.gov.vn"
            assert copy["Message-ID"] == assignment.routed_message_id
            assert (copy["Auto-Submitted"], copy["X-Incoming-Number"]) == (
                "auto-generated",
                incoming,
            )
            assert str(copy["Subject"]).startswith(
                ("[KHẨN] " if urgency else "") + "Văn bản đến số"
            )
            body = text_of(copy)
            role = {"lead": "Chủ trì", "cooperate": "Phối hợp", "inform": "Để biết"}[
                assignment.role
            ]
            assert f"Vai trò của đơn vị: {role}" in body
            if assignment.due_at is not None:
                assert assignment.due_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M") in body
            files = {p.get_filename(): sha(p.get_content()) for p in copy.iter_attachments()}
            expected = {f"{number}-UBND-VP.pdf": sha(sent[number])}
            if number == "71":
                expected["Phụ lục dự toán.xlsx"] = sha(APPENDIX)
            assert files == expected
    held = stored["77/UBND-VP"]
    assert any(t["matched"] and t["rule"].startswith("Khiếu nại") for t in held.routing_trace)
    disabled = [t for t in stored["72/UBND-VP"].routing_trace if t["rule"] == "Đất đai (cũ)"]
    assert disabled == [{"rule": "Đất đai (cũ)", "matched": False, "why": "bị tắt"}]
    time.sleep(0.3)
    assert len(routed_gateway.outbox(routed=True)) == len(mails)  # nothing more trickles in


DUE_DATE_RULES = """
units:
  - {code: VP, name: "Văn phòng HĐND và UBND thành phố", mailbox: "vp@example.gov.vn"}
rules:
  - name: "Mặc định: theo hạn của văn bản"
    default: true
    then: {lead: VP, deadline: due_date, deadline_fallback: "3 working days"}
"""
EDXML_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "edxml" / "new_54_ubnd_vp.edxml"


def test_r_deadline_the_documents_own_due_date_from_its_edxml_envelope(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a rule whose deadline is the document's own DueDate and a message whose edXML
    envelope (QCVN 102:2016) says DueDate 2026-12-15 WHEN processed on 25/11/2026
    THEN the lead's deadline is the close of office on 15/12/2026 (17:00 in Hà Nội), not
    the rule's fallback of 3 working days."""
    envelope_xml = EDXML_SAMPLE.read_text(encoding="utf-8")
    envelope_xml = envelope_xml.replace("2020-03-02", "2026-12-15")
    envelope_xml = "\n".join(x for x in envelope_xml.splitlines() if "PageAmount" not in x)
    summary = "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    pdf = sign_as_person_then_agency(
        official_document_pdf(
            number="54", symbol="UBND-VP", issued_on=date(2020, 2, 18), summary=summary
        ),
        pki,
    )
    raw = mail(pdf, "54", summary, ("54.edxml", envelope_xml.encode(), "application/xml"))
    router = RulesRouter(load_rules(DUE_DATE_RULES, "rules.yaml"), WorkingCalendar(zone=ZONE))
    pipeline = replace(make_pipeline(engine, tmp_path, pki), router=router)
    assert pipeline.process("due", raw, envelope()).entries == ("2026/1",)
    with read_session(engine) as session:
        [lead] = session.scalars(select(AssignmentRecord)).all()
    assert lead.due_at == datetime(2026, 12, 15, 17, 0, tzinfo=ZONE)
