"""The routing engine on a deployment of ten units and a dozen rules ("done when")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import WorkingCalendar
from rules.routing import route
from rules.routing_types import Role, Routing, RoutingFacts
from rules.rulesfile import RuleSet, load_rules
from tests.support.routing_rules import TEN_UNITS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()
MONDAY_0900 = datetime(2026, 3, 2, 9, 0, tzinfo=VN)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(TEN_UNITS, "rules.yaml")


def facts(**changes: object) -> RoutingFacts:
    base = RoutingFacts(
        received_at=MONDAY_0900,
        sender_address="vanthu@phongban.example.gov.vn",
        sender_domain="phongban.example.gov.vn",
        sender_agency_code="VP-TINH",
        sender_agency_group="phong-ban",
        document_type="Công văn",
        signature_verdict="valid",
        summary="Về việc tổ chức hội nghị",
        subject="Công văn số 12",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def decide(rules: RuleSet, f: RoutingFacts) -> Routing:
    return route(f, rules, CAL, MONDAY_0900)


def assigned(routing: Routing) -> list[tuple[str, Role, str]]:
    return [(a.unit, a.role, a.mailbox) for a in routing.assignments]


def test_ten_units_a_dozen_rules_a_mixed_mailbox(rules: RuleSet) -> None:
    """GIVEN ten units and twelve rules WHEN a mixed set of documents is routed THEN each
    gets the expected assignees and exactly the expected rules matched."""
    cases = [
        (facts(urgency="hoa_toc"), ["hoa-toc"], [("VP", Role.LEAD)]),
        (
            facts(summary="Dự toán ngân sách năm 2027"),
            ["tai-chinh"],
            [("TCKH", Role.LEAD), ("KT", Role.COOPERATE)],
        ),
        (
            facts(summary="Về quản lý DAT DAI trên địa bàn"),
            ["dat-dai"],
            [
                ("TNMT", Role.LEAD),
                ("QLDT", Role.COOPERATE),
                ("TP", Role.COOPERATE),
                ("VP", Role.INFORM),
            ],
        ),
        (
            facts(body="Điều chỉnh quy hoạch chung đến năm 2030"),
            ["dat-dai"],
            [
                ("TNMT", Role.LEAD),
                ("QLDT", Role.COOPERATE),
                ("TP", Role.COOPERATE),
                ("VP", Role.INFORM),
            ],
        ),
        (
            facts(document_type="Tờ trình", summary="Tuyển dụng công chức"),
            ["can-bo"],
            [("NV", Role.LEAD)],
        ),
        (
            facts(attachment_names=("van-ban.pdf", "Ban-Do-1.PDF")),
            ["ban-do"],
            [("QLDT", Role.LEAD)],
        ),
        (facts(sender_domain="thpt.gddt.example.gov.vn"), ["truong-hoc"], [("GDDT", Role.LEAD)]),
        (
            facts(sender_agency_code="TTR-TINH", paper_required=True),
            ["thanh-tra"],
            [("TTR", Role.LEAD)],
        ),
        (facts(reference_only=True), ["mac-dinh"], [("VP", Role.LEAD)]),
        (
            facts(received_at=datetime(2026, 3, 2, 20, 0, tzinfo=VN), summary="Dự toán"),
            ["ngoai-gio-de-biet", "tai-chinh"],
            [("VP", Role.INFORM), ("TCKH", Role.LEAD), ("KT", Role.COOPERATE)],
        ),
    ]
    for f, matched, expected in cases:
        routing = decide(rules, f)
        assert list(routing.matched_rules) == matched, f
        assert [(a.unit, a.role) for a in routing.assignments] == expected, f
        assert routing.rules_version == rules.version


def test_the_trace_names_the_deciding_condition_of_each_rule(rules: RuleSet) -> None:
    """GIVEN a land document WHEN routed THEN the trace has one line per rule looked at, up
    to the first stopping match, each saying why."""
    routing = decide(rules, facts(summary="Về việc giao đất đai cho hộ gia đình"))
    assert [(t.rule, t.matched, t.why) for t in routing.trace] == [
        ("hoa-toc", False, "độ khẩn là Thường, không thuộc: Hỏa tốc, Hỏa tốc hẹn giờ"),
        (
            "chu-ky-chua-ro",
            False,
            "chữ ký số hợp lệ, không thuộc trường hợp: chưa xác định được",
        ),
        (
            "khong-ky-tu-ngoai",
            False,
            "chữ ký số hợp lệ, không thuộc trường hợp: không có chữ ký số",
        ),
        ("ngoai-gio-de-biet", False, "nhận trong giờ hành chính"),
        ("tai-chinh", False, "không có “ngân sách”, “dự toán” trong trích yếu hoặc tiêu đề thư"),
        ("dat-dai", True, "một trong các trường hợp: trích yếu có “đất đai”"),
    ]


def test_disabled_and_default_rules_are_traced(rules: RuleSet) -> None:
    """GIVEN a document no rule takes THEN the disabled rule says so and the default decides."""
    routing = decide(rules, facts())
    assert routing.trace[-2].why == "bị tắt"
    assert routing.trace[-1].matched and routing.trace[-1].rule == "mac-dinh"
    assert routing.lead is not None and routing.lead.mailbox == "vanphong@example.gov.vn"


def test_r_lead_person_and_deadline_per_assignee(rules: RuleSet) -> None:
    """R-LEAD: GIVEN a budget document with its own DueDate WHEN routed THEN the lead goes to
    the named officer with the document's deadline, the cooperating unit with its own."""
    routing = decide(rules, facts(summary="Dự toán ngân sách", due_date=date(2026, 3, 20)))
    lead, cooperate = routing.assignments
    assert (lead.mailbox, lead.person) == ("truongphong.tckh@example.gov.vn",) * 2
    assert lead.due_at == datetime(2026, 3, 20, 17, 0, tzinfo=VN)
    assert cooperate.due_at == datetime(2026, 3, 9, 9, 0, tzinfo=VN)  # 5 × 8 working hours


