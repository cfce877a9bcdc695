"""``/distribute``: a leader's queue of documents awaiting distribution, and the decision
(R-DISTRIB, DESIGN §4.8). Server-rendered, no script needed, usable from the keyboard
(every control labelled, the accept button first in each item) and on a phone's width.

* ``GET /distribute`` — what awaits this leader (the ``leaders`` of rules.yaml whose
  ``account`` is the signed-in user; a leader account named by none sees every document),
  most urgent first, then oldest; the R-ASSIGN deadline shown, late ones marked; each item
  with the proposal, a link to the document's PDF and "Đồng ý theo đề xuất" (one click).
* ``GET /distribute/YEAR/NUMBER`` — the document beside the proposal, a form to change the
  lead / cooperating / informed units, their deadlines and the instruction.
* ``POST /distribute/YEAR/NUMBER`` — ``action=accept`` or ``action=change``; the work is
  :func:`gateway.distribution.decide.distribute` (one decision for all, whoever is first).
* ``GET /register/YEAR/NUMBER/slip`` — the phiếu giải quyết văn bản đến (PDF).
* ``POST /distribute/delegations`` (a leader for themself, an administrator for any
  leader) and ``POST /distribute/delegations/ID/cancel`` — delegation for a period
  (:mod:`gateway.distribution.delegation`); the queue page lists them.
* ``GET|POST /distribute/transfer/ID`` — a unit's request to transfer a document ("Đơn vị
  đề nghị chuyển"): the leader (or, for a document the rules assigned directly, the clerk)
  transfers it to another unit or keeps it (:mod:`gateway.web.transfer_pages`; the queue
  page lists the open requests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.dates import DateError, parse_day
from gateway.distribution import delegation, slip, transfer
from gateway.distribution.decide import (
    Channel,
    Desk,
    DistributionError,
    Order,
    as_proposed,
    distribute,
)
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import Components
from registry.console.accounts import Role
from registry.console.documents import files_of_entries
from registry.database import read_session
from registry.models import EntryStatus, RegisterEntry
from registry.queries import get_entry
from registry.tracking.distribution import (
    Distribution,
    ProposedAssignment,
    awaiting,
    distribution_of,
    proposal_of,
)
from rules.routing_types import Leader, Unit

DECIDERS = frozenset({Role.LEADER, Role.ADMIN})
READERS = frozenset({Role.CLERK, Role.LEADER, Role.ADMIN})
NOTE_CHARS = 2000


@dataclass(frozen=True)
class Waiting:
    """One document in a leader's queue."""

    entry: RegisterEntry
    row: Distribution
    proposal: tuple[ProposedAssignment, ...]
    document_id: int | None  # the PDF's attachment row, for the link
    late: bool  # past its R-ASSIGN deadline


def _components(request: Request) -> Components:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
    return components


def desk_of(request: Request) -> Desk:
    return Desk.of(_components(request).pipeline)


def _leader_codes(desk: Desk, person: Person) -> set[str] | None:
    """The leaders this person decides for — their own and those who delegated to them
    today (§4.8); None (every document) when no leader of the rules is theirs."""
    return delegation.queue_codes(desk, person.username)


def _document_ids(session: Any, entries: list[RegisterEntry]) -> dict[int, int]:
    ids = [e.id for e in entries if e.id is not None]
    if not ids:
        return {}
    found: dict[int, int] = {}
    wanted = {e.id: e.document_sha256 for e in entries}
    for row in files_of_entries(session, ids):
        if (
            row.id is not None
            and row.entry_id is not None
            and wanted.get(row.entry_id) == row.sha256
        ):
            found.setdefault(row.entry_id, row.id)
    return found


def _queue(desk: Desk, person: Person) -> list[Waiting]:
    now = datetime.now(UTC)
    with read_session(desk.engine) as session:
        pairs = awaiting(session, leader_codes=_leader_codes(desk, person))
        documents = _document_ids(session, [e for e, _ in pairs])
        return [
            Waiting(
                entry=entry,
                row=row,
                proposal=tuple(proposal_of(row)),
                document_id=documents.get(entry.id or 0),
                late=entry.assign_by is not None and entry.assign_by < now,
            )
            for entry, row in pairs
        ]


