"""``/inbound``: every inbound message, newest first — accepted, refused, held, quarantined
or duplicate — with its reasons in Vietnamese, the note, the answer the sender was sent
(DESIGN §4.4: each message gets exactly one answer; the clerk can see which, and when) and
the register numbers it gave (R-REFUSE: a refused or held message must not vanish from
the console). Held messages link to ``/held``, where a clerk decides them. Clerks and
administrators; the subject and sender of a secret-marked or infected message are
concealed from everyone but administrators (R-SECRET), while a message held for active
content is a clerk's to decide and shown in full (:mod:`gateway.clerk.restricted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.restricted import Restriction, active_content, restriction
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from registry.console.accounts import Role
from registry.console.inbound_log import count_inbound, inbound_messages, numbers_by_inbound
from registry.database import read_session
from registry.mail.outbox_views import answers_by_inbound
from registry.models import InboundMessage, Outcome
from templates.labels import OUTCOME_LABELS, PROTOCOL_LABELS
from templates.wording import note_text

PAGE_SIZE = 50
INBOUND_ROLES = frozenset({Role.CLERK, Role.ADMIN})
ANSWER_KINDS = {"receipt": "Biên nhận (03)", "rejection": "Từ chối tiếp nhận (02)"}
ANSWER_STATES = {"pending": "đang chờ gửi", "sent": "đã gửi", "failed": "gửi không được"}


@dataclass(frozen=True)
class Answer:
    kind: str  # Vietnamese: "Biên nhận (03)"
    recipient: str
    state: str  # Vietnamese: "đã gửi"
    sent_at: datetime | None
    bounced: bool


@dataclass(frozen=True)
class InboundRow:
    id: int
    received_at: datetime
    protocol: str
    sender: str
    subject: str
    outcome: str
    reasons: tuple[str, ...]
    note: str  # in Vietnamese (templates.labels.note_text)
    restriction: Restriction | None
    concealed: bool  # subject and sender not shown to this person
    active_content: tuple[str, ...]
    answers: tuple[Answer, ...]
    numbers: tuple[tuple[int, int], ...]  # (year, incoming number) of its entries
    answered: bool

    @property
    def held(self) -> bool:
        return self.outcome == Outcome.HELD


@dataclass(frozen=True)
class InboundPage:
    rows: tuple[InboundRow, ...]
    total: int
    page: int
    outcome: str

    @property
    def has_more(self) -> bool:
        return self.page * PAGE_SIZE < self.total


def inbound_page(session: Session, person: Person, outcome: str, page: int) -> InboundPage:
    """One page of inbound messages, newest first, optionally of one outcome."""
    if outcome not in set(Outcome):
        outcome = ""
    total = count_inbound(session, outcome)
    records = inbound_messages(session, outcome, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    ids = [r.id for r in records if r.id is not None]
    answers = _answers(session, ids)
    numbers = numbers_by_inbound(session, ids)
    admin = person.role is Role.ADMIN
    rows = tuple(_row(r, answers, numbers, admin) for r in records)
    return InboundPage(rows, total, page, outcome)


def _row(
    record: InboundMessage,
    answers: dict[int, list[Answer]],
    numbers: dict[int, list[tuple[int, int]]],
    admin: bool,
) -> InboundRow:
    assert record.id is not None
    restricted = restriction(record.reasons, record.scan)
    concealed = restricted is not None and not admin
    return InboundRow(
        id=record.id,
        received_at=record.received_at,
        protocol=record.protocol,
        sender="" if concealed else (record.sender_address or record.envelope_from),
        subject="" if concealed else record.subject,
        outcome=record.outcome,
        reasons=tuple(record.reasons),
        note="" if concealed else note_text(record.note),
        restriction=restricted,
        concealed=concealed,
        active_content=active_content(record.scan),
        answers=tuple(answers.get(record.id, ())),
        numbers=tuple(numbers.get(record.id, ())),
        answered=record.answered,
    )


def _answers(session: Session, ids: list[int]) -> dict[int, list[Answer]]:
    return {
        inbound_id: [
            Answer(
                kind=ANSWER_KINDS[row.kind],
                recipient=row.recipient,
                state=ANSWER_STATES.get(row.status, row.status),
                sent_at=row.sent_at,
                bounced=row.bounced_at is not None,
            )
            for row in rows
        ]
        for inbound_id, rows in answers_by_inbound(session, ids, ANSWER_KINDS).items()
    }


@signed_in(roles=INBOUND_ROLES)
async def inbound_list(request: Request, person: Person) -> Response:
    params = request.query_params
    page_text = str(params.get("page", ""))
    page = int(page_text) if page_text.isdigit() and 0 < len(page_text) <= 5 else 1
    outcome = str(params.get("outcome", ""))[:16]

    def load() -> InboundPage:
        with read_session(request.app.state.engine) as session:
            return inbound_page(session, person, outcome, max(page, 1))

    view = await run_in_threadpool(load)
    return render(
        request,
        "inbound.html",
        view=view,
        outcomes=OUTCOME_LABELS,
        protocols=PROTOCOL_LABELS,
    )


def routes() -> list[BaseRoute]:
    return [Route("/inbound", inbound_list)]
