"""Rule hit counts kept as rows (``rule_hit``), on SQLite and PostgreSQL: written with the
routing trace in the registering transaction, replaced with it, backfilled by migration 0010
from traces stored before the table existed, and counted by ``/rules`` with one GROUP BY."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.routing.console import RuleStat, rule_stats
from registry.database import make_engine, read_session, upgrade, write_session
from registry.models import RegisterEntry
from registry.queries import get_entry
from registry.recorder import Recorder
from registry.reports.rule_hits import RuleHit, RuleHitCount, rule_hit_counts
from registry.tracking.assignments import RoutingDraft, record_routing
from rules.rulesfile import load_rules
from tests.gateway.pipeline.test_pipeline import envelope
from tests.gateway.routing.test_routing_pipeline import RULES, mail, routed_pipeline, signed
from tests.registry.test_assignments import register_routed
from tests.registry.test_register import entry_draft, inbound_draft
from tests.support.pki import TestPki

TAG_RULE = "UBND thành phố: gắn nhãn"  # stop: false, matches every mail from VP
FIRST = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)


def trace(*matched: str, missed: tuple[str, ...] = ()) -> tuple[dict[str, object], ...]:
    return (
        *({"rule": r, "matched": False, "why": "không có “x” trong trích yếu"} for r in missed),
        *({"rule": r, "matched": True, "why": "trích yếu có “x”"} for r in matched),
    )


def draft(version: str, steps: tuple[dict[str, object], ...]) -> RoutingDraft:
    return RoutingDraft(rules_version=version, trace=steps, facts={})


def hits_of(engine: Engine) -> list[tuple[int, str, str, datetime]]:
    with read_session(engine) as session:
        rows = session.scalars(select(RuleHit).order_by(col(RuleHit.id)))
        return [(r.entry_id, r.rule_name, r.rules_version, r.at) for r in rows]


def counts(engine: Engine) -> dict[str, RuleHitCount]:
    with read_session(engine) as session:
        return rule_hit_counts(session)


def test_hits_and_last_match_after_real_routing_through_the_pipeline(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN the pipeline with a dozen rules WHEN an urgent epidemic document arrives, then a
    budget document a day later THEN rule_hit holds one row per matched rule of each entry's
    trace, and rule_stats counts the tagging rule twice (last match: the budget document's
    receipt), the epidemic and budget rules once each, every other rule zero."""
    pipeline = routed_pipeline(engine, tmp_path, pki)
    epidemic = "phòng, chống dịch bệnh sốt xuất huyết"
    budget = "phân bổ dự toán ngân sách năm 2027"
    pipeline.process("h1", mail(signed(pki, "61", epidemic, "KHẨN"), "61", epidemic), envelope())
    pipeline.process(
        "h2", mail(signed(pki, "62", budget), "62", budget), replace(envelope(), received_at=LATER)
    )
    with read_session(engine) as session:
        entries = list(session.scalars(select(RegisterEntry).order_by(col(RegisterEntry.id))))
        stats = {s.name: s for s in rule_stats(session, load_rules(RULES, "rules.yaml"))}
    assert [e.received_at for e in entries] == [envelope().received_at, LATER]
    expected = [
        (e.id, step["rule"], e.rules_version, e.received_at)
        for e in entries
        for step in e.routing_trace
        if step["matched"]
    ]
    assert hits_of(engine) == expected
    assert [name for _, name, _, _ in expected] == [
        TAG_RULE,
        "Dịch bệnh khẩn",
        TAG_RULE,
        "Ngân sách",
    ]
    assert stats[TAG_RULE] == RuleStat(1, TAG_RULE, True, False, 2, LATER)
    assert (stats["Dịch bệnh khẩn"].hits, stats["Dịch bệnh khẩn"].last_match) == (
        1,
        envelope().received_at,
    )
    assert (stats["Ngân sách"].hits, stats["Ngân sách"].last_match) == (1, LATER)
    others = [s for n, s in stats.items() if n not in (TAG_RULE, "Dịch bệnh khẩn", "Ngân sách")]
    assert others and all(s.hits == 0 and s.last_match is None for s in others)