def _own_leaders(desk: Desk, person: Person) -> list[Leader]:
    """The leaders whose delegation this person may set: their own; an admin, all."""
    if person.role == Role.ADMIN:
        return list(desk.leaders.values())
    return [leader for leader in desk.leaders.values() if leader.account == person.username]


@dataclass(frozen=True)
class Extras:
    """What the queue page shows beside the documents awaiting distribution."""

    transfers: list[transfer.Pending]
    delegations: list[delegation.DelegationView]
    mine: list[Leader]


def _extras(desk: Desk, person: Person) -> Extras:
    clerk = person.role in {Role.CLERK, Role.ADMIN}
    codes = _leader_codes(desk, person) if person.role == Role.LEADER else None
    pending = transfer.pending(desk, leader_codes=codes, clerk=clerk)
    if person.role == Role.CLERK:
        pending = [p for p in pending if not p.to_leader]
    return Extras(pending, delegation.listing(desk), _own_leaders(desk, person))


@signed_in(roles=READERS)
async def queue_page(request: Request, person: Person) -> Response:
    return await _queue_page(request, person)


async def _queue_page(
    request: Request, person: Person, error: str = "", status: int = 200
) -> Response:
    desk = desk_of(request)
    items = await run_in_threadpool(_queue, desk, person)
    extras = await run_in_threadpool(_extras, desk, person)
    own_codes = {leader.code for leader in extras.mine}
    return render(
        request,
        "distribute.html",
        status,
        items=items,
        transfers=extras.transfers,
        delegations=extras.delegations,
        delegating=extras.mine,
        may_cancel=[
            d.id
            for d in extras.delegations
            if person.role == Role.ADMIN or d.leader_code in own_codes
        ],
        leaders=tuple(desk.leaders.values()),
        may_decide=person.role in DECIDERS,
        done=request.query_params.get("xong", ""),
        message=request.query_params.get("tb", ""),
        error=error,
    )


def _delegation_form(desk: Desk, person: Person, form: FormData) -> tuple[str, date, date]:
    leader = str(form.get("leader", "")).strip()
    if leader not in {x.code for x in _own_leaders(desk, person)}:
        raise DistributionError("Bạn chỉ được ủy quyền thay cho chính mình.")
    try:
        starts = parse_day(str(form.get("from", "")))
        ends = parse_day(str(form.get("until", "")))
    except DateError as exc:
        raise DistributionError(str(exc)) from exc
    if starts is None or ends is None:
        raise DistributionError("Hãy ghi ngày bắt đầu và ngày kết thúc ủy quyền.")
    return leader, starts, ends


@signed_in(roles=DECIDERS)
async def delegate(request: Request, person: Person) -> Response:
    desk = desk_of(request)
    form = await request.form()
    try:
        leader, starts, ends = _delegation_form(desk, person, form)
        done = await run_in_threadpool(
            partial(
                delegation.set_delegation,
                desk,
                leader,
                str(form.get("to", "")),
                starts,
                ends,
                by=person.username,
            )
        )
    except DistributionError as exc:
        return await _queue_page(request, person, str(exc), 409)
    text = f"Đã ủy quyền cho {done.delegate} thay {done.leader} từ {done.starts} đến {done.ends}."
    return RedirectResponse(f"/distribute?tb={quote(text)}", status_code=303)


@signed_in(roles=DECIDERS)
async def cancel_delegation(request: Request, person: Person) -> Response:
    desk = desk_of(request)
    own = None if person.role == Role.ADMIN else {x.code for x in _own_leaders(desk, person)}
    wanted = int(request.path_params["id"])
    try:
        await run_in_threadpool(
            partial(delegation.cancel, desk, wanted, by=person.username, leader_codes=own)
        )
    except DistributionError as exc:
        return await _queue_page(request, person, str(exc), 409)
    return RedirectResponse(f"/distribute?tb={quote('Đã hủy ủy quyền.')}", status_code=303)


