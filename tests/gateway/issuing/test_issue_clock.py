"""Issued documents on the working-hours clock (DESIGN §4.7, R-DELIVERY): the relay's
hand-over recorded, one reminder to a recipient that has not confirmed within
``[outgoing] confirm_within`` working hours, then overdue and the clerk told — each once."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.parser import BytesParser
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from gateway.issuing.clock import IssueClock, issue_clock_for
from gateway.issuing.issue import Issuer, IssueRequest
from gateway.wiring import Components
from registry.database import read_session, write_session
from registry.mail.outbox import mark_failed, mark_sent
from registry.models import OutboxMessage
from registry.outgoing.models import DeliveryStatus, EventSource, OutgoingDelivery
from registry.outgoing.queries import get_outgoing
from registry.outgoing.writer import Answer, delivery_for, record_answer
from tests.gateway.issuing.conftest import CITY, UNIT, city_document
from tests.support.pki import TestPki

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 23 November 2026, 08:00 in Hà Nội: a working morning.
ISSUED = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def mails(city: Components, kind: str) -> list[OutboxMessage]:
    with read_session(city.engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.kind) == kind)
                .order_by(col(OutboxMessage.id))
            )
        )


def test_reminder_then_overdue_each_once(city: Components, issuer: Issuer, pki: TestPki) -> None:
    """GIVEN a document issued Monday 08:00 to QLDT and KT, confirm_within 4 working hours
    (the default office sessions 07:00–11:30, 13:30–17:00), KT's receipt in at 10:00
    WHEN the clock runs at 11:59, 14:00 (twice: a second instance), on Tuesday (a public
    holiday) and on Wednesday at 07:59, 08:00 and 09:00
    THEN at 11:59 nothing is due; at 14:00 QLDT alone gets ONE reminder, threaded to our
    mail; on Wednesday 08:00 (another 4 working hours) QLDT is ``overdue`` and the clerk
    got ONE alert; KT, which answered, is neither reminded nor flagged."""
    result = issuer.issue(
        IssueRequest(pdf=city_document(pki, 30), filename="cv.pdf", recipients=("QLDT", "KT")),
        now=ISSUED,
    )
    kt = result.message_ids[1]
    with write_session(city.engine) as session:
        delivery = delivery_for(session, [kt])
        assert delivery is not None and delivery.id is not None
        record_answer(
            session,
            delivery.id,
            Answer(DeliveryStatus.RECEIVED, EventSource.RECEIPT, at(23, 10), "03", "2026/5"),
        )
    clock = issue_clock_for(city)
    assert isinstance(clock, IssueClock) and clock.confirm_within == 4.0

    assert clock.run_once(at(23, 11, 59)) == 0
    assert clock.run_once(at(23, 14)) == 1
    assert clock.run_once(at(23, 14)) == 0  # fired once, whoever runs the clock
    reminders = mails(city, "reminder")
    assert [m.recipient for m in reminders] == [UNIT]
    reminder = BytesParser(policy=policy.default).parsebytes(reminders[0].raw)
    assert reminder["In-Reply-To"] == result.message_ids[0]
    assert reminder["Auto-Submitted"] == "auto-generated"
    assert reminder["Subject"] == "Đề nghị xác nhận đã nhận văn bản số 30/UBND-VP"

    assert clock.run_once(at(24, 9)) == 0  # 24/11, Ngày Văn hóa Việt Nam: a day off
    assert clock.run_once(at(25, 7, 59)) == 0  # 14:00 + 4 working hours: Wednesday 08:00
    assert clock.run_once(at(25, 8)) == 1
    assert clock.run_once(at(25, 9)) == 0
    alerts = mails(city, "escalation")
    assert [m.recipient for m in alerts] == [CITY]  # no [alerts] administrator: our mailbox
    with read_session(city.engine) as session:
        view = get_outgoing(session, result.document_id)
    states = {r.code: (r.status, r.reminded_at is not None) for r in view.recipients}
    assert states == {"QLDT": ("overdue", True), "KT": ("received", False)}


def test_the_relays_handover_and_refusal_are_recorded(
    city: Components, issuer: Issuer, pki: TestPki
) -> None:
    """GIVEN a document queued for QLDT and KT
    WHEN the outbox handed QLDT's mail to the relay and the relay refused KT's for good
    THEN the list shows QLDT ``sent`` and KT ``bounced`` at once, and the clock's round
    records both in the history (so later reports need not look at the outbox)."""
    result = issuer.issue(
        IssueRequest(pdf=city_document(pki, 31), filename="cv.pdf", recipients=("QLDT", "KT")),
        now=ISSUED,
    )
    with write_session(city.engine) as session:
        rows = {
            r.recipient: r.id
            for r in session.scalars(
                select(OutboxMessage).where(col(OutboxMessage.kind) == "issue")
            )
        }
        mark_sent(session, [rows[UNIT] or 0], at(23, 8, 1))
        mark_failed(session, rows["vanthu@kinhte.rachgia.example.gov.vn"] or 0, "550 5.1.1 no")
    with read_session(city.engine) as session:
        shown = {r.code: r.status for r in get_outgoing(session, result.document_id).recipients}
    assert shown == {"QLDT": "sent", "KT": "bounced"}
    issue_clock_for(city).run_once(at(23, 8, 2))
    with read_session(city.engine) as session:
        stored = {d.code: d.status for d in session.scalars(select(OutgoingDelivery))}
    assert stored == {"QLDT": "sent", "KT": "bounced"}
