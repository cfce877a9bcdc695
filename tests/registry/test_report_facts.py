"""The monthly report's facts (``report_fact``) follow the register, whatever changes it.

Each test compares the rows kept by the write sessions with the rows rebuilt from the
source tables (``rewrite_all``, the same definitions the migration filled them with): a
change a session missed leaves a row that differs from its rebuild.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from registry.database import alembic_config, read_session, upgrade, write_session
from registry.drafts import OutboxDraft, SignatureDraft
from registry.models import (
    AssignmentRecord,
    AuditEvent,
    InboundMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.recorder import Recorder
from registry.reports import facts
from registry.reports.facts import ReportFact, rewrite_all
from tests.registry.test_register import entry_draft, inbound_draft
from tests.registry.test_reporting import assign, build_register

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def kept_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with read_session(engine) as session:
        table = ReportFact.__table__  # type: ignore[attr-defined]
        return [tuple(row) for row in session.execute(select(table).order_by(table.c.entry_id))]


def rebuilt_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """The rows rebuilt from the source tables, in a transaction rolled back after."""
    with read_session(engine) as session:
        rewrite_all(session)
        table = ReportFact.__table__  # type: ignore[attr-defined]
        rows = [tuple(row) for row in session.execute(select(table).order_by(table.c.entry_id))]
        session.rollback()
        return rows


def _entries(session: Session) -> list[RegisterEntry]:
    return list(session.scalars(select(RegisterEntry).order_by(col(RegisterEntry.id))))


def _id(entry: RegisterEntry) -> int:
    assert entry.id is not None
    return entry.id


def _leads(session: Session, entry: RegisterEntry) -> list[AssignmentRecord]:
    return list(
        session.scalars(
            select(AssignmentRecord)
            .where(col(AssignmentRecord.entry_id) == entry.id, col(AssignmentRecord.role) == "lead")
            .order_by(col(AssignmentRecord.id))
        )
    )


def test_r_monthly_facts_follow_every_kind_of_change(engine: Engine) -> None:
    """GIVEN a register written through the Recorder and assignment rows
    WHEN, in later transactions, a lead is done, a lead is reassigned to another unit, a
    receipt is sent late, an invalid signature is added, the sender agency and urgency of
    an entry are corrected, and a registration event is recorded
    THEN after each, the kept rows equal the rows rebuilt from the register, and the
    changes show in them."""
    build_register(engine, seed=3, count=30)
    assert kept_rows(engine) == rebuilt_rows(engine)
    with read_session(engine) as session:
        led = [entry for entry in _entries(session) if _leads(session, entry)]
        plain = [entry for entry in _entries(session) if not _leads(session, entry)]
    done_entry, moved_entry, edited_entry = _id(led[0]), _id(led[1]), _id(led[2])
    unassigned = _id(plain[0])

    with write_session(engine) as session:  # the lead is done
        lead = _leads(session, session.get_one(RegisterEntry, done_entry))[-1]
        lead.status, lead.done_at = "done", NOW
    with write_session(engine) as session:  # reassigned: a new lead in another unit
        moved = session.get_one(RegisterEntry, moved_entry)
        for lead in _leads(session, moved):
            lead.status = "reassigned"
        assign(session, moved, ("NV", "Phòng Nội vụ"), "lead", created_at=NOW)
    with write_session(engine) as session:  # a late receipt and an invalid signature
        entry = session.get_one(RegisterEntry, edited_entry)
        recorder = Recorder(session, now=NOW)
        recorder.add_outbox(
            session.get_one(InboundMessage, entry.inbound_id),
            OutboxDraft("receipt", "<late@gw>", "gw@x", "a@x", b"x"),
        )
        session.add(
            SignatureResult(
                inbound_id=entry.inbound_id,
                entry_id=entry.id,
                document_sha256="d",
                position=9,
                field_name="Signature9",
                verdict="invalid",
            )
        )
        entry.sender_agency_code, entry.urgency = "STC", "khan"
    with write_session(engine) as session:
        session.add(AuditEvent(at=NOW, actor="x", action="entry.registered", entry_id=unassigned))
    assert kept_rows(engine) == rebuilt_rows(engine)

    with read_session(engine) as session:
        row = {r.entry_id: r for r in session.scalars(select(ReportFact))}
    assert row[done_entry].done_at == NOW
    assert (row[moved_entry].unit_code, row[moved_entry].done_at) == ("NV", None)
    edited = row[edited_entry]
    assert (edited.agency_code, edited.urgency, edited.signed_valid) == ("STC", "khan", False)
    assert row[unassigned].registered_at is not None


def test_r_monthly_facts_of_a_new_entry_and_its_signatures(engine: Engine) -> None:
    """GIVEN an entry registered with one valid and one invalid signature
    THEN its row says it is not signed valid, and an entry with one valid signature is."""
    received = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    ids: list[int] = []
    for spool, verdicts in (("mixed", ("valid", "invalid")), ("valid", ("valid",))):
        with write_session(engine) as session:
            recorder = Recorder(session, now=received + timedelta(minutes=5))
            inbound = recorder.add_inbound(inbound_draft(spool, received_at=received))
            signatures = tuple(
                SignatureDraft("Signature1", "Bùi Trung Thực", "UBND", None, verdict)
                for verdict in verdicts
            )
            number = recorder.add_entry(
                inbound, entry_draft(received_at=received, signatures=signatures)
            )
            ids.append(
                _id(
                    session.scalars(
                        select(RegisterEntry).where(
                            col(RegisterEntry.incoming_number) == number.number
                        )
                    ).one()
                )
            )
    with read_session(engine) as session:
        valid = {r.entry_id: r.signed_valid for r in session.scalars(select(ReportFact))}
        registered = session.get_one(ReportFact, ids[0]).registered_at
    assert [valid[i] for i in ids] == [False, True]
    assert registered == received + timedelta(minutes=5)
    assert kept_rows(engine) == rebuilt_rows(engine)


def test_the_migration_fills_the_facts_of_an_existing_register(engine: Engine) -> None:
    """GIVEN a register kept by the sessions
    WHEN the database goes back to the revision before the facts and up again
    THEN the migration has filled the same rows as the sessions kept."""
    build_register(engine, seed=5, count=25)
    kept = kept_rows(engine)
    assert len(kept) == 25
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0020")
    upgrade(engine)
    assert kept_rows(engine) == kept


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_transactions_changing_one_entry_both_show(engine: Engine) -> None:
    """GIVEN a transaction that has marked an entry's lead done and rewritten its facts,
    not yet committed
    WHEN a second transaction corrects the entry's sender agency meanwhile, and commits
    THEN the second waits for the first, and the entry's row shows both changes (not the
    second's stale view of the lead, and no duplicate-key failure)."""
    build_register(engine, seed=3, count=12)
    with read_session(engine) as session:
        entry_id = session.scalars(  # led and open
            select(col(ReportFact.entry_id))
            .where(col(ReportFact.unit_code).is_not(None), col(ReportFact.done_at).is_(None))
            .where(col(ReportFact.agency_code).is_distinct_from("STC"))
        ).first()
        assert entry_id is not None
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with write_session(engine) as session:
                session.get_one(RegisterEntry, entry_id).sender_agency_code = "STC"
        except BaseException as exc:  # reported below
            failures.append(exc)

    thread = threading.Thread(target=second)
    with Session(engine) as first, first.begin():
        lead = _leads(first, first.get_one(RegisterEntry, entry_id))[-1]
        lead.status, lead.done_at = "done", NOW
        first.flush()
        facts.rewrite(first, [entry_id])  # what its commit does first
        thread.start()
        thread.join(timeout=1.5)
        assert thread.is_alive(), "the second transaction did not wait for the first"
    thread.join(timeout=30)
    assert not failures, failures
    with read_session(engine) as session:
        row = session.get_one(ReportFact, entry_id)
    assert (row.done_at, row.agency_code) == (NOW, "STC")
    assert kept_rows(engine) == rebuilt_rows(engine)
