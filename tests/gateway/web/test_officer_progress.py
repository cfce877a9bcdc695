"""Officers act in the console (R-TRACK) and see their to-do list (R-FOLLOW): the buttons
make the same transitions and the same 05/06 notices as the reply keywords."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway.web.inprocess import (
    AGENCY,
    InProcessConsole,
    routed_to_vp,
    session_csrf,
)
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One document the sample rules route to Văn phòng (VP), and an officer of VP."""
    with routed_to_vp(tmp_path / "d", pki, database_url, signed_pdf) as console:
        yield console


def test_r_track_an_officer_reports_progress_with_buttons_and_the_sender_hears_05_then_06(
    console: InProcessConsole,
) -> None:
    """GIVEN a document routed to VP and VP's officer signed in
    WHEN the dashboard is opened, then "Đang xử lý", then "Hoàn thành" are pressed on the
    document's progress page
    THEN the to-do list names the document; the entry goes in_progress then done, the
    sender gets the 05 then the 06 notice, and the audit trail names the officer."""
    entry = console.the_entry()
    page = f"/register/{entry.year}/{entry.incoming_number}/progress"
    with console.signed_in("chuyenvien.vp") as client:
        board = client.get("/dashboard")
        assert board.status_code == 200
        assert "Việc cần làm" in board.text
        assert f"Số đến {entry.incoming_number}/{entry.year}" in board.text
        shown = client.get(page)
        assert shown.status_code == 200
        assert "Đang xử lý" in shown.text and "Trả lại" in shown.text
        assignment = shown.text.split('name="assignment" value="')[1].split('"')[0]
        token = session_csrf(client)
        for intent in ("in_progress", "done"):
            answer = client.post(
                page, data={"csrf_token": token, "assignment": assignment, "intent": intent}
            )
            assert answer.status_code == 303, answer.text
    assert console.the_entry().status == "done"
    notices = console.outbox("status")
    assert [n.recipient for n in notices] == [AGENCY, AGENCY]
    assert [b"X-Document-Status: 05" in n.raw for n in notices] == [True, False]
    assert b"X-Document-Status: 06" in notices[1].raw
    actors = {e.actor for e in console.audit("assignment.")}
    assert "chuyenvien.vp" in actors


def test_an_officer_of_another_unit_cannot_act_and_a_return_needs_a_reason(
    console: InProcessConsole,
) -> None:
    """GIVEN the document routed to VP
    WHEN PTP's officer opens its progress page, and VP's officer presses "Trả lại" without
    a reason
    THEN the first gets 403; the second is told in Vietnamese and nothing changes."""
    entry = console.the_entry()
    page = f"/register/{entry.year}/{entry.incoming_number}/progress"
    with console.signed_in("chuyenvien") as client:
        assert client.get(page).status_code == 403
    with console.signed_in("chuyenvien.vp") as client:
        shown = client.get(page)
        assignment = shown.text.split('name="assignment" value="')[1].split('"')[0]
        answer = client.post(
            page,
            data={"csrf_token": session_csrf(client), "assignment": assignment, "intent": "return"},
        )
        assert answer.status_code == 409
        assert "Hãy ghi lý do trả lại văn bản." in answer.text
    assert console.the_entry().status == "assigned"
    assert console.outbox("status") == []
