"""``gateway quarantine list / show / reprocess / release / reject``: every quarantined item
ends answered exactly once, and every action is in the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.clerk.quarantine import list_quarantined_on_start, record_quarantined
from gateway.cli.main import main
from gateway.config.settings import load
from gateway.pipeline.worker import Worker
from gateway.spool.envelope import Envelope
from gateway.wiring import Components, build
from registry.database import read_session
from registry.models import AuditEvent, InboundMessage, OutboxMessage
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
ENVELOPE = Envelope(
    received_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    protocol="smtp",
    mail_from=AGENCY,
    rcpt_tos=("vanthu@example.gov.vn",),
)


@pytest.fixture
def config(tmp_path: Path, pki: TestPki) -> Path:
    assert main(["init", str(tmp_path / "d")]) == 0
    (tmp_path / "d" / "trust" / "root.pem").write_bytes(pki.root_pem())
    return tmp_path / "d" / "gateway.toml"


def quarantined_item(components: Components, raw: bytes) -> str:
    """An item parked as the worker parks it: in quarantine/ with a placeholder row."""
    spool = components.spool
    item_id = spool.put(raw, ENVELOPE)
    item = spool.claim_id(item_id)
    spool.quarantine(item, "gave up after 5 failed attempts: OperationalError")
    record_quarantined(components.engine, item_id, ENVELOPE, "gave up after 5 failed attempts")
    return item_id


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def answers(components: Components) -> list[tuple[str, str]]:
    with read_session(components.engine) as session:
        rows = session.execute(
            select(col(OutboxMessage.kind), col(OutboxMessage.message_id)).where(
                col(OutboxMessage.kind) != "routed-copy"  # the copies to assignees (R-TRACK)
            )
        )
        return sorted((kind, mid) for kind, mid in rows)


def audit_actions(components: Components) -> list[tuple[str, str]]:
    with read_session(components.engine) as session:
        rows = session.execute(select(col(AuditEvent.action), col(AuditEvent.actor)))
        return [(a, who) for a, who in rows if a.startswith("quarantine.")]


def test_list_show_then_reprocess_answers_the_item_once(
    config: Path, capsys: pytest.CaptureFixture[str], signed_pdf: bytes
) -> None:
    """GIVEN a quarantined item WHEN listed, shown and reprocessed, and the worker runs
    THEN it is registered and answered once; the placeholder row is gone; the action is
    audited with the OS user; a second reprocess fails (nothing in quarantine)."""
    components = build(load(config))
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    item_id = quarantined_item(components, raw)
    c = str(config)
    rows = cli_json(capsys, "quarantine", "list", "-c", c)
    assert isinstance(rows, list)
    [row] = rows
    assert row["spool_id"] == item_id and "failed attempts" in row["reason"]
    shown = cli_json(capsys, "quarantine", "show", item_id, "-c", c)
    assert isinstance(shown, dict) and shown["inbound"]["outcome"] == "quarantined"

    assert cli_json(capsys, "quarantine", "reprocess", item_id, "-c", c) == {
        "spool_id": item_id,
        "action": "reprocess",
        "done": "processed afresh",
    }
    assert components.spool.quarantined() == [] and components.spool.waiting() == [item_id]
    item = components.spool.claim()
    assert item is not None and item.state.failures == 0
    result = Worker(components.spool, components.pipeline, 5).handle(item)
    assert result is not None and result.outcome == "accepted"
    with read_session(components.engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
        assert inbound.outcome == "accepted"
    assert answers(components) == [("receipt", f"<receipt.{item_id}@example.gov.vn>")]
    [(action, actor)] = audit_actions(components)
    assert action == "quarantine.reprocess" and actor not in {"", "system"}
    assert main(["quarantine", "reprocess", item_id, "-c", c]) == 1


def test_release_processes_the_item_alone(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a quarantined item WHEN released THEN it waits to be processed alone."""
    components = build(load(config))
    item_id = quarantined_item(components, official_mail(sender=AGENCY))
    assert main(["quarantine", "release", item_id, "-c", str(config)]) == 0
    item = components.spool.claim()
    assert item is not None and item.state.crashes == 1 and item.state.solo_crashes == 0
    assert audit_actions(components)[0][0] == "quarantine.release"


def test_reject_answers_the_sender_once_with_the_reason(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a quarantined item WHEN rejected with a reason THEN the sender gets one
    rejection carrying it, the item is finished, and it cannot be rejected again."""
    components = build(load(config))
    item_id = quarantined_item(components, official_mail(sender=AGENCY))
    c = str(config)
    out = cli_json(
        capsys, "quarantine", "reject", item_id, "--reason", "malformed-message",
        "--note", "thư lỗi cấu trúc", "-c", c,
    )  # fmt: skip
    assert out == {"spool_id": item_id, "action": "reject", "answered": True}
    assert answers(components) == [("rejection", f"<rejection.{item_id}@example.gov.vn>")]
    with read_session(components.engine) as session:
        [inbound] = session.scalars(select(InboundMessage)).all()
        assert (inbound.outcome, inbound.reasons) == ("rejected", ["malformed-message"])
        [step] = inbound.trace
        assert step["why"].endswith(" từ chối thư đang cách ly: thư lỗi cấu trúc")
        raw = session.scalars(select(col(OutboxMessage.raw))).one()
    assert b"X-Reject-Reasons: malformed-message" in raw
    assert components.spool.quarantined() == []
    assert [a for a, _ in audit_actions(components)] == ["quarantine.reject"]
    assert main(["quarantine", "reject", item_id, "--reason", "malware", "-c", c]) == 1


def test_an_item_quarantined_while_the_database_was_down_is_listed_at_start(config: Path) -> None:
    """GIVEN an item parked in quarantine/ whose inbound row could not be written
    WHEN the service starts (list_quarantined_on_start)
    THEN the inbound log lists it as quarantined with its reason, once, even if started twice."""
    components = build(load(config))
    spool = components.spool
    item_id = spool.put(official_mail(), ENVELOPE)
    spool.quarantine(spool.claim_id(item_id), "gave up after 5 failed attempts: database down")

    list_quarantined_on_start(components.engine, spool)
    list_quarantined_on_start(components.engine, spool)

    with read_session(components.engine) as session:
        rows = session.execute(
            select(col(InboundMessage.outcome), col(InboundMessage.note)).where(
                col(InboundMessage.spool_id) == item_id
            )
        ).all()
    assert [(str(outcome), note) for outcome, note in rows] == [
        ("quarantined", "quarantined: gave up after 5 failed attempts: database down")
    ]
