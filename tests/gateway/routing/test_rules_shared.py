"""The rules in force are shared by every instance (DESIGN §3): they live in the database.

Two routers stand for two instances: each has its own configuration folder, rules file
and data folder; they share one database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.config.settings import load
from gateway.routing.console import save_rules
from gateway.routing.in_force import SAVE_ACTION, Router
from registry.database import read_session
from registry.models import AuditEvent
from registry.rules_versions import RulesVersion
from rules.routing_types import RoutingFacts
from tests.gateway.routing.test_router import NOW, VN, rules_text


def _instance(root: Path, engine: Engine) -> Router:
    """An instance with its own folder (configuration, rules file, data) on ``engine``."""
    root.mkdir()
    (root / "rules.yaml").write_text(rules_text("VP"), encoding="utf-8")
    (root / "gateway.toml").write_text("", encoding="utf-8")
    return Router(load(root / "gateway.toml", environ={}), engine)


def _lead(router: Router) -> str:
    routing = router.route(RoutingFacts(received_at=datetime(2026, 3, 3, 9, tzinfo=VN)), NOW)
    assert routing.lead is not None
    return routing.lead.unit


def _versions(engine: Engine) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        rows = session.scalars(select(RulesVersion).order_by(col(RulesVersion.id)))
        return [(row.source.partition(":")[0], row.saved_by) for row in rows]


def test_rules_saved_on_one_instance_are_in_force_on_the_other(
    tmp_path: Path, engine: Engine
) -> None:
    """GIVEN instances A and B started with the same rules file (everything to VP)
    WHEN an administrator saves rules sending everything to TCKH in A's console
    THEN B routes its next document to TCKH without a signal, its own file unchanged;
    WHEN B restarts with its older file THEN the console's rules stay in force."""
    a = _instance(tmp_path / "a", engine)
    b = _instance(tmp_path / "b", engine)
    assert (_lead(a), _lead(b)) == ("VP", "VP")
    assert _versions(engine) == [("file", "system")]  # the shipped file, stored once

    save_rules(a, rules_text("TCKH"), "quantri")
    assert _lead(b) == "TCKH"
    assert b.text == rules_text("TCKH")
    assert (tmp_path / "b" / "rules.yaml").read_text(encoding="utf-8") == rules_text("VP")

    restarted = Router(b._deployment, engine)
    assert _lead(restarted) == "TCKH"
    assert _lead(a) == "TCKH"
    assert _versions(engine) == [("file", "system"), ("console", "quantri")]
    with read_session(engine) as session:
        [change] = session.scalars(select(AuditEvent).where(col(AuditEvent.action) == SAVE_ACTION))
    assert change.actor == "quantri"
    assert "-    then: {lead: VP}" in change.details["diff"]


def test_one_message_is_routed_by_one_version_of_the_rules(tmp_path: Path, engine: Engine) -> None:
    """GIVEN instance B working on a message (its rules held for it) WHEN rules sending
    everything to TCKH are saved on A meanwhile THEN the rest of B's message is still routed
    by the rules it started with; B's next message goes to TCKH."""
    a = _instance(tmp_path / "a", engine)
    b = _instance(tmp_path / "b", engine)
    with b.held():
        assert _lead(b) == "VP"
        save_rules(a, rules_text("TCKH"), "quantri")
        assert _lead(b) == "VP"
    assert _lead(b) == "TCKH"


def test_a_file_changed_on_one_instance_reaches_the_other(tmp_path: Path, engine: Engine) -> None:
    """GIVEN instances A and B on the same rules
    WHEN an administrator edits B's rules file and B reloads (SIGHUP)
    THEN A routes by it at its next document, and the change is audited as B's file;
    WHEN B's file is later put back to the first text and B reloads THEN that is a change
    too (the file changed on B), and both route by it again."""
    a = _instance(tmp_path / "a", engine)
    b = _instance(tmp_path / "b", engine)
    path = tmp_path / "b" / "rules.yaml"
    path.write_text(rules_text("TCKH"), encoding="utf-8")
    assert b.reload()
    assert (_lead(a), _lead(b)) == ("TCKH", "TCKH")
    with read_session(engine) as session:
        [change] = session.scalars(select(AuditEvent).where(col(AuditEvent.action) == SAVE_ACTION))
    assert change.actor == "system"
    assert change.details["source"] == f"file:{path}"

    path.write_text(rules_text("VP"), encoding="utf-8")
    assert b.reload()
    assert (_lead(a), _lead(b)) == ("VP", "VP")


def test_an_invalid_file_on_one_instance_changes_nothing_anywhere(
    tmp_path: Path, engine: Engine
) -> None:
    """GIVEN instances A and B WHEN B's file turns invalid and B reloads THEN it is refused
    and no instance's rules change."""
    a = _instance(tmp_path / "a", engine)
    b = _instance(tmp_path / "b", engine)
    (tmp_path / "b" / "rules.yaml").write_text(rules_text("KHONGCO"), encoding="utf-8")
    assert b.reload() is False
    assert (_lead(a), _lead(b)) == ("VP", "VP")
    assert len(_versions(engine)) == 1
