"""Held and quarantined mail in the console (DESIGN §4.4): a person decides,
the sender is answered exactly once, and the decision is audited with the person's name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from gateway.clerk.quarantine import record_quarantined
from gateway.cli.main import main
from gateway.pipeline.worker import Worker
from registry.database import read_session, write_session
from registry.models import InboundMessage, Outcome
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, envelope, make_console
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Revocation 'hard-fail' with no revocation data: a signed document is held."""
    console = make_console(tmp_path / "d", pki, database_url, GATEWAY_TRUST__REVOCATION="hard-fail")
    yield console
    console.close()


def held_mail(console: InProcessConsole, signed_pdf: bytes) -> int:
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    console.receive(raw)
    with read_session(console.components.engine) as session:
        [held] = session.scalars(select(InboundMessage)).all()
    assert held.outcome == Outcome.HELD and held.id is not None
    return held.id


def outcome_of(console: InProcessConsole, inbound_id: int) -> str | None:
    with read_session(console.components.engine) as session:
        row = session.get(InboundMessage, inbound_id)
        return None if row is None else row.outcome


def test_clerk_rejects_held_mail_and_the_sender_gets_the_reason_once(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a message held because its signatures could not be decided
    WHEN a clerk opens /held and rejects it with a reason
    THEN the page showed why (reason, signature verdicts, trace); the record is rejected;
    one rejection carrying the reason goes to the sender; the audit names the clerk; a
    second rejection is refused (409), not answered twice."""
    inbound_id = held_mail(console, signed_pdf)
    with console.signed_in("vanthu") as client:
        page = client.get("/held")
        assert page.status_code == 200
        assert f'action="/held/{inbound_id}/reject"' in page.text
        assert "Thư tạm giữ chờ văn thư quyết định (1)" in page.text
        assert "signature-indeterminate" in page.text  # the reason's option value
        assert 'class="signature verdict-indeterminate"' in page.text
        assert "Thư cách ly chờ quản trị" not in page.text  # administrators only
        form = {"csrf_token": csrf(page.text), "reason": "signature-indeterminate"}
        done = client.post(f"/held/{inbound_id}/reject", data={**form, "note": "đã gọi điện"})
        assert done.status_code == 303
        assert client.get(done.headers["location"]).text.count("Đã từ chối và gửi thư") == 1
        again = client.post(f"/held/{inbound_id}/reject", data=form)
        assert again.status_code == 409
    assert outcome_of(console, inbound_id) == Outcome.REJECTED
    with read_session(console.components.engine) as session:
        rejected = session.get(InboundMessage, inbound_id)
    assert rejected is not None
    assert rejected.trace[-1]["why"] == "vanthu từ chối thư đang tạm giữ: đã gọi điện"
    [rejection] = console.outbox("rejection")
    mail = message_from_bytes(rejection.raw)
    assert rejection.recipient == AGENCY
    assert mail["X-Reject-Reasons"] == "signature-indeterminate"
    assert mail["X-Document-Status"] == "02"
    [event] = console.audit("held.")
    assert (event.action, event.actor, event.details["note"]) == (
        "held.reject",
        "vanthu",
        "đã gọi điện",
    )


def test_reprocessed_held_mail_is_decided_afresh_once_revocation_is_settled(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a held message WHEN an administrator chooses "reprocess" and the gateway then
    runs with revocation checking settled (soft-fail) THEN the held record is gone, the
    message is registered and answered with one receipt, and the audit names the admin."""
    inbound_id = held_mail(console, signed_pdf)
    with console.signed_in("quantri") as client:
        token = csrf(client.get("/held").text)
        assert (
            client.post(f"/held/{inbound_id}/reprocess", data={"csrf_token": token}).status_code
            == 303
        )
    assert outcome_of(console, inbound_id) is None
    [waiting] = console.components.spool.waiting()
    settled = console.rebuilt(GATEWAY_TRUST__REVOCATION="soft-fail")
    result = Worker(settled.spool, settled.pipeline, 5).run_once()
    assert result
    with read_session(settled.engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
    assert (inbound.spool_id, inbound.outcome) == (waiting, Outcome.ACCEPTED)
    assert len(console.outbox("receipt")) == 1
    [event] = console.audit("held.")
    assert (event.action, event.actor) == ("held.reprocess", "quantri")


def test_clerk_accepts_held_mail_and_it_is_registered_with_the_release_in_its_trace(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a message held because its signatures could not be decided (revocation data
    missing under hard-fail) WHEN a clerk chooses "Chấp nhận và vào sổ" and the worker runs
    with the SAME settings THEN the document is registered with a number, the sender gets
    one receipt, the trace names the clerk's release and what held it, and the audit names
    the clerk: the person's decision, not a changed setting, let it in."""
    inbound_id = held_mail(console, signed_pdf)
    with console.signed_in("vanthu") as client:
        page = client.get("/held")
        assert f'action="/held/{inbound_id}/accept"' in page.text
        done = client.post(f"/held/{inbound_id}/accept", data={"csrf_token": csrf(page.text)})
        assert done.status_code == 303
        assert "Đã chấp nhận thư tạm giữ" in client.get(done.headers["location"]).text
    assert outcome_of(console, inbound_id) is None
    components = console.components
    assert Worker(components.spool, components.pipeline, 5).run_once()
    with read_session(components.engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
    assert inbound.outcome == Outcome.ACCEPTED
    [released] = [t for t in inbound.trace if t["rule"] == "released"]
    assert (
        released["why"]
        == "bị tạm giữ (chưa xác định được tính hợp lệ của chữ ký số); vanthu đã chấp nhận"
    )
    [receipt] = console.outbox("receipt")
    assert message_from_bytes(receipt.raw)["X-Document-Status"] == "03"
    [event] = console.audit("held.")
    assert (event.action, event.actor) == ("held.release", "vanthu")


def test_secret_marked_held_mail_is_for_administrators_only(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a held message recorded with the secret-document reason
    WHEN a clerk lists held mail or posts a decision on it THEN it is not listed and the
    decision is refused (404); an administrator sees it."""
    inbound_id = held_mail(console, signed_pdf)
    with write_session(console.components.engine) as session:
        session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.id) == inbound_id)
            .values(reasons=["secret-document"], subject="")
        )
    with console.signed_in("vanthu") as client:
        page = client.get("/held")
        assert f"/held/{inbound_id}/reject" not in page.text
        refused = client.post(
            f"/held/{inbound_id}/reject",
            data={"csrf_token": csrf(page.text), "reason": "secret-document"},
        )
        assert refused.status_code == 404
    with console.signed_in("quantri") as client:
        assert f"/held/{inbound_id}/reject" in client.get("/held").text
    assert outcome_of(console, inbound_id) == Outcome.HELD


def test_officers_may_not_open_held_mail_and_forms_need_their_token(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a held message WHEN an officer opens /held, or a clerk posts a decision
    without the CSRF token THEN 403 both times, and the message stays held."""
    inbound_id = held_mail(console, signed_pdf)
    with console.signed_in("chuyenvien") as client:
        assert client.get("/held").status_code == 403
    with console.signed_in("vanthu") as client:
        forged = client.post(f"/held/{inbound_id}/reject", data={"reason": "unsigned"})
        assert forged.status_code == 403
    assert outcome_of(console, inbound_id) == Outcome.HELD


def test_administrator_rejects_a_quarantined_item_and_is_audited_by_name(
    console: InProcessConsole,
) -> None:
    """GIVEN a spool item quarantined after repeated failures
    WHEN the administrator sees it on /held and rejects it THEN the sender gets one
    rejection with that reason, the item leaves quarantine, the audit names the admin;
    a clerk may not decide quarantined items (403)."""
    spool = console.components.spool
    item_id = spool.put(official_mail(sender=AGENCY), envelope())
    spool.quarantine(spool.claim_id(item_id), "gave up after 5 failed attempts: OperationalError")
    record_quarantined(console.components.engine, item_id, envelope(), "gave up after 5 attempts")
    with console.signed_in("vanthu") as client:
        token = csrf(client.get("/held").text)
        refused = client.post(
            f"/quarantine/{item_id}/reject", data={"csrf_token": token, "reason": "unsigned"}
        )
        assert refused.status_code == 403
    with console.signed_in("quantri") as client:
        page = client.get("/held")
        assert "gave up after 5 failed attempts" in page.text
        form = {"csrf_token": csrf(page.text), "reason": "malformed-message"}
        assert client.post(f"/quarantine/{item_id}/reject", data=form).status_code == 303
        assert "Không có thư nào trong khu cách ly." in client.get("/held").text
    assert spool.quarantined() == []
    [rejection] = console.outbox("rejection")
    assert message_from_bytes(rejection.raw)["X-Reject-Reasons"] == "malformed-message"
    [event] = console.audit("quarantine.")
    assert (event.action, event.actor) == ("quarantine.reject", "quantri")


def test_gateway_held_commands_decide_like_the_console(
    console: InProcessConsole,
    signed_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a held message WHEN ``gateway held list`` then ``gateway held reject ID
    --reason …`` run THEN the list shows it with its reason, the sender gets one
    rejection, and the audit event's actor is the OS user (not "system")."""
    inbound_id = held_mail(console, signed_pdf)
    monkeypatch.setenv("GATEWAY_GATEWAY__DATABASE_URL", console.database_url)
    config = str(console.config)
    assert main(["held", "list", "--json", "-c", config]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["id"], row["reasons"]) == (inbound_id, ["signature-indeterminate"])
    reject = ["held", "reject", str(inbound_id), "--reason", "signature-indeterminate"]
    assert main([*reject, "--json", "-c", config]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is True
    assert len(console.outbox("rejection")) == 1
    [event] = console.audit("held.")
    assert event.action == "held.reject" and event.actor not in {"", "system"}
