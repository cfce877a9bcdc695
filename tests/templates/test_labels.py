"""One place for what a person reads instead of a code (templates.labels) and the
Vietnamese beside developer English (templates.wording)."""

from __future__ import annotations

import re

import pytest

from mailparse.documents.activecontent import ActiveContent
from mailparse.documents.document import Secrecy
from registry.console.accounts import Role
from registry.models import AssignmentStatus, EntryStatus, Outcome
from rules.acceptance_words import ACTIVE_CONTENT_NAMES
from templates import labels
from templates.wording import note_text, problem_text, rules_error_text


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (labels.ACCOUNT_ROLE_LABELS, [str(r) for r in Role]),
        (labels.STATUS_LABELS, [str(s) for s in EntryStatus]),
        (labels.ASSIGNMENT_STATUS_LABELS, [str(s) for s in AssignmentStatus]),
        (labels.OUTCOME_LABELS, [str(o) for o in Outcome]),
        (labels.SECRECY_LABELS, ["", *(str(s) for s in Secrecy)]),
        (labels.ACTIVE_CONTENT_LABELS, [str(a) for a in ActiveContent]),
    ],
)
def test_every_code_of_a_kind_has_its_vietnamese_label(
    table: dict[str, str], codes: list[str]
) -> None:
    """GIVEN the codes the database stores for roles, statuses, outcomes, secrecy levels
    and active content WHEN shown THEN each has a label, none of which is the code."""
    assert {code: table.get(code) for code in codes if table.get(code) in (None, code)} == {}


def test_history_and_trace_codes_are_labelled() -> None:
    """GIVEN the audit actions and trace steps a clerk met raw in the trial THEN each has
    a Vietnamese label, and an unknown code is shown as given (never hidden)."""
    for action in ("entry.assigned", "entry.duplicate", "entry.paper", "entry.corrected"):
        assert labels.action(action) != action
    for step in ("malware", "our-mail", "page-count", "clerk", "sender-authentication"):
        assert labels.trace_rule(step) != step
    assert (labels.field("summary"), labels.field("issuer_name")) == (
        "Trích yếu",
        "Cơ quan ban hành",
    )
    assert labels.action("something.new") == "something.new"
    assert labels.ACTIVE_CONTENT_LABELS == ACTIVE_CONTENT_NAMES  # the trace says the same


@pytest.mark.parametrize(
    ("note", "words"),
    [
        ("held for a clerk's decision; answered when decided", "tạm giữ chờ văn thư quyết định"),
        (
            "re-delivery of a message already processed; its first answer stands",
            "giữ nguyên lần trả lời trước",
        ),
        (
            "not answered: null sender, automatic mail (RFC 3834) or unusable return address",
            "không trả lời",
        ),
        (
            "rejection not sent: the sender is outside the directory and its domain did not "
            "authenticate the message (no aligned DKIM or SPF pass) — no backscatter",
            "không gửi thư từ chối",
        ),
        ("not answered: a@b.vn already got 5 automatic mails in 24 h", "a@b.vn đã nhận 5 thư"),
        ("văn bản giấy do vanthu vào sổ", "văn bản giấy do vanthu vào sổ"),
        ("something else happened", "ghi chú kỹ thuật"),
    ],
)
def test_inbound_notes_read_in_vietnamese(note: str, words: str) -> None:
    """GIVEN a note the pipeline stored in English WHEN shown THEN in Vietnamese; a note
    already Vietnamese as written; an unknown English one introduced in Vietnamese."""
    assert words in note_text(note)


def test_logged_problems_get_a_vietnamese_meaning() -> None:
    assert "quét virus" in problem_text("virus scanning is OFF: no scanner is configured")
    assert "quy tắc cũ vẫn dùng" in problem_text("rules file refused, rules abc stay in force: x")
    assert problem_text("anything").startswith("Cảnh báo kỹ thuật")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            "rules.yaml:14: rule 'Đất đai': then.lead: unknown unit 'TNMT' (not in units)",
            "Dòng 14, quy tắc 'Đất đai', mục then.lead: mã đơn vị 'TNMT' không có trong "
            "danh sách units.",
        ),
        ("rules.yaml:3: units.0.colour: unknown key", "Dòng 3, mục units.0.colour: khóa không"),
        ("rules.yaml:5: not valid YAML: bad indentation", "Dòng 5: sai cú pháp YAML"),
        ("rules.yaml:7: rule #2: when.urgency: Input should be a valid list", "cần danh sách"),
    ],
)
def test_rules_errors_are_shown_in_vietnamese(line: str, said: str) -> None:
    """GIVEN an error line of a rules file WHEN shown on /rules THEN where it is and what
    is wrong, in Vietnamese (the English words of the fault no longer lead the line)."""
    shown = rules_error_text(line)
    assert shown.startswith(said) or said in shown
    assert not re.search(r"\b(unknown|required|rule)\b", shown.split("(")[0])