def test_a_re_route_replaces_the_entrys_hits_with_its_trace(engine: Engine) -> None:
    """GIVEN an entry routed by rules A and B, and another entry routed by A
    WHEN the first entry is routed again (rules v2) and only C matches
    THEN its A and B rows are gone and C's row carries v2, the other entry's row stays:
    A counts 1, B none, C 1."""
    first = register_routed(engine, "r1", draft("v1", trace("A", "B", missed=("C",))))
    second = register_routed(engine, "r2", draft("v1", trace("A")))
    with write_session(engine) as session:
        recorder = Recorder(session, now=LATER)
        entry = session.get_one(RegisterEntry, first)
        record_routing(recorder, entry, draft("v2", trace("C", missed=("A", "B"))))
    received = entry_draft().received_at
    assert sorted(hits_of(engine)) == [
        (first, "C", "v2", received),
        (second, "A", "v1", received),
    ]
    assert {n: c.hits for n, c in counts(engine).items()} == {"A": 1, "C": 1}


def test_hits_roll_back_with_the_registering_transaction(engine: Engine) -> None:
    """GIVEN a registration whose transaction fails after the routing was written
    THEN neither the entry nor its rule hits remain."""
    with pytest.raises(RuntimeError), write_session(engine) as session:
        recorder = Recorder(session, now=FIRST)
        number = recorder.add_entry(recorder.add_inbound(inbound_draft("x1")), entry_draft())
        record_routing(
            recorder, get_entry(session, number.year, number.number), draft("v1", trace("A"))
        )
        session.flush()
        raise RuntimeError("the disk is full")
    assert hits_of(engine) == []


def test_migration_0010_backfills_hits_from_stored_traces(database_url: str) -> None:
    """GIVEN a register at revision 0009 with three entries: two whose traces matched rules
    (one matched two), one never routed WHEN migrated to head THEN rule_hit holds one row per
    matched step, dated by the entry's receipt, with its rules version; counts and last match
    are what the traces say."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0009")
        traces = {
            "54/UBND-VP": (FIRST, "v1", trace("Mặc định", missed=("Ngân sách",))),
            "55/UBND-VP": (LATER, "v2", trace("Gắn nhãn", "Ngân sách")),
            "56/UBND-VP": (LATER + timedelta(hours=1), "", ()),
        }
        ids: dict[str, int] = {}
        # A plain session: write_session also keeps report_fact, a table made after 0009.
        with Session(engine) as session, session.begin():
            recorder = Recorder(session, now=FIRST)
            for i, (number, (at, version, steps)) in enumerate(traces.items()):
                inbound = recorder.add_inbound(inbound_draft(f"m{i}", received_at=at))
                made = recorder.add_entry(  # no attachment: its table grew after 0009
                    inbound, entry_draft(received_at=at, document_number=number, attachments=())
                )
                entry = get_entry(session, made.year, made.number)
                entry.rules_version, entry.routing_trace = version, list(steps)
                session.flush()
                assert entry.id is not None
                ids[number] = entry.id
        upgrade(engine)
        assert sorted(hits_of(engine)) == sorted(
            [
                (ids["54/UBND-VP"], "Mặc định", "v1", FIRST),
                (ids["55/UBND-VP"], "Gắn nhãn", "v2", LATER),
                (ids["55/UBND-VP"], "Ngân sách", "v2", LATER),
            ]
        )
        assert counts(engine) == {
            "Mặc định": RuleHitCount("Mặc định", 1, FIRST),
            "Gắn nhãn": RuleHitCount("Gắn nhãn", 1, LATER),
            "Ngân sách": RuleHitCount("Ngân sách", 1, LATER),
        }
        with read_session(engine) as session:
            assert session.scalar(select(func.count()).select_from(RuleHit)) == 3
    finally:
        engine.dispose()
