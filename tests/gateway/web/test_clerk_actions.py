"""Clerk actions on the document page (DESIGN §4.6): assign and reassign with the routed
copy queued in the same transaction, correct a field with the old value kept, add a note."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.routing.in_force import rules_path
from registry.database import read_session
from registry.models import AssignmentRecord, RegisterEntry
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console, session_csrf
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

DEFAULT_THEN = 'then: {lead: VP, deadline: "by next working morning"}'
HOLD_THEN = 'then: {hold: "Văn thư phân công thủ công"}'
DUE = date(2026, 12, 15)


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One registered document that the rules leave to the clerk (held, not routed)."""
    root = tmp_path / "d"
    console = make_console(root, pki, database_url)
    path = rules_path(console.components.deployment)
    text = path.read_text(encoding="utf-8")
    assert DEFAULT_THEN in text
    path.write_text(text.replace(DEFAULT_THEN, HOLD_THEN), encoding="utf-8")
    assert console.components.router is not None and console.components.router.reload()
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    yield console
    console.close()


def assignments(console: InProcessConsole) -> list[AssignmentRecord]:
    with read_session(console.components.engine) as session:
        query = select(AssignmentRecord).order_by(col(AssignmentRecord.id))
        return list(session.scalars(query))


def page_of(entry: RegisterEntry) -> str:
    return f"/register/{entry.year}/{entry.incoming_number}"


def test_clerk_assigns_a_document_to_a_unit_and_the_routed_copy_is_in_the_outbox(
    console: InProcessConsole,
) -> None:
    """GIVEN a registered document nobody was assigned to WHEN a clerk assigns it on its
    page to Phòng Tư pháp as lead with a deadline THEN the assignment row, the routed copy
    to the unit's mailbox (the document attached) and the 04 status notice to the sender
    exist; the entry is 'assigned'; the audit and the page name the clerk."""
    entry = console.the_entry()
    assert (entry.status, assignments(console), console.outbox("routed-copy")) == (
        "registered",
        [],
        [],
    )
    with console.signed_in("vanthu") as client:
        page = client.get(page_of(entry))
        assert 'action="' + page_of(entry) + '/assign"' in page.text
        form = {"csrf_token": csrf(page.text), "unit": "TP", "role": "lead", "due": DUE.isoformat()}
        done = client.post(page_of(entry) + "/assign", data=form)
        assert done.status_code == 303
        after = client.get(page_of(entry)).text
    [assignment] = assignments(console)
    zone = console.components.deployment.zone
    assert (assignment.unit_code, assignment.role, assignment.mailbox) == (
        "TP",
        "lead",
        "tuphap@example.gov.vn",
    )
    assert assignment.due_at == datetime(2026, 12, 15, 17, 0, tzinfo=zone)
    [copy] = console.outbox("routed-copy")
    assert copy.recipient == "tuphap@example.gov.vn"
    assert copy.message_id == assignment.routed_message_id
    assert any(p.get_filename() == "cv.pdf" for p in message_from_bytes(copy.raw).walk())
    [notice] = console.outbox("status")
    assert (notice.recipient, message_from_bytes(notice.raw)["X-Document-Status"]) == (
        AGENCY,
        "04",
    )
    assert console.the_entry().status == "assigned"
    [event] = console.audit("assignment.")
    assert (event.action, event.actor, event.details["unit"]) == (
        "assignment.assigned",
        "vanthu",
        "TP",
    )
    assert "vanthu: Phân công xử lý Phòng Tư pháp" in after  # the unit by its name


def test_clerk_reassigns_the_lead_to_another_unit_with_its_own_copy(
    console: InProcessConsole,
) -> None:
    """GIVEN a document assigned to Văn phòng as lead WHEN the clerk moves it to Phòng Nội
    vụ THEN the first assignment is 'reassigned', the new one is lead with the same
    deadline, a routed copy goes to Nội vụ, and a second lead cannot be added (409)."""
    entry = console.the_entry()
    with console.signed_in("vanthu") as client:
        token = csrf(client.get(page_of(entry)).text)
        first = {"csrf_token": token, "unit": "VP", "role": "lead", "due": DUE.isoformat()}
        assert client.post(page_of(entry) + "/assign", data=first).status_code == 303
        [vp] = assignments(console)
        move = {"csrf_token": token, "assignment": str(vp.id), "unit": "NV"}
        assert client.post(page_of(entry) + "/reassign", data=move).status_code == 303
        second_lead = {"csrf_token": token, "unit": "TP", "role": "lead"}
        refused = client.post(page_of(entry) + "/assign", data=second_lead)
        assert refused.status_code == 409
        assert "đã có đơn vị chủ trì" in refused.text
    old, new = assignments(console)
    assert (old.unit_code, old.status) == ("VP", "reassigned")
    assert (new.unit_code, new.role, new.status, new.due_at) == (
        "NV",
        "lead",
        "assigned",
        old.due_at,
    )
    recipients = sorted(m.recipient for m in console.outbox("routed-copy"))
    assert recipients == ["noivu@example.gov.vn", "vanphong@example.gov.vn"]
    assert [e.action for e in console.audit("assignment.")] == [
        "assignment.assigned",
        "assignment.reassigned",
    ]


def test_clerk_corrects_a_field_and_the_old_value_stays_in_the_audit_trail(
    console: InProcessConsole,
) -> None:
    """GIVEN a registered document WHEN the clerk corrects its summary and adds a note
    THEN the register holds the new summary (and search finds its words), the audit event
    keeps the old value beside the new one, and the history shows both actions."""
    entry = console.the_entry()
    old_summary = entry.summary
    new_summary = "chấn chỉnh công tác lưu trữ hồ sơ điện tử"
    with console.signed_in("vanthu") as client:
        token = csrf(client.get(page_of(entry)).text)
        correction = {"csrf_token": token, "field": "summary", "value": new_summary}
        assert client.post(page_of(entry) + "/correct", data=correction).status_code == 303
        note = {"csrf_token": token, "text": "Đã gọi điện xác nhận với nơi gửi."}
        assert client.post(page_of(entry) + "/note", data=note).status_code == 303
        page = client.get(page_of(entry)).text
        found = client.get("/register", params={"q": "luu tru ho so"}).text
    assert console.the_entry().summary == new_summary
    [corrected] = console.audit("entry.corrected")
    assert corrected.actor == "vanthu"
    assert corrected.details == {"field": "summary", "before": old_summary, "after": new_summary}
    assert "Ghi chú: Đã gọi điện xác nhận với nơi gửi." in page
    assert f"“{old_summary}” → “{new_summary}”" in page
    assert page_of(entry) in found


def test_only_clerks_and_administrators_act_and_every_form_needs_its_token(
    console: InProcessConsole,
) -> None:
    """GIVEN a document WHEN an officer posts an assignment, or a clerk posts one without
    the CSRF token THEN 403 both times and nothing is assigned; the officer's page has no
    clerk forms."""
    entry = console.the_entry()
    with console.signed_in("quantri") as admin:
        assert "Thao tác của văn thư" in admin.get(page_of(entry)).text
    with console.signed_in("vanthu") as client:
        forged = client.post(page_of(entry) + "/assign", data={"unit": "TP", "role": "lead"})
        assert forged.status_code == 403
    with console.signed_in("chuyenvien") as officer:
        token = session_csrf(officer)
        form = {"csrf_token": token, "unit": "TP", "role": "lead"}
        assert officer.post(page_of(entry) + "/assign", data=form).status_code == 403
    assert assignments(console) == []
