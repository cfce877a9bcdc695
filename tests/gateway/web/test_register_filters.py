"""The register page's unit and overdue filters (DESIGN §4.6), on SQLite and PostgreSQL: the
page, the XLSX export and the query itself select the same documents."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import col

from gateway.clerk.accounts import Person
from gateway.web.register.filters import RegisterFilters, filtered_query
from registry.console.accounts import Role
from registry.database import read_session, write_session
from registry.models import AssignmentStatus, RegisterEntry
from registry.tracking.assignments import AssignmentDraft, new_assignment
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, make_console
from tests.support.documents import numbered_document_pdf
from tests.support.messages import official_mail
from tests.support.pki import TestPki

NOW = datetime.now(UTC)
PAST = NOW - timedelta(days=2)
FUTURE = NOW + timedelta(days=30)
# Beside the routing stage's own assignment (VP, lead, deadline ahead), each document gets:
EXTRA = {
    1: [("TP", AssignmentStatus.IN_PROGRESS, PAST)],  # open and late: overdue
    2: [
        ("TNMT", AssignmentStatus.REASSIGNED, PAST),  # moved away: neither TNMT's nor late
        ("GDDT", AssignmentStatus.RETURNED, PAST),  # given back: not late
        ("NV", AssignmentStatus.ASSIGNED, FUTURE),  # open, deadline ahead
    ],
    3: [("TP", AssignmentStatus.DONE, PAST)],  # TP's, finished: not late
}
CLERK = Person("vanthu", "vanthu", Role.CLERK, None)


@pytest.fixture
def register(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Three registered documents (numbers 1–3) with the assignments of ``EXTRA``."""
    console = make_console(tmp_path / "d", pki, database_url)
    for number in EXTRA:
        pdf = numbered_document_pdf(number)
        console.receive(
            official_mail(sender=AGENCY, attachments=[(f"{number}.pdf", pdf, "application/pdf")])
        )
    with write_session(console.components.engine) as session:
        for entry in session.scalars(select(RegisterEntry)):
            for unit, status, due in EXTRA[entry.incoming_number]:
                draft = AssignmentDraft(unit, f"Đơn vị {unit}", "cooperate", "u@example.gov.vn")
                row = new_assignment(entry, replace(draft, due_at=due), NOW)
                row.status = status
                session.add(row)
    yield console
    console.close()


def numbers_found(console: InProcessConsole, filters: RegisterFilters) -> list[int]:
    with read_session(console.components.engine) as session:
        query = filtered_query(session, CLERK, filters, NOW)
        return sorted(e.incoming_number for e in session.scalars(query))


def test_unit_filter_keeps_documents_assigned_to_the_unit_but_not_reassigned_away(
    register: InProcessConsole,
) -> None:
    """GIVEN documents 1 and 3 assigned to TP, document 2 reassigned away from TNMT, all
    three to VP WHEN the register is filtered by unit THEN TP → 1 and 3, TNMT → none,
    VP → all three, an unknown unit → none."""
    found = {
        unit: numbers_found(register, RegisterFilters(unit=unit))
        for unit in ("TP", "TNMT", "VP", "XX")
    }
    assert found == {"TP": [1, 3], "TNMT": [], "VP": [1, 2, 3], "XX": []}


def test_overdue_filter_keeps_documents_with_an_open_assignment_past_its_deadline(
    register: InProcessConsole,
) -> None:
    """GIVEN document 1 with an in-progress assignment two days late, document 2 with late
    ones that were reassigned or returned, document 3 with a late one that is done
    WHEN the register is filtered on overdue THEN only document 1; with unit NV (open,
    deadline ahead) nothing; and once "now" is past NV's deadline, document 2 too."""
    assert numbers_found(register, RegisterFilters(overdue=True)) == [1]
    assert numbers_found(register, RegisterFilters(overdue=True, unit="NV")) == []
    with read_session(register.components.engine) as session:
        later = filtered_query(
            session, CLERK, RegisterFilters(overdue=True, unit="NV"), FUTURE + timedelta(days=1)
        )
        assert [e.incoming_number for e in session.scalars(later)] == [2]


def _listed(html: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'href="/register/\d+/(\d+)"', html))


def test_page_and_export_apply_unit_and_overdue_and_offer_the_units(
    register: InProcessConsole,
) -> None:
    """GIVEN the three documents WHEN a clerk opens /register?unit=TP, ?overdue=1 and the
    XLSX export with the same filters THEN the page lists 1 and 3, then 1; the export has
    the same rows; the unit choice offers the rules file's units by name, the overdue box
    stays ticked, and the export form carries both filters."""
    with register.signed_in("vanthu") as client:
        by_unit = client.get("/register", params={"unit": "TP"})
        overdue = client.get("/register", params={"overdue": "1"})
        sheet_unit = client.get("/register/export.xlsx", params={"unit": "TP", "col": "number"})
        sheet_late = client.get("/register/export.xlsx", params={"overdue": "on", "col": "number"})
    assert _listed(by_unit.text) == [1, 3]
    assert _listed(overdue.text) == [1]
    assert '<option value="TP" selected>Phòng Tư pháp (TP)</option>' in by_unit.text
    assert 'id="overdue" name="overdue" type="checkbox" value="1" checked' in overdue.text
    assert '<input type="hidden" name="unit" value="TP">' in by_unit.text
    assert '<input type="hidden" name="overdue" value="1">' in overdue.text
    year = NOW.year

    def rows(response: httpx.Response) -> list[object]:
        book = load_workbook(io.BytesIO(response.content))
        return [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]

    assert rows(sheet_unit) == [f"3/{year}", f"1/{year}"]
    assert rows(sheet_late) == [f"1/{year}"]


def test_an_officer_filtering_by_another_unit_sees_nothing_of_it(
    register: InProcessConsole,
) -> None:
    """GIVEN the officer of unit PTP (no document is PTP's) WHEN they filter by unit TP
    THEN nothing is listed: the unit filter narrows their scope, never widens it."""
    with register.signed_in("chuyenvien") as client:
        page = client.get("/register", params={"unit": "TP"})
    assert page.status_code == 200
    assert _listed(page.text) == []
    with read_session(register.components.engine) as session:
        everything = session.scalars(select(col(RegisterEntry.id))).all()
    assert len(everything) == 3  # there was something to see
