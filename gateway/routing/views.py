"""Routing decisions and their traces as plain text (for clerks) and JSON (for scripts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rules.routing_types import Role, Routing, Unit
from templates import role_label

ROLE_NAMES = {role: role_label(role).lower() for role in Role}


def _when(t: datetime | None, zone: ZoneInfo) -> str:
    return t.astimezone(zone).strftime("%H:%M %d/%m/%Y") if t else "—"


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def routing_json(routing: Routing) -> dict[str, Any]:
    return {
        "assignments": [
            {
                "unit": a.unit,
                "role": str(a.role),
                "mailbox": a.mailbox,
                "person": a.person,
                "due_at": _iso(a.due_at),
            }
            for a in routing.assignments
        ],
        "matched_rules": list(routing.matched_rules),
        "trace": routing.trace_json(),
        "rules_version": routing.rules_version,
        "priority": routing.priority,
        "hold": routing.hold,
        "hold_reason": routing.hold_reason,
        "reject_code": routing.reject_code,
        "reject_reason": routing.reject_reason,
        "tags": list(routing.tags),
        "process_by": _iso(routing.process_by),
        "assign_by": _iso(routing.assign_by),
        "propose": routing.propose,  # R-DISTRIB: a leader decides
        "leader": routing.leader.code if routing.leader else None,
    }


def routing_text(routing: Routing, units: dict[str, Unit], zone: ZoneInfo) -> str:
    """The decision, then every rule looked at and why, in plain language."""
    lines = []
    for a in routing.assignments:
        name = units[a.unit].name if a.unit in units else a.unit
        lines.append(
            f"  {ROLE_NAMES[a.role]}: {name} ({a.unit}) → {a.mailbox}, hạn {_when(a.due_at, zone)}"
        )
    if not routing.assignments:
        lines.append("  (không giao cho đơn vị nào)")
    if routing.hold:
        lines.append(f"  Giữ lại chờ văn thư xem xét: {routing.hold_reason}")
    if routing.reject_reason:
        lines.append(f"  Từ chối ({routing.reject_code}): {routing.reject_reason}")
    if routing.tags:
        lines.append(f"  Nhãn: {', '.join(routing.tags)}")
    if routing.propose:  # R-DISTRIB
        leader = routing.leader.name if routing.leader else "lãnh đạo"
        lines.append(f"  Đây là đề xuất: văn bản chờ {leader} cho ý kiến phân công")
    lines.append(f"  Độ ưu tiên: {routing.priority}")
    lines.append(f"  Hạn xử lý (2 giờ làm việc): {_when(routing.process_by, zone)}")
    lines.append(f"  Hạn giao việc: {_when(routing.assign_by, zone)}")
    lines.append(f"Các quy tắc đã xét (phiên bản {routing.rules_version}):")
    for step in routing.trace:
        mark = "✔ khớp" if step.matched else "✘ không khớp"
        lines.append(f"  {mark}: {step.rule} — {step.why}")
    return "\n".join(lines)


def assignment_keys(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(unit, str(role)) for unit, role in pairs}


def changes(before: set[tuple[str, str]], after: set[tuple[str, str]]) -> list[str]:
    """What replaying would change: ``+ phối hợp TP`` / ``- chủ trì VP``."""
    names = {str(r): n for r, n in ROLE_NAMES.items()}
    added = [f"+ {names.get(role, role)} {unit}" for unit, role in sorted(after - before)]
    removed = [f"- {names.get(role, role)} {unit}" for unit, role in sorted(before - after)]
    return removed + added
