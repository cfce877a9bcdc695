"""The incoming register on SQLite and PostgreSQL: numbering, one transaction, idempotence."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from registry.database import (
    current_revision,
    make_engine,
    read_session,
    upgrade,
    write_session,
)
from registry.drafts import AttachmentDraft, EntryDraft, InboundDraft, OutboxDraft, SignatureDraft
from registry.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    RegisterEntry,
    SignatureResult,
)
from registry.queries import entry_contract, get_entry, list_entries, signatures_of
from registry.recorder import Recorder

HEAD_REVISION = "0021"  # the newest migration in registry/migrations/versions/v*

RECEIVED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def inbound_draft(spool_id: str, **changes: object) -> InboundDraft:
    values: dict[str, object] = {
        "spool_id": spool_id,
        "message_id": f"<{spool_id}@rachgia.example.gov.vn>",
        "sha256": "a" * 64,
        "fingerprint": spool_id,
        "received_at": RECEIVED,
        "protocol": "smtp",
        "envelope_from": "vanthu@vp.rachgia.example.gov.vn",
        "sender_address": "vanthu@vp.rachgia.example.gov.vn",
        "sender_agency_code": "VP",
        "subject": "Công văn số 54/UBND-VP",
        "outcome": "accepted",
        "reasons": (),
        "trace": ({"rule": "no-document", "hit": False, "why": "1 PDF", "subject": "message"},),
        "answered": True,
    }
    values.update(changes)
    return InboundDraft(**values)  # type: ignore[arg-type]


def entry_draft(year: int = 2026, **changes: object) -> EntryDraft:
    values: dict[str, object] = {
        "received_at": RECEIVED,
        "year": year,
        "sender_address": "vanthu@vp.rachgia.example.gov.vn",
        "sender_agency_code": "VP",
        "sender_agency_name": "Văn phòng HĐND và UBND thành phố",
        "document_number": "54/UBND-VP",
        "issued_on": date(2026, 11, 20),
        "document_type": "Công văn",
        "summary": "Chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
        "issuer_code": "VP",
        "issuer_name": "Ủy ban nhân dân thành phố Rạch Giá",
        "signer_name": "Bùi Trung Thực",
        "urgency": "thuong",
        "reference_only": False,
        "paper_required": False,
        "needs_review": False,
        "pages": 2,
        "message_id": "<m@x>",
        "sha256": "a" * 64,
        "filename": "54-UBND-VP.pdf",
        "document_sha256": "b" * 64,
        "search_text": "54/ubnd-vp cong van chan chinh, tang cuong viec gui, nhan van ban dien tu",
        "signatures": (
            SignatureDraft(
                field_name="Signature1",
                signer="Bùi Trung Thực",
                organization="Ủy ban nhân dân thành phố Rạch Giá",
                signed_at=RECEIVED - timedelta(days=5),
                verdict="valid",
            ),
        ),
        "attachments": (
            AttachmentDraft("54-UBND-VP.pdf", "application/pdf", 1234, "b" * 64, "document"),
        ),
    }
    values.update(changes)
    return EntryDraft(**values)  # type: ignore[arg-type]


def register_one(engine: Engine, spool_id: str, year: int = 2026) -> str:
    with write_session(engine) as session:
        recorder = Recorder(session)
        inbound = recorder.add_inbound(inbound_draft(spool_id))
        return str(recorder.add_entry(inbound, entry_draft(year)))


def test_migrations_apply_once_and_are_idempotent(engine: Engine) -> None:
    """GIVEN a database upgraded at start WHEN upgraded again THEN it stays at head, unchanged."""
    assert current_revision(engine) == HEAD_REVISION
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION


def test_upgrade_from_the_first_schema_keeps_existing_rows(database_url: str) -> None:
    """GIVEN a register on schema 0001 holding an entry with a signature
    WHEN upgraded to the latest schema THEN the entry and its signature are intact."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO inbound_message (spool_id, sha256, fingerprint, received_at, protocol,"
                " envelope_from, subject, outcome, reasons, trace, answered, note)"
                " VALUES ('old', 'a', 'f', '2026-01-02 03:04:05', 'smtp', 'a@b.vn', 's',"
                " 'rejected', '[]', '[]', true, '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO signature_result (inbound_id, document_sha256, position, field_name,"
                " verdict, reasons) SELECT id, 'd', 1, 'Sig1', 'invalid', '[]' FROM inbound_message"
            )
        upgrade(engine)
        assert current_revision(engine) == HEAD_REVISION
        with read_session(engine) as session:
            [signature] = session.scalars(select(SignatureResult)).all()
            assert (signature.verdict, signature.chain, signature.indication) == (
                "invalid",
                [],
                None,
            )
    finally:
        engine.dispose()