def test_a_past_or_missing_due_date_falls_back(rules: RuleSet) -> None:
    """GIVEN no DueDate (or one already past) THEN the rule's fallback (4 working hours) applies."""
    for due in (None, date(2026, 1, 1)):
        routing = decide(rules, facts(summary="Dự toán", due_date=due))
        assert routing.assignments[0].due_at == datetime(2026, 3, 2, 15, 0, tzinfo=VN)


def test_r_urgent_hoa_toc_is_raised_and_due_at_once(rules: RuleSet) -> None:
    """R-URGENT: GIVEN a Hỏa tốc document THEN priority is raised, processing and assignment
    are due at receipt, and the rule's 2h deadline counts from receipt."""
    routing = decide(rules, facts(urgency="hoa_toc"))
    assert routing.priority == 90
    assert routing.process_by == routing.assign_by == MONDAY_0900
    assert routing.assignments[0].due_at == datetime(2026, 3, 2, 11, 0, tzinfo=VN)
    khan = decide(rules, facts(urgency="khan"))
    assert khan.priority == 10 and khan.process_by == MONDAY_0900


def test_r_2h_and_r_assign_for_an_ordinary_document(rules: RuleSet) -> None:
    """R-2H, R-ASSIGN: GIVEN an ordinary document received Monday 09:00 THEN it must be
    processed by 11:00 and assigned by 17:00 the same day; received at 16:00 (last session),
    processing is due 08:00 next morning and assignment by the end of that morning."""
    routing = decide(rules, facts())
    assert routing.process_by == datetime(2026, 3, 2, 11, 0, tzinfo=VN)
    assert routing.assign_by == datetime(2026, 3, 2, 17, 0, tzinfo=VN)
    late = decide(rules, facts(received_at=datetime(2026, 3, 2, 16, 0, tzinfo=VN)))
    assert late.process_by == datetime(2026, 3, 3, 8, 0, tzinfo=VN)
    assert late.assign_by == datetime(2026, 3, 3, 11, 30, tzinfo=VN)


def test_hold_and_reject(rules: RuleSet) -> None:
    """GIVEN an indeterminate signature THEN held with the rule's reason (still led by VP);
    GIVEN an unsigned document from outside the directory groups THEN rejected, no assignee."""
    held = decide(rules, facts(signature_verdict="indeterminate"))
    assert held.hold and held.hold_reason == "Chữ ký chưa xác định được"
    assert [a.unit for a in held.assignments] == ["VP"]
    rejected = decide(rules, facts(signature_verdict=None, sender_agency_group=None))
    assert rejected.reject_code == "unsigned"
    assert rejected.reject_reason == "Văn bản không có chữ ký số"
    assert rejected.assignments == ()
    internal = decide(rules, facts(signature_verdict=None))
    assert not internal.reject_reason


def test_stop_false_adds_tags_and_informed_units(rules: RuleSet) -> None:
    """GIVEN a document received on a Saturday WHEN the default rule also applies THEN the
    out-of-hours rule's tag stays and VP, informed first, is raised to lead by the default."""
    routing = decide(rules, facts(received_at=datetime(2026, 3, 7, 10, 0, tzinfo=VN)))
    assert routing.tags == ("ngoai-gio",)
    assert routing.matched_rules == ("ngoai-gio-de-biet", "mac-dinh")
    assert [(a.unit, a.role) for a in routing.assignments] == [("VP", Role.LEAD)]


def test_exact_diacritics_when_asked() -> None:
    """GIVEN exact_diacritics WHEN the summary lacks them THEN the words do not match."""
    text = TEN_UNITS.replace(
        "look_in: [summary, subject]}", "look_in: [summary, subject], exact_diacritics: true}"
    )
    rules = load_rules(text, "rules.yaml")
    assert decide(rules, facts(summary="Du toan ngan sach")).matched_rules == ("mac-dinh",)
    assert decide(rules, facts(summary="Dự toán ngân sách")).matched_rules == ("tai-chinh",)


def test_facts_survive_a_json_round_trip() -> None:
    """GIVEN facts stored as JSON with the entry THEN they read back equal (replay relies on it)."""
    f = facts(due_date=date(2026, 4, 1), attachment_names=("a.pdf", "b.xlsx"), urgency="khan")
    assert RoutingFacts.from_json(f.as_json()) == f
