"""The routing rules as administrators tune them: how often each rule fired, a dry run of
an edited file, and saving a file into force with the change in the audit trail.

A file that does not validate is never written: :func:`save_rules` validates first, then
replaces ``rules.yaml`` atomically (temporary file, fsync, rename) and reloads the running
:class:`~gateway.routing.Router`.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.config.settings import Deployment
from gateway.errors import GatewayError
from gateway.routing.in_force import Router, calendar_for, rules_path, sample_rules_text
from gateway.storage.durable import replace_file
from registry.database import write_session
from registry.models import AuditEvent
from registry.recorder import Recorder
from registry.reports.rule_hits import rule_hit_counts
from rules.calendar import WorkingCalendar
from rules.routing import route
from rules.routing_types import Routing, RoutingFacts
from rules.rulesfile import RuleSet, load_rules

SAVE_ACTION = "rules.save"
DIFF_CHARS = 20_000


class RulesNotReloadedError(GatewayError):
    """The file was written but the running router refused it (changed meanwhile?)."""


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


def current_text(deployment: Deployment) -> str:
    """The rules file in force (the shipped sample when the deployment has none)."""
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


def calendar_of(router: Router | None, deployment: Deployment) -> WorkingCalendar:
    return router.calendar if router is not None else calendar_for(deployment)


def save_rules(
    deployment: Deployment, engine: Engine, router: Router | None, text: str, actor: str
) -> RuleSet:
    """Validate ``text``, put it into force and audit the change; RulesError when invalid."""
    rules = validate(text)
    before = current_text(deployment)
    old_version = hashlib.sha256(before.encode("utf-8")).hexdigest()[:12]  # as load_rules
    path = rules_path(deployment)
    _write_atomically(path, text)
    if router is not None and not router.reload():
        raise RulesNotReloadedError(f"{path}: written but not reloaded; see the log")
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), text.splitlines(keepends=True), "trước", "sau"
        )
    )
    with write_session(engine) as session:
        Recorder(session).audit(
            SAVE_ACTION,
            actor=actor,
            old_version=old_version,
            new_version=rules.version,
            diff=diff[:DIFF_CHARS],
        )
    return rules


def history(session: Any, limit: int = 20) -> list[RulesChange]:
    """The latest saved changes of the rules file, newest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(col(AuditEvent.action) == SAVE_ACTION)
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    )
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


def _write_atomically(path: Path, text: str) -> None:
    replace_file(path, text.encode("utf-8"))
