"""Loading rules.yaml: every error names file, line, rule and field."""

from __future__ import annotations

from importlib import resources

import pytest

from rules.deadlines import DeadlineKind, parse_deadline
from rules.rulesfile import RulesError, load_rules

UNITS = """\
units:
  - code: VP
    name: "Văn phòng"
    mailbox: "vanphong@example.gov.vn"
  - code: TCKH
    name: "Phòng Tài chính – Kế hoạch"
    mailbox: "tckh@example.gov.vn"
"""


def error_of(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        load_rules(text, "deploy/rules.yaml")
    return str(caught.value)


def test_the_shipped_sample_is_valid_and_versioned() -> None:
    """GIVEN the rules.yaml `gateway init` writes THEN it loads, ends with the default rule,
    and its version is the short sha256 of its bytes (same text, same version)."""
    text = resources.files("gateway").joinpath("data/rules.yaml").read_text(encoding="utf-8")
    rules = load_rules(text, "rules.yaml")
    assert rules.rules[-1].default
    assert {"VP", "TCKH", "NV", "TNMT"} <= set(rules.units_by_code)
    assert len(rules.version) == 12
    assert load_rules(text, "x").version == rules.version
    assert load_rules(text + "\n# changed\n", "x").version != rules.version


def test_unknown_key_names_file_line_rule_and_field() -> None:
    """GIVEN a typo in a condition THEN the error names the file, its line, the rule, the key."""
    text = UNITS + (
        "rules:\n"
        "  - name: Tài chính\n"
        "    when: {words: [ngân sách], urgncy: khan}\n"
        "    then: {lead: TCKH}\n"
        "  - name: Mặc định\n"
        "    default: true\n"
        "    then: {lead: VP}\n"
    )
    assert error_of(text) == "deploy/rules.yaml:10: rule 'Tài chính': when.urgncy: unknown key"


def test_unknown_unit_and_bad_deadline_are_errors_with_their_lines() -> None:
    """GIVEN an action naming a unit not in `units` and a deadline nobody can read THEN both
    are reported, each on its own line."""
    text = UNITS + (
        "rules:\n"
        "  - name: Đất đai\n"
        "    when: {words: [đất đai]}\n"
        "    then:\n"
        "      lead: TNMT\n"
        "      cooperate: [VP, {unit: XYZ}]\n"
        "      deadline: two weeks\n"
        "  - name: Mặc định\n"
        "    default: true\n"
        "    then: {lead: VP}\n"
    )
    lines = error_of(text).splitlines()
    assert (
        "deploy/rules.yaml:14: rule 'Đất đai': then.deadline: unknown deadline 'two weeks'"
        in (lines[0])
    )
    assert "deploy/rules.yaml:12: rule 'Đất đai': then.lead: unknown unit 'TNMT'" in lines[1]
    assert (
        "deploy/rules.yaml:13: rule 'Đất đai': then.cooperate.1: unknown unit 'XYZ'" in (lines[2])
    )


def test_a_default_rule_is_required() -> None:
    """GIVEN rules without a default rule THEN the file is refused, naming `rules`."""
    text = (
        UNITS + "rules:\n  - name: Tài chính\n    when: {words: [thuế]}\n    then: {lead: TCKH}\n"
    )
    assert error_of(text) == (
        "deploy/rules.yaml:8: rules: a default rule (default: true) is required, once, "
        "as the last rule"
    )


def test_the_default_rule_must_be_last_and_unconditional() -> None:
    """GIVEN a default rule with conditions THEN it is refused."""
    text = UNITS + (
        "rules:\n  - name: Mặc định\n    default: true\n    when: {urgency: khan}\n"
        "    then: {lead: VP}\n"
    )
    assert "the default rule has no conditions" in error_of(text)


def test_bad_reason_regex_verdict_and_yaml_are_reported() -> None:
    """GIVEN a reject reason that is no reason code, a broken regex, an unknown verdict THEN
    each is named; GIVEN broken YAML THEN its line is named."""
    text = UNITS + (
        "rules:\n"
        "  - name: R\n"
        "    when: {regex: 'quy hoach (', signature: green}\n"
        "    then: {reject: {reason: because, text: Không nhận}}\n"
        "  - name: Mặc định\n"
        "    default: true\n"
        "    then: {lead: VP}\n"
    )
    message = error_of(text)
    assert "rule 'R': when.regex: not a valid regular expression" in message
    assert "rule 'R': when.signature: unknown verdict 'green'" in message
    assert "rule 'R': then.reject.reason: Input should be" in message
    assert error_of("rules: [\n  - name: x\n  y: [").startswith("deploy/rules.yaml:")
    assert "not valid YAML" in error_of("rules: [\n")


def test_duplicate_units_and_rules_and_bad_mailboxes() -> None:
    """GIVEN a unit defined twice and a mailbox that is no address THEN both are errors."""
    text = (
        UNITS
        + '  - code: VP\n    name: "Văn phòng 2"\n    mailbox: "vp2"\n'
        + "rules:\n  - name: Mặc định\n    default: true\n    then: {lead: VP}\n"
    )
    message = error_of(text)
    assert "units.2.mailbox: 'vp2' is not an e-mail address" in message


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("2h", DeadlineKind.HOURS, 2),
        ("4 working hours", DeadlineKind.HOURS, 4),
        ("4 giờ làm việc", DeadlineKind.HOURS, 4),
        ("3 working days", DeadlineKind.DAYS, 3),
        ("3 ngày làm việc", DeadlineKind.DAYS, 3),
        ("by next working morning", DeadlineKind.NEXT_MORNING, 0),
        ("Sáng hôm sau", DeadlineKind.NEXT_MORNING, 0),
        ("same day", DeadlineKind.SAME_DAY, 0),
        ("due_date", DeadlineKind.DUE_DATE, 0),
        ("2026-12-31", DeadlineKind.ON_DATE, 0),
    ],
)
def test_deadline_specs(text: str, kind: DeadlineKind, amount: float) -> None:
    """GIVEN each documented spelling THEN it parses to its kind and amount."""
    deadline = parse_deadline(text)
    assert deadline.kind is kind
    assert deadline.amount == amount
