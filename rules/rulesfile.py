"""The rules file (rules.yaml): units and ordered routing rules, validated with pydantic.

``load_rules(text, source)`` is the only way in: it parses YAML, validates, and raises
:class:`RulesError` whose lines name the file, the line, the rule and the field
(``rules.yaml:14: rule "Đất đai": then.lead: unknown unit 'TNMT'``). Reading the file is
the caller's business; this module never touches the disk.
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mailparse.reasons import Reason
from rules.conditions import When
from rules.deadlines import Deadline, DeadlineKind, parse_deadline
from rules.routing_types import Leader, Unit
from rules.yamllines import line_of


class RulesError(ValueError):
    """An invalid rules file; the message names file, line, rule and field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _deadline(value: Any) -> Deadline | None:
    if value is None or isinstance(value, Deadline):
        return value
    return parse_deadline(str(value))


class UnitSpec(_Model):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    mailbox: str
    leader: str | None = None
    supervisor: str | None = None

    @field_validator("mailbox", "leader", "supervisor")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"{value!r} is not an e-mail address")
        return value.strip().lower() if value else value

    def unit(self) -> Unit:
        return Unit(self.code, self.name, self.mailbox, self.leader, self.supervisor)


class LeaderSpec(_Model):
    """A leader who distributes documents (R-DISTRIB): ``leaders`` of rules.yaml.

    ``mailbox`` receives the digests and urgent notices, and only replies from it decide;
    ``account`` is the console user name (role ``leader``) whose ``/distribute`` queue shows
    this leader's documents; ``default`` names the leader of proposals no rule assigns.
    """

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    mailbox: str
    account: str | None = None
    default: bool = False

    @field_validator("mailbox")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError(f"{value!r} is not an e-mail address")
        return value.strip().lower()

    def leader(self) -> Leader:
        return Leader(self.code, self.name, self.mailbox, self.account)


class Target(_Model):
    """An assignee in ``then``: a unit code, or ``{unit, person, deadline}``."""

    unit: str
    person: str | None = None  # the named officer's mailbox
    deadline: Deadline | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_code(cls, value: Any) -> Any:
        return {"unit": value} if isinstance(value, str) else value

    _parse_deadline = field_validator("deadline", mode="before")(_deadline)


class Reject(_Model):
    reason: Reason
    text: str = Field(min_length=1)  # Vietnamese, mailed to the sender


class Then(_Model):
    lead: Target | None = None
    cooperate: tuple[Target, ...] = ()
    inform: tuple[Target, ...] = ()
    deadline: Deadline | None = None  # for every assignee without its own
    deadline_fallback: Deadline | None = None  # when deadline is due_date and there is none
    priority: int = Field(default=0, ge=0, le=100)
    hold: str | None = None  # the reason a clerk must review
    reject: Reject | None = None
    tags: tuple[str, ...] = ()
    propose: bool = False  # a leader decides: registered, awaiting distribution (R-DISTRIB)
    leader: str | None = None  # the code (``leaders``) of the leader who decides

    _parse_deadlines = field_validator("deadline", "deadline_fallback", mode="before")(_deadline)

    @model_validator(mode="after")
    def _fallback_is_concrete(self) -> Then:
        if (
            self.deadline_fallback is not None
            and self.deadline_fallback.kind is DeadlineKind.DUE_DATE
        ):
            raise ValueError("deadline_fallback cannot itself be due_date")
        return self

    def targets(self) -> tuple[Target, ...]:
        return ((self.lead,) if self.lead else ()) + self.cooperate + self.inform


class Rule(_Model):
    name: str = Field(min_length=1)
    enabled: bool = True
    default: bool = False  # the last rule, without conditions: what happens to the rest
    when: When | None = None
    then: Then = Then()
    stop: bool = True


