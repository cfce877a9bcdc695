"""Rules that propose (R-DISTRIB): ``leaders`` and ``then: {propose, leader}`` in the rules
file, the proposal in the routing, and what a leader's reply says."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import WorkingCalendar
from rules.leader_reply import LeaderIntent, read_leader_reply
from rules.routing import route
from rules.routing_types import RoutingFacts
from rules.rulesfile import RulesError, load_rules

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = """\
units:
  - {code: VP, name: "Văn phòng", mailbox: vp@example.gov.vn}
  - {code: TCKH, name: "Phòng Tài chính – Kế hoạch", mailbox: tckh@example.gov.vn}
leaders:
  - {code: CT, name: "Chủ tịch", mailbox: CT@example.gov.vn, account: chutich}
  - {code: PCT, name: "Phó Chủ tịch", mailbox: pct@example.gov.vn, default: true}
rules:
  - name: ngan-sach
    when: {words: ["ngân sách"]}
    then: {propose: true, leader: CT, lead: TCKH}
  - name: khan
    when: {urgency: [khan]}
    then: {lead: VP}
  - name: mac-dinh
    default: true
    then: {lead: VP}
"""
RECEIVED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def decide(summary: str, *, urgency: str = "thuong", propose_all: bool = False) -> object:
    rules = load_rules(RULES, "rules.yaml")
    facts = RoutingFacts(received_at=RECEIVED, summary=summary, urgency=urgency)
    return route(facts, rules, WorkingCalendar(zone=ZONE), RECEIVED, propose_all=propose_all)


def test_a_proposing_rule_names_its_leader_and_keeps_the_assignments_as_a_proposal() -> None:
    """GIVEN a rule ``then: {propose: true, leader: CT, lead: TCKH}`` WHEN it matches
    THEN the routing is a proposal for the chairman (mailbox lower-cased) with TCKH lead."""
    routing = decide("dự toán ngân sách 2027")
    assert routing.propose is True  # type: ignore[attr-defined]
    assert routing.leader.code == "CT"  # type: ignore[attr-defined]
    assert routing.leader.mailbox == "ct@example.gov.vn"  # type: ignore[attr-defined]
    assert [a.unit for a in routing.assignments] == ["TCKH"]  # type: ignore[attr-defined]


def test_mode_propose_makes_every_rule_propose_to_the_default_leader() -> None:
    """GIVEN ``[routing] mode = "propose"`` WHEN a rule without ``propose`` matches
    THEN the routing is a proposal for the leader marked default; without the mode, not."""
    assert decide("họp giao ban").propose is False  # type: ignore[attr-defined]
    routing = decide("họp giao ban", propose_all=True)
    assert routing.propose is True  # type: ignore[attr-defined]
    assert routing.leader.code == "PCT"  # type: ignore[attr-defined]


def test_rules_file_errors_about_leaders() -> None:
    """GIVEN a rule naming a leader not in ``leaders``, or two default leaders
    WHEN the file is loaded THEN it is refused with the reason."""
    unknown = RULES.replace("leader: CT, lead: TCKH", "leader: GD, lead: TCKH")
    with pytest.raises(RulesError, match="unknown leader 'GD'"):
        load_rules(unknown, "rules.yaml")
    two = RULES.replace("account: chutich}", "account: chutich, default: true}")
    with pytest.raises(RulesError, match="only one leader can be the default"):
        load_rules(two, "rules.yaml")


@pytest.mark.parametrize(
    "body",
    ["Đồng ý", "dong y.", "Nhất trí", "OK\n\nĐồng ý", "  - Duyệt", "Approved"],
)
def test_acceptance_in_any_spelling(body: str) -> None:
    """GIVEN "đồng ý" and its spellings WHEN read THEN one acceptance for every document."""
    said = read_leader_reply(body)
    assert [(w.intent, w.incoming) for w in said.words] == [(LeaderIntent.ACCEPT, None)]


def test_numbered_lines_decide_documents_one_by_one_with_their_notes() -> None:
    """GIVEN a reply to a digest naming documents by incoming number
    WHEN read THEN each line is one decision with its unit and its note; quoted text and
    the signature are ignored."""
    said = read_leader_reply(
        "2026/17 đồng ý\n"
        "2026/18 giao TP: thẩm định gấp\n"
        "Giao cho Phòng Tư pháp 2026/19\n"
        "\n-- \nChủ tịch\n"
        "> 2026/20 giao VP\n"
    )
    assert [(w.intent, w.incoming, w.unit, w.note) for w in said.words] == [
        (LeaderIntent.ACCEPT, "2026/17", "", ""),
        (LeaderIntent.ASSIGN, "2026/18", "TP", "thẩm định gấp"),
        (LeaderIntent.ASSIGN, "2026/19", "Phòng Tư pháp", ""),
    ]


def test_a_second_keyword_line_for_the_same_document_is_the_instruction() -> None:
    """GIVEN "Giao NV" then "Giao phòng Nội vụ chủ trì, báo cáo kết quả."
    WHEN read THEN one decision (NV), and the second line is the instruction."""
    said = read_leader_reply("Giao NV\nGiao phòng Nội vụ chủ trì, báo cáo kết quả.")
    assert [(w.intent, w.unit) for w in said.words] == [(LeaderIntent.ASSIGN, "NV")]
    assert said.note == "Giao phòng Nội vụ chủ trì, báo cáo kết quả."


def test_no_keyword_no_decision() -> None:
    """GIVEN "chưa đồng ý, chờ họp" or "giao" without a unit WHEN read THEN nothing."""
    assert read_leader_reply("Chưa đồng ý, chờ họp").words == ()
    assert read_leader_reply("Giao").words == ()
