"""The outgoing register's store (registry.outgoing, DESIGN §4.7): yearly numbers, state
changes with their history, search with or without diacritics, and the per-unit month
figures the monthly report reads (R-MONTHLY) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from registry.database import read_session, write_session
from registry.outgoing.models import DeliveryStatus, EventSource
from registry.outgoing.queries import history_of, list_outgoing, unit_month_counts
from registry.outgoing.writer import (
    Answer,
    DeliveryDraft,
    OutgoingDraft,
    add_delivery,
    add_document,
    already_issued,
    record_answer,
)

NOV = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def issue(engine: Engine, number: str, at: datetime, codes: tuple[str, ...]) -> list[int]:
    """A document issued at ``at`` to the units ``codes``; the delivery ids."""
    with write_session(engine) as session:
        document = add_document(
            session,
            OutgoingDraft(
                year=at.year,
                document_number=number,
                number=number.split("/", maxsplit=1)[0],
                symbol="UBND-VP",
                issued_on=date(2026, 11, 2),
                document_type="Công văn",
                summary="tăng cường gửi, nhận văn bản điện tử",
                urgency="thuong",
                pages=1,
                signer_name="Bùi Trung Thực",
                issuer_name=None,
                filename="cv.pdf",
                document_sha256="0" * 64,
                issued_at=at,
                issued_by="vanthu",
            ),
            recipients_text=codes,
        )
        ids = []
        for position, code in enumerate(codes, start=1):
            delivery = add_delivery(
                session,
                document,
                DeliveryDraft(
                    position=position,
                    code=code,
                    name=code,
                    address=f"vanthu@{code.lower()}.example.gov.vn",
                    message_id=f"<issue.{document.id}.{position}@example.gov.vn>",
                    confirm_by=at + timedelta(hours=4),
                ),
            )
            ids.append(delivery.id or 0)
        return ids


def answer(engine: Engine, delivery_id: int, status: DeliveryStatus, at: datetime) -> bool:
    with write_session(engine) as session:
        return record_answer(
            session,
            delivery_id,
            Answer(status, EventSource.RECEIPT, at, "03" if status == "received" else "02"),
        )


def test_numbers_search_history_and_the_months_figures(engine: Engine) -> None:
    """GIVEN three documents issued in November (numbers 1–3) and one in December, with
    QLDT receiving two (one answer only in December), KT refusing one, NV never answering
    WHEN the register is read
    THEN numbers run 1, 2, 3, 4 in the year; the số/ký hiệu is known as issued (any
    spacing or case); a search without diacritics finds the summary; a repeated answer
    changes nothing; and November's figures count per unit what was issued in the month
    and what became of it by the month's end."""
    qldt1, kt1 = issue(engine, "1/UBND-VP", NOV, ("QLDT", "KT"))
    (qldt2,) = issue(engine, "2/UBND-VP", NOV + timedelta(days=10), ("QLDT",))
    (nv3,) = issue(engine, "3/UBND-VP", NOV + timedelta(days=20), ("NV",))
    issue(engine, "4/UBND-VP", datetime(2026, 12, 1, 2, tzinfo=UTC), ("QLDT",))
    assert answer(engine, qldt1, DeliveryStatus.RECEIVED, NOV + timedelta(hours=2))
    assert not answer(engine, qldt1, DeliveryStatus.RECEIVED, NOV + timedelta(hours=3))
    assert answer(engine, kt1, DeliveryStatus.REFUSED, NOV + timedelta(hours=1))
    assert answer(engine, qldt2, DeliveryStatus.RECEIVED, datetime(2026, 12, 2, tzinfo=UTC))

    with read_session(engine) as session:
        listed = list_outgoing(session, year=2026)
        assert [v.outgoing_number for v in listed] == [4, 3, 2, 1]
        assert already_issued(session, 2026, " 1 / ubnd-vp ") is not None
        assert already_issued(session, 2025, "1/UBND-VP") is None
        assert len(list_outgoing(session, search="tang cuong gui nhan")) == 4
        assert [v.document_number for v in list_outgoing(session, status="refused")] == [
            "1/UBND-VP"
        ]
        history = history_of(session, listed[-1].id)
        november = unit_month_counts(
            session, datetime(2026, 10, 31, 17, tzinfo=UTC), datetime(2026, 11, 30, 17, tzinfo=UTC)
        )
    assert [(e.code, e.status) for e in history] == [
        ("QLDT", "queued"),
        ("KT", "queued"),
        ("KT", "refused"),
        ("QLDT", "received"),
    ]
    assert set(november) == {"QLDT", "KT", "NV"}
    qldt = november["QLDT"]
    assert (qldt.issued, qldt.received, qldt.unanswered) == (2, 1, 1)
    assert qldt.confirm_delays == ((NOV, NOV + timedelta(hours=2)),)
    assert (november["KT"].issued, november["KT"].refused) == (1, 1)
    assert (november["NV"].issued, november["NV"].unanswered) == (1, 1)
    assert nv3
