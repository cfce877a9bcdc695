"""Clerk actions on the document page (DESIGN §4.6): assign, reassign, correct a field,
add a note. The work is :class:`gateway.clerk.actions.ClerkActions`; here are the forms'
endpoints (clerks and administrators, CSRF-checked) and what the page needs to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.actions import ActionError, Assign, ClerkActions, Field
from gateway.clerk.dates import DateError, parse_day
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import Components
from registry.console.accounts import Role
from registry.database import read_session
from registry.queries import get_entry
from rules.routing_types import Role as AssigneeRole
from rules.routing_types import Unit
from templates import URGENCY_LABELS, labels, role_label

CLERKS = frozenset({Role.CLERK, Role.ADMIN})
# The urgency has its own form with Vietnamese choices; the others are typed.
FIELD_LABELS: dict[Field, str] = {f: labels.field(f) for f in Field if f is not Field.URGENCY}
ROLE_LABELS = {role: role_label(role) for role in AssigneeRole}


@dataclass(frozen=True)
class ActionForms:
    """What the document page needs to draw the clerk's forms."""

    units: tuple[Unit, ...]
    fields: dict[Field, str]
    roles: dict[AssigneeRole, str]
    urgencies: dict[str, str]


def action_forms(request: Request, person: Person) -> ActionForms | None:
    """The forms for a clerk or an administrator of a full console; None for the others."""
    components: Components | None = request.app.state.components
    if person.role not in CLERKS or components is None or components.router is None:
        return None
    units = tuple(components.router.units.values())
    return ActionForms(units, dict(FIELD_LABELS), dict(ROLE_LABELS), dict(URGENCY_LABELS))


def _entry_id(request: Request) -> int:
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    with read_session(request.app.state.engine) as session:
        entry_id = get_entry(session, year, number).id  # NotFoundError: 404
    assert entry_id is not None
    return entry_id


def _actions(request: Request, person: Person) -> ClerkActions:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
    return ClerkActions(components, person.username)


def _due(form: FormData) -> date | None:
    try:
        return parse_day(str(form.get("due", "")))
    except DateError as exc:
        raise ActionError(f"Hạn xử lý: {exc}") from exc


async def _act(request: Request, person: Person, work: str, form: FormData) -> Response:
    actions = _actions(request, person)

    def run() -> None:
        entry_id = _entry_id(request)
        if work == "assign":
            role = AssigneeRole(str(form.get("role", AssigneeRole.LEAD)))
            actions.assign(entry_id, Assign(str(form.get("unit", "")), role, _due(form)))
        elif work == "reassign":
            assignment = str(form.get("assignment", ""))
            if not assignment.isdigit():
                raise HTTPException(400, "Hãy chọn phân công cần chuyển.")
            actions.reassign(int(assignment), str(form.get("unit", "")), _due(form))
        elif work == "correct":
            actions.correct(entry_id, Field(str(form.get("field", ""))), str(form.get("value", "")))
        else:
            actions.note(entry_id, str(form.get("text", "")))

    try:
        await run_in_threadpool(run)
    except ActionError as exc:
        return render(request, "error.html", 409, message=str(exc))
    except ValueError as exc:  # an unknown role or field in a forged form
        raise HTTPException(400, "Biểu mẫu không hợp lệ.") from exc
    year, number = request.path_params["year"], request.path_params["number"]
    return RedirectResponse(f"/register/{year}/{number}#thao-tac", status_code=303)


def _endpoint(work: str) -> Route:
    @signed_in(roles=CLERKS)
    async def endpoint(request: Request, person: Person) -> Response:
        return await _act(request, person, work, await request.form())

    path = "/register/{year:int}/{number:int}/" + work
    return Route(path, endpoint, methods=["POST"], name=f"document-{work}")


def routes() -> list[BaseRoute]:
    return [_endpoint(work) for work in ("assign", "reassign", "correct", "note")]
