"""The registry's reading functions behind the console (DESIGN §2: the registry owns the
queries), on SQLite and PostgreSQL: the register's selection by scope and the units in
force of each entry."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from registry.console.documents import IN_CHUNK, units_in_force
from registry.console.register_filter import (
    RegisterCriteria,
    count_matching,
    entry_in_scope,
    matching_entries,
)
from registry.database import read_session, write_session
from registry.models import AssignmentRecord, AssignmentStatus
from tests.registry.test_assignments import HELPER, LEAD, READER, register_routed, routing


def test_units_in_force_leave_out_reassigned_units_across_chunks(engine: Engine) -> None:
    """GIVEN an entry routed to three units, the cooperating one since reassigned
    WHEN its units are read with its id past the first chunk of ids
    THEN the lead and the unit for information are listed by name in routing order."""
    entry_id = register_routed(engine, "u1", routing(LEAD, HELPER, READER))
    with write_session(engine) as session:
        for row in session.query(AssignmentRecord).filter_by(entry_id=entry_id):
            if row.unit_code == HELPER.unit_code:
                row.status = AssignmentStatus.REASSIGNED
    ids = [-n for n in range(1, IN_CHUNK + 5)] + [entry_id]
    with read_session(engine) as session:
        found = units_in_force(session, ids)
    assert found == {entry_id: [LEAD.unit_name, READER.unit_name]}


def test_the_register_selection_keeps_an_officer_to_the_units_documents(engine: Engine) -> None:
    """GIVEN one entry routed to VHTT and one routed to VP only
    WHEN the register is selected for VHTT's officer, for an officer without a unit and
    for a clerk THEN they see the first, none and both (newest first); the count stops at
    its cap; entry_in_scope agrees."""
    ours = register_routed(engine, "s1", routing(LEAD))
    theirs = register_routed(engine, "s2", routing(READER))
    with read_session(engine) as session:
        seen = {
            scope: [e.id for e in matching_entries(session, RegisterCriteria(unit_scope=scope))]
            for scope in (LEAD.unit_code, "", None)
        }
        capped = count_matching(session, RegisterCriteria(), cap=1)
        in_scope = (
            entry_in_scope(session, ours, LEAD.unit_code),
            entry_in_scope(session, theirs, LEAD.unit_code),
            entry_in_scope(session, theirs, None),
        )
    assert seen == {LEAD.unit_code: [ours], "": [], None: [theirs, ours]}
    assert capped == 1
    assert in_scope == (True, False, True)