class RuleSet(_Model):
    units: tuple[UnitSpec, ...] = ()
    leaders: tuple[LeaderSpec, ...] = ()
    deadline: Deadline | None = None  # when neither the rule nor the assignee names one
    rules: tuple[Rule, ...]
    _version: str = PrivateAttr(default="")

    _parse_deadline = field_validator("deadline", mode="before")(_deadline)

    @property
    def version(self) -> str:
        """Short sha256 of the file's bytes: stored with each routing decision."""
        return self._version

    @property
    def units_by_code(self) -> dict[str, Unit]:
        return {u.code: u.unit() for u in self.units}

    @property
    def leaders_by_code(self) -> dict[str, Leader]:
        return {spec.code: spec.leader() for spec in self.leaders}

    @property
    def default_leader(self) -> Leader | None:
        """The leader marked ``default``, else the first one; None without leaders."""
        chosen = next((s for s in self.leaders if s.default), None) or next(
            iter(self.leaders), None
        )
        return chosen.leader() if chosen else None

    @model_validator(mode="after")
    def _known_leaders(self) -> RuleSet:
        codes = [s.code for s in self.leaders]
        if len(set(codes)) != len(codes):
            raise ValueError("leader codes must be distinct")
        if sum(s.default for s in self.leaders) > 1:
            raise ValueError("only one leader can be the default")
        for rule in self.rules:
            if rule.then.leader is not None and rule.then.leader not in codes:
                raise ValueError(
                    f"rule {rule.name!r}: then.leader: unknown leader {rule.then.leader!r} "
                    "(not in leaders)"
                )
        return self

    @field_validator("units")
    @classmethod
    def _distinct_units(cls, value: tuple[UnitSpec, ...]) -> tuple[UnitSpec, ...]:
        codes = [u.code for u in value]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"unit code {duplicates[0]!r} is defined twice")
        return value

    @field_validator("rules")
    @classmethod
    def _default_last(cls, value: tuple[Rule, ...]) -> tuple[Rule, ...]:
        names = [r.name for r in value]
        if len(set(names)) != len(names):
            raise ValueError("rule names must be distinct")
        defaults = [r for r in value if r.default]
        if len(defaults) != 1 or not value[-1].default:
            raise ValueError("a default rule (default: true) is required, once, as the last rule")
        if defaults[0].when is not None or not defaults[0].enabled:
            raise ValueError("the default rule has no conditions and cannot be disabled")
        return value


def _unknown_units(data: Any, known: set[str]) -> list[tuple[tuple[Any, ...], str]]:
    """Actions naming units that are not in ``units`` (location, message)."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    rules = data.get("rules") if isinstance(data, dict) else None
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        then = rule.get("then") if isinstance(rule, dict) else None
        if not isinstance(then, dict):
            continue
        for role in ("lead", "cooperate", "inform"):
            value = then.get(role)
            items = value if isinstance(value, list) else [value] if value is not None else []
            for position, item in enumerate(items):
                code = item.get("unit") if isinstance(item, dict) else item
                if isinstance(code, str) and code not in known:
                    where: tuple[Any, ...] = ("rules", index, "then", role)
                    where += (position,) if isinstance(value, list) else ()
                    problems.append((where, f"unknown unit {code!r} (not in units)"))
    return problems


def load_rules(text: str, source: str) -> RuleSet:
    """Validate a rules file; RulesError naming file, line, rule and field."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{source}: expected a mapping with 'units' and 'rules'")
    problems: list[tuple[tuple[Any, ...], str]] = []
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = [(tuple(e["loc"]), _problem(e)) for e in exc.errors()]
        ruleset = None
    known = {u.get("code") for u in data.get("units") or [] if isinstance(u, dict)}
    problems += _unknown_units(data, {c for c in known if isinstance(c, str)})
    if problems or ruleset is None:
        raise RulesError(
            "\n".join(_describe(source, root, data, loc, msg) for loc, msg in problems)
        )
    ruleset._version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return ruleset


def _problem(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required"
    return str(error["msg"]).removeprefix("Value error, ")


def _describe(source: str, root: Any, data: dict[str, Any], loc: tuple[Any, ...], msg: str) -> str:
    line = line_of(root, loc)
    where = f"{source}:{line}" if line else source
    rule = ""
    path = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") or []
        entry = rules[loc[1]] if loc[1] < len(rules) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        rule = f" rule {name!r}:" if name else f" rule #{loc[1] + 1}:"
        path = path[2:]
    field = ".".join(p for p in path if not p[:1].isupper() and p not in {"str", "function-before"})
    return f"{where}:{rule} {field or 'file'}: {msg}"
