"""The routing rules as administrators tune them: how often each rule fired, a dry run of
an edited file, and saving a file into force with the change in the audit trail.

Rules that do not validate are never saved: :func:`save_rules` validates first, then
stores them as the newest rules in the database — in force on every instance at its next
document (:mod:`gateway.routing.in_force`) — and writes this instance's ``rules.yaml``
atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.config.settings import Deployment
from gateway.routing.in_force import (
    SAVE_ACTION,
    Router,
    rules_path,
    sample_rules_text,
)
from registry.reports.rule_hits import rule_hit_counts
from registry.rules_versions import rules_changes
from rules.calendar import WorkingCalendar
from rules.routing import route
from rules.routing_types import Routing, RoutingFacts
from rules.rulesfile import RuleSet, load_rules


@dataclass(frozen=True)
class RuleStat:
    """One rule in force, in order, and how it fared in the register."""

    position: int
    name: str
    enabled: bool
    default: bool
    hits: int
    last_match: datetime | None

    @property
    def never_fired(self) -> bool:
        return self.enabled and not self.default and self.hits == 0


@dataclass(frozen=True)
class RulesChange:
    at: datetime
    actor: str
    old_version: str
    new_version: str
    diff: str


def rule_stats(session: Any, rules: RuleSet) -> list[RuleStat]:
    """Hit counts and last match of each rule in force, from the ``rule_hit`` rows written
    with the entries' traces (one GROUP BY, however large the register)."""
    counts = rule_hit_counts(session)
    stats = []
    for i, r in enumerate(rules.rules, start=1):
        found = counts.get(r.name)
        hits, last = (found.hits, found.last_at) if found else (0, None)
        stats.append(RuleStat(i, r.name, r.enabled, r.default, hits, last))
    return stats


def current_text(deployment: Deployment, router: Router | None) -> str:
    """The rules text in force (the rules file, or the shipped sample, without a router)."""
    if router is not None:
        return router.text
    path = rules_path(deployment)
    return path.read_text(encoding="utf-8") if path.is_file() else sample_rules_text()


def validate(text: str) -> RuleSet:
    """The edited file as rules; RulesError (each problem with its line) when invalid."""
    return load_rules(text, "rules.yaml")


def router_with(
    rules: RuleSet, calendar: WorkingCalendar
) -> Callable[[RoutingFacts, datetime], Routing]:
    """A routing function for ``rules``, the same calendar as the running router."""
    return lambda facts, now: route(facts, rules, calendar, now)


def save_rules(router: Router, text: str, actor: str) -> RuleSet:
    """Validate ``text``, put it into force on every instance and audit the change;
    RulesError when invalid."""
    rules = validate(text)
    router.save(text, rules, actor)
    return rules


def history(session: Any, limit: int = 20) -> list[RulesChange]:
    """The latest saved changes of the rules file, newest first."""
    events = rules_changes(session, SAVE_ACTION, limit)
    return [
        RulesChange(
            at=e.at,
            actor=e.actor,
            old_version=str(e.details.get("old_version", "")),
            new_version=str(e.details.get("new_version", "")),
            diff=str(e.details.get("diff", "")),
        )
        for e in events
    ]
