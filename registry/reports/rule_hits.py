"""Which routing rules matched which register entries, kept as rows (``rule_hit``).

The routing trace stays on the entry (``register_entry.routing_trace``: every rule looked
at and why); ``rule_hit`` holds one row per rule whose trace step says it matched, written
by :func:`replace_rule_hits` in the transaction that writes the trace, and replaced with it
(the entry's old rows go). ``/rules`` counts them with one ``GROUP BY`` instead of reading
every trace (:func:`rule_hit_counts`). A hit is dated by the entry's time of receipt, as the
counts were before the table existed (migration 0010 backfills the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, delete, func, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.models import RegisterEntry
from registry.types import utc_field


class RuleHit(SQLModel, table=True):
    """One routing rule that matched one register entry (from the entry's trace)."""

    __tablename__ = "rule_hit"
    __table_args__ = (Index("ix_rule_hit_rule_name_at", "rule_name", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    rule_name: str = Field(sa_column=Column(Text, nullable=False))
    rules_version: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    at: datetime = utc_field()


@dataclass(frozen=True)
class RuleHitCount:
    """How often a rule (by name) matched, and the receipt time of its latest document."""

    rule_name: str
    hits: int
    last_at: datetime


def matched_rule_names(trace: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The rules a stored trace says matched, in trace order, each once."""
    names: dict[str, None] = {}
    for step in trace or ():
        if isinstance(step, Mapping) and step.get("matched"):
            names.setdefault(str(step.get("rule", "")), None)
    return list(names)


def replace_rule_hits(session: Session, entry: RegisterEntry) -> list[RuleHit]:
    """Make the entry's ``rule_hit`` rows say what its ``routing_trace`` says (old rows go);
    in the open transaction, so they commit or roll back with the trace."""
    if entry.id is None:
        raise ValueError("entry has not been flushed")
    session.execute(delete(RuleHit).where(col(RuleHit.entry_id) == entry.id))
    rows = [
        RuleHit(
            entry_id=entry.id,
            rule_name=name,
            rules_version=entry.rules_version,
            at=entry.received_at,
        )
        for name in matched_rule_names(entry.routing_trace)
    ]
    session.add_all(rows)
    return rows


def rule_hit_counts(session: Session) -> dict[str, RuleHitCount]:
    """Hits and latest match of every rule name ever matched, by name (one GROUP BY)."""
    name = col(RuleHit.rule_name)
    query = select(name, func.count(), func.max(col(RuleHit.at))).group_by(name)
    return {rule: RuleHitCount(rule, hits, last) for rule, hits, last in session.execute(query)}