def _one(desk: Desk, year: int, number: int) -> Waiting:
    now = datetime.now(UTC)
    with read_session(desk.engine) as session:
        entry = get_entry(session, year, number)  # NotFoundError: 404
        row = distribution_of(session, entry.id or 0)
        if row is None:
            raise HTTPException(404, "Văn bản này không trình lãnh đạo phân công.")
        documents = _document_ids(session, [entry])
    return Waiting(
        entry=entry,
        row=row,
        proposal=tuple(proposal_of(row)),
        document_id=documents.get(entry.id or 0),
        late=entry.assign_by is not None and entry.assign_by < now,
    )


def _decision_page(
    request: Request,
    person: Person,
    item: Waiting,
    desk: Desk,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    units: tuple[Unit, ...] = tuple(desk.units.values())
    roles = {a.unit_code: a.role for a in item.proposal}
    return render(
        request,
        "distribute_one.html",
        status,
        item=item,
        units=units,
        proposed_roles=roles,
        proposed_lead=next((a.unit_code for a in item.proposal if a.role == "lead"), ""),
        waiting=item.entry.status == EntryStatus.AWAITING_DISTRIBUTION,
        may_decide=person.role in DECIDERS,
        error=error,
    )


@signed_in(roles=READERS)
async def decision_page(request: Request, person: Person) -> Response:
    desk = desk_of(request)
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    item = await run_in_threadpool(_one, desk, year, number)
    return _decision_page(request, person, item, desk)


def _day(form: FormData, name: str) -> date | None:
    text = str(form.get(name, "")).strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise DistributionError("Hạn giải quyết không hợp lệ.") from exc


def _order(form: FormData) -> Order | None:
    note = str(form.get("note", "")).strip()[:NOTE_CHARS]
    if str(form.get("action", "")) == "accept":
        return Order(lead="", note=note)  # as proposed, see _decide
    lead = str(form.get("lead", "")).strip()
    cooperate = tuple(str(v) for v in form.getlist("cooperate") if str(v) != lead)
    inform = tuple(
        str(v) for v in form.getlist("inform") if str(v) != lead and str(v) not in cooperate
    )
    dues: dict[str, date] = {}
    lead_due, cooperate_due = _day(form, "lead_due"), _day(form, "cooperate_due")
    if lead_due is not None:
        dues[lead] = lead_due
    if cooperate_due is not None:
        dues.update(dict.fromkeys(cooperate, cooperate_due))
    return Order(lead=lead, cooperate=cooperate, inform=inform, dues=dues, note=note)


def _decide(desk: Desk, year: int, number: int, order: Order | None, by: str) -> None:
    if order is not None and not order.lead:  # accept: the proposal, with the note
        with read_session(desk.engine) as session:
            row = distribution_of(session, get_entry(session, year, number).id or 0)
        if row is None:
            raise DistributionError("Văn bản này không trình lãnh đạo phân công.")
        order = as_proposed(row, order.note)
    distribute(desk, year, number, order, by=by, channel=Channel.CONSOLE)


@signed_in(roles=DECIDERS)
async def decide(request: Request, person: Person) -> Response:
    desk = desk_of(request)
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    form = await request.form()
    try:
        order = _order(form)
        await run_in_threadpool(_decide, desk, year, number, order, person.username)
    except DistributionError as exc:
        item = await run_in_threadpool(_one, desk, year, number)
        return _decision_page(request, person, item, desk, error=str(exc), status=409)
    return RedirectResponse(f"/distribute?xong={year}/{number}", status_code=303)


@signed_in(roles=READERS)
async def slip_pdf(request: Request, person: Person) -> Response:
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    zone = request.app.state.deployment.zone

    def build() -> bytes:
        with read_session(request.app.state.engine) as session:
            return slip.render(slip.collect(session, year, number, zone))

    pdf = await run_in_threadpool(build)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="phieu-giai-quyet-{year}-{number}.pdf"'},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/distribute", queue_page, methods=["GET"]),
        Route("/distribute/{year:int}/{number:int}", decision_page, methods=["GET"]),
        Route("/distribute/{year:int}/{number:int}", decide, methods=["POST"]),
        Route("/register/{year:int}/{number:int}/slip", slip_pdf, methods=["GET"]),
        Route("/distribute/delegations", delegate, methods=["POST"]),
        Route("/distribute/delegations/{id:int}/cancel", cancel_delegation, methods=["POST"]),
    ]
