"""Held and quarantined mail (``/held``): why it waits, and a person's decision on it.

Held messages (signatures that could not be decided, active PDF content, …) are for
clerks and administrators; secret-marked or infected ones (:mod:`gateway.clerk.restricted`)
and quarantined spool items (which may be anything) for administrators only. Actions:
reject with a reason that is mailed to the sender, accept (release: registered,
receipted), reprocess, and for quarantined items release (processed alone). Each action is
audited with the person's user name by :mod:`gateway.clerk.held` /
:mod:`gateway.clerk.quarantine_tools`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.held import HeldDecisions, NewSender
from gateway.clerk.quarantine_tools import QuarantineTools
from gateway.clerk.restricted import Restriction, active_content, restriction
from gateway.errors import GatewayError
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import Components
from mailparse.reasons import Reason
from registry.console.accounts import Role
from registry.console.inbound_log import held_messages, signatures_by_inbound
from registry.database import read_session
from registry.models import InboundMessage
from templates.wording import note_text

NOTE_CHARS = 500
T = TypeVar("T")
DONE_MESSAGES = {
    "rejected": "Đã từ chối và gửi thư báo lý do cho nơi gửi.",
    "rejected-silent": "Đã từ chối; không gửi thư vì nơi gửi không nhận được thư tự động.",
    "reprocess": "Đã đưa thư vào xử lý lại; kết quả sẽ có trong sổ sau ít phút.",
    "release": "Đã cho thư xử lý riêng (tách khỏi các thư khác).",
    "accept": "Đã chấp nhận thư tạm giữ; văn bản sẽ được vào sổ và gửi biên nhận sau ít phút.",
    "accept-add": (
        "Đã chấp nhận thư tạm giữ và thêm nơi gửi vào danh bạ; văn bản sẽ được vào sổ và gửi "
        "biên nhận sau ít phút, các văn bản sau của nơi gửi này được tiếp nhận ngay."
    ),
}
NO_SERVICE = "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận nên không thể thực hiện."


@dataclass(frozen=True)
class TraceLine:
    rule: str
    hit: bool
    why: str


@dataclass(frozen=True)
class SignatureLine:
    signer: str
    organization: str
    verdict: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class HeldItem:
    id: int
    received_at: datetime
    sender: str
    subject: str
    reasons: tuple[str, ...]
    note: str
    trace: tuple[TraceLine, ...]
    signatures: tuple[SignatureLine, ...]
    restricted: Restriction | None  # None: a clerk's to decide
    active_content: tuple[str, ...] = ()  # what a hold for active content found, in Vietnamese


@dataclass(frozen=True)
class QuarantinedItem:
    spool_id: str
    received_at: str
    mail_from: str
    size: int
    attempts: int
    reason: str


def held_items(session: Any, person: Person) -> list[HeldItem]:
    """Held inbound records the person may see, oldest first, with their verdicts."""
    rows = held_messages(session)
    verdicts: dict[int, list[SignatureLine]] = {
        inbound_id: [
            SignatureLine(s.signer or "", s.organization or "", s.verdict, tuple(s.reasons))
            for s in results
        ]
        for inbound_id, results in signatures_by_inbound(session, [r.id for r in rows]).items()
    }
    items = [
        HeldItem(
            id=r.id or 0,  # stored rows always have one
            received_at=r.received_at,
            sender=r.sender_address or r.envelope_from,
            subject=r.subject,
            reasons=tuple(r.reasons),
            note=note_text(r.note),
            trace=tuple(_trace_line(t) for t in r.trace),
            signatures=tuple(verdicts.get(r.id or 0, ())),
            restricted=restriction(r.reasons, r.scan),
            active_content=active_content(r.scan),
        )
        for r in rows
    ]
    return [i for i in items if person.role is Role.ADMIN or i.restricted is None]


def _trace_line(step: dict[str, Any]) -> TraceLine:
    return TraceLine(str(step.get("rule", "")), bool(step.get("hit")), str(step.get("why", "")))


def _components(request: Request) -> Components:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, NO_SERVICE)
    return components


def quarantined_items(components: Components | None) -> list[QuarantinedItem]:
    if components is None:
        return []
    return [
        QuarantinedItem(
            spool_id=str(row["spool_id"]),
            received_at=str(row["received_at"]),
            mail_from=str(row["mail_from"]),
            size=int(row["size"]),
            attempts=int(row["attempts"]),
            reason=str(row["reason"]),
        )
        for row in QuarantineTools(components).list()
    ]


@signed_in(roles={Role.CLERK, Role.ADMIN})
async def held_page(request: Request, person: Person) -> Response:
    def load() -> tuple[list[HeldItem], list[QuarantinedItem]]:
        with read_session(request.app.state.engine) as session:
            held = held_items(session, person)
        admin = person.role is Role.ADMIN
        return held, quarantined_items(request.app.state.components) if admin else []

    held, quarantined = await run_in_threadpool(load)
    return render(
        request,
        "held.html",
        held=held,
        quarantined=quarantined,
        reasons=[str(r) for r in Reason],
        done=DONE_MESSAGES.get(request.query_params.get("xong", ""), ""),
    )


def _reason(form: FormData) -> tuple[Reason, str]:
    try:
        reason = Reason(str(form.get("reason", "")))
    except ValueError as exc:
        raise HTTPException(400, "Hãy chọn lý do từ chối.") from exc
    return reason, str(form.get("note", "")).strip()[:NOTE_CHARS]


def _visible(request: Request, person: Person, inbound_id: int) -> None:
    """A clerk may only decide what the list shows them (not secret-marked items)."""
    with read_session(request.app.state.engine) as session:
        row = session.get(InboundMessage, inbound_id)
        hidden = row is not None and restriction(row.reasons, row.scan) is not None
        if row is None or (hidden and person.role is not Role.ADMIN):
            raise HTTPException(404)


def _done(key: str) -> Response:
    return RedirectResponse(f"/held?xong={key}", status_code=303)


@signed_in(roles={Role.CLERK, Role.ADMIN})
async def reject_held(request: Request, person: Person) -> Response:
    inbound_id = int(request.path_params["inbound_id"])
    reason, note = _reason(await request.form())

    def decide() -> bool:
        _visible(request, person, inbound_id)
        return HeldDecisions(_components(request), person.username).reject(inbound_id, reason, note)

    mailed = await _run(decide)
    return _done("rejected" if mailed else "rejected-silent")


@signed_in(roles={Role.CLERK, Role.ADMIN})
async def respool_held(request: Request, person: Person) -> Response:
    """``reprocess`` (decide afresh) or ``accept`` (release: what held it is accepted)."""
    inbound_id = int(request.path_params["inbound_id"])
    action = str(request.path_params["action"])
    if action not in {"reprocess", "accept"}:
        raise HTTPException(404)
    new = _new_sender(await request.form()) if action == "accept" else None

    def decide() -> str:
        _visible(request, person, inbound_id)
        decisions = HeldDecisions(_components(request), person.username)
        if action == "accept":
            return decisions.release(inbound_id, add_sender=new)
        return decisions.reprocess(inbound_id)

    await _run(decide)
    return _done("accept-add" if new is not None else action)


def _new_sender(form: FormData) -> NewSender | None:
    """An unknown sender's agency as the clerk names it on /held (DESIGN §4.9), or None
    when the form adds nobody (the code left empty)."""
    code = str(form.get("code", "")).strip()[:64]
    if not code:
        return None
    name = str(form.get("name", "")).strip()[:NOTE_CHARS]
    if not name:
        raise HTTPException(400, "Hãy nhập tên cơ quan gửi để thêm vào danh bạ.")
    return NewSender(
        code=code,
        name=name,
        parent=str(form.get("parent", "")).strip()[:64],
        group=str(form.get("group", "")).strip()[:200],
        whole_domain=form.get("whole_domain") == "1",
    )


@signed_in(roles={Role.ADMIN})
async def decide_quarantined(request: Request, person: Person) -> Response:
    spool_id = str(request.path_params["spool_id"])
    action = str(request.path_params["action"])
    form = await request.form()
    tools = QuarantineTools(_components(request), person=person.username)
    if action == "reject":
        reason, note = _reason(form)
        mailed = await _run(lambda: tools.reject(spool_id, reason, note))
        return _done("rejected" if mailed else "rejected-silent")
    if action not in {"reprocess", "release"}:
        raise HTTPException(404)
    await _run(lambda: tools.reprocess(spool_id, alone=action == "release"))
    return _done(action)


async def _run(work: Callable[[], T]) -> T:
    """Run a decision in a worker thread; one already taken (or gone) is a 409, not a 500."""
    try:
        result: T = await run_in_threadpool(work)
    except GatewayError as exc:
        raise HTTPException(409, "Thư này đã được xử lý hoặc không còn trong hàng chờ.") from exc
    return result


def routes() -> list[BaseRoute]:
    return [
        Route("/held", held_page),
        Route("/held/{inbound_id:int}/reject", reject_held, methods=["POST"]),
        Route("/held/{inbound_id:int}/{action}", respool_held, methods=["POST"]),
        Route("/quarantine/{spool_id}/{action}", decide_quarantined, methods=["POST"]),
    ]
