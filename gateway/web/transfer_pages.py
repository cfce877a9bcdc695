"""A unit's request to transfer a document (đề nghị chuyển, R-DISTRIB): the page where the
leader who distributed it (or the clerk, when rules assigned it) transfers it to another
unit or keeps the assignment, once.

* ``GET /distribute/transfer/ID`` — the request, the document and the units to choose from;
* ``POST`` the same path — transfer (the same reassignment as a decision, with a routed
  copy) or keep (:func:`gateway.distribution.transfer.resolve`).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.distribution import transfer
from gateway.distribution.decide import (
    DistributionError,
)
from gateway.web.auth import signed_in
from gateway.web.distribute_pages import READERS, desk_of
from gateway.web.rendering import render
from registry.console.accounts import Role


def _may_resolve(person: Person, item: transfer.Pending) -> bool:
    """A leader's request: leaders and admins; a clerk's (no leader): clerks and admins."""
    if person.role == Role.ADMIN:
        return True
    return person.role == (Role.LEADER if item.to_leader else Role.CLERK)


@signed_in(roles=READERS)
async def transfer_page(request: Request, person: Person) -> Response:
    return await _transfer_page(request, person)


async def _transfer_page(
    request: Request, person: Person, error: str = "", status: int = 200
) -> Response:
    desk = desk_of(request)
    try:
        item = await run_in_threadpool(transfer.one, desk, int(request.path_params["id"]))
    except DistributionError as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(
        request,
        "distribute_transfer.html",
        status,
        item=item,
        units=tuple(desk.units.values()),
        may_decide=_may_resolve(person, item) and item.request.resolved_at is None,
        error=error,
    )


@signed_in(roles=READERS)
async def transfer_decide(request: Request, person: Person) -> Response:
    desk = desk_of(request)
    request_id = int(request.path_params["id"])
    form = await request.form()
    try:
        item = await run_in_threadpool(transfer.one, desk, request_id)
        if not _may_resolve(person, item):
            raise HTTPException(403, "Bạn không có quyền quyết định đề nghị chuyển này.")
        unit = _transfer_choice(form)
        keep = unit is None
        label = await run_in_threadpool(
            partial(
                transfer.resolve,
                desk,
                request_id,
                by=person.username,
                by_name=person.display_name or person.username,
                unit=unit,
                note=str(form.get("note", "")),
            )
        )
    except DistributionError as exc:
        return await _transfer_page(request, person, str(exc), 409)
    what = "đã giữ nguyên phân công" if keep else "đã chuyển đơn vị xử lý"
    return RedirectResponse(
        f"/distribute?tb={quote(f'Văn bản đến số {label}: {what}.')}", status_code=303
    )


def _transfer_choice(form: FormData) -> str | None:
    """The unit chosen to transfer to; None to keep the assignment as it is."""
    if str(form.get("action", "")) == "keep":
        return None
    unit = str(form.get("unit", "")).strip()
    if not unit:
        raise DistributionError("Hãy chọn đơn vị nhận văn bản.")
    return unit


def routes() -> list[BaseRoute]:
    return [
        Route("/distribute/transfer/{id:int}", transfer_page, methods=["GET"]),
        Route("/distribute/transfer/{id:int}", transfer_decide, methods=["POST"]),
    ]