def test_numbers_start_at_one_per_year_and_restart_each_year(engine: Engine) -> None:
    """GIVEN documents received in 2026 and 2027 WHEN registered THEN each year counts from 1."""
    assert [register_one(engine, f"s{n}") for n in range(3)] == ["2026/1", "2026/2", "2026/3"]
    assert register_one(engine, "s-next-year", year=2027) == "2027/1"
    assert register_one(engine, "s4") == "2026/4"


def test_a_rolled_back_transaction_gives_its_number_back(engine: Engine) -> None:
    """GIVEN a registering transaction that fails after taking a number
    WHEN the next document is registered THEN it takes the same number (no gap)."""
    register_one(engine, "first")
    with pytest.raises(RuntimeError), write_session(engine) as session:
        recorder = Recorder(session)
        inbound = recorder.add_inbound(inbound_draft("doomed"))
        assert str(recorder.add_entry(inbound, entry_draft())) == "2026/2"
        raise RuntimeError("crash inside the transaction")
    assert register_one(engine, "second") == "2026/2"
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 2


def test_concurrent_registrations_get_unique_gap_free_numbers(engine: Engine) -> None:
    """GIVEN 6 threads registering 5 documents each at once
    WHEN they all commit THEN the numbers are exactly 1..30, each once."""
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(thread: int) -> None:
        try:
            for n in range(5):
                number = register_one(engine, f"t{thread}-{n}")
                with lock:
                    results.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(int(r.split("/")[1]) for r in results) == list(range(1, 31))


def test_one_transaction_writes_inbound_entry_signatures_audit_and_outbox(engine: Engine) -> None:
    """GIVEN a registering transaction WHEN it commits THEN every part is there together."""
    with write_session(engine) as session:
        recorder = Recorder(session)
        inbound = recorder.add_inbound(inbound_draft("all"))
        recorder.add_entry(inbound, entry_draft())
        recorder.add_outbox(
            inbound,
            OutboxDraft("receipt", "<receipt.all@example.gov.vn>", "a@x.vn", "b@y.vn", b"raw"),
        )
    with read_session(engine) as session:
        entry = get_entry(session, 2026, 1)
        contract = entry_contract(entry, signatures_of(session, [entry])[entry.id or 0], UTC)
        assert contract["document_number"] == "54/UBND-VP"
        assert contract["signatures"][0]["signer"] == "Bùi Trung Thực"
        assert contract["signatures"][0]["verdict"] == "valid"
        assert contract["received_at"] == "2026-11-25T02:00:00+00:00"
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        actions = set(session.scalars(select(col(AuditEvent.action))))
        assert {"inbound.accepted", "entry.registered", "outbox.queued"} <= actions


def test_the_same_spool_item_cannot_be_recorded_twice(engine: Engine) -> None:
    """GIVEN a committed spool item WHEN a second transaction records it again
    THEN the database refuses it and the register is unchanged."""
    register_one(engine, "once")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), write_session(engine) as session:
        Recorder(session).add_inbound(inbound_draft("once"))
    with read_session(engine) as session:
        assert Recorder(session).find_inbound("once") is not None
        assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 1


def test_search_works_with_or_without_diacritics(engine: Engine) -> None:
    """GIVEN an entry about "chấn chỉnh … văn bản điện tử"
    WHEN searched as "dien tu", "ĐIỆN TỬ" or "van ban" THEN it is found; other words are not."""
    register_one(engine, "search")
    with read_session(engine) as session:
        for query in ("dien tu", "ĐIỆN TỬ", "văn bản", "54/UBND"):
            assert len(list_entries(session, search=query)) == 1, query
        assert list_entries(session, search="ngân sách") == []
        assert list_entries(session, search="100%") == []


def test_received_at_comes_back_aware(engine: Engine) -> None:
    """GIVEN an aware UTC time stored WHEN read back THEN it is the same aware instant."""
    register_one(engine, "tz")
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        assert entry.received_at == RECEIVED
        assert entry.received_at.tzinfo is not None
