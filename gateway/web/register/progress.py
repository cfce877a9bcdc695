"""Officers act in the console (R-TRACK) and everyone's to-do list (R-FOLLOW).

* ``GET /register/YEAR/NUMBER/progress`` — the assignments of the document for the
  officer's unit, each with "Đã nhận", "Đang xử lý", "Hoàn thành" (with an optional result
  file), "Trả lại" (with a reason) and "Đề nghị chuyển" (a reason, optionally the unit
  suggested); ``POST`` the same path does it
  (:class:`gateway.distribution.progress.Progress`).
* ``GET /register/YEAR/NUMBER/results`` — the document's result files (linked from the
  document page); ``GET /register/YEAR/NUMBER/results/ID`` — one, as uploaded.
* :func:`todo_of` — what the dashboard lists: for an officer, their unit's open
  assignments (overdue and due within a working day first); for a leader, what awaits
  their decision, and every overdue or nearly due assignment; for clerks and
  administrators, the same without the leader's queue filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.distribution.decide import Desk
from gateway.distribution.delegation import queue_codes
from gateway.distribution.progress import MAX_RESULT_BYTES, Progress, ProgressError, ResultFile
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import Components
from registry.console.accounts import Role
from registry.console.todo import OpenWork, assignments_of_entry, open_work
from registry.database import read_session
from registry.queries import get_entry
from registry.tracking.distribution import awaiting
from registry.tracking.results import AssignmentResult, results_of, results_of_assignments
from registry.tracking.transfer import TransferRequest, requests_of
from rules.progress import Intent

ACTORS = frozenset({Role.OFFICER, Role.ADMIN})
INTENT_LABELS = {
    Intent.ACKNOWLEDGED: "Đã nhận",
    Intent.IN_PROGRESS: "Đang xử lý",
    Intent.DONE: "Hoàn thành",
    Intent.RETURN: "Trả lại",
}
BUTTONS = (Intent.ACKNOWLEDGED, Intent.IN_PROGRESS)  # one click; the others have a form


@dataclass(frozen=True)
class Todo:
    """The dashboard's to-do list of one person."""

    awaiting_decision: int  # documents awaiting this leader's (or any) distribution
    overdue: tuple[OpenWork, ...]
    due_soon: tuple[OpenWork, ...]  # within one working day
    other: tuple[OpenWork, ...]  # the unit's other open assignments (officers)
    show_queue: bool


def _desk(request: Request) -> Desk | None:
    components: Components | None = request.app.state.components
    return Desk.of(components.pipeline) if components is not None else None


def todo_of(request: Request, person: Person) -> Todo | None:
    """The to-do list for ``person``; None on a console without the intake service."""
    desk = _desk(request)
    if desk is None:
        return None
    now = datetime.now(UTC)
    soon = desk.calendar.add_working_hours(now, desk.calendar.hours_per_day)
    officer = person.role == Role.OFFICER
    units = [person.unit_code] if officer and person.unit_code else ([] if officer else None)
    with read_session(desk.engine) as session:
        work = open_work(session, units=units) if not officer or units else []
        waiting = 0
        if not officer:
            # their own and those delegated to them (§4.8); clerks and admins: all
            codes = queue_codes(desk, person.username) if person.role == Role.LEADER else None
            waiting = len(awaiting(session, leader_codes=codes))
    overdue = tuple(w for w in work if w.assignment.due_at and w.assignment.due_at < now)
    due_soon = tuple(w for w in work if w.assignment.due_at and now <= w.assignment.due_at < soon)
    other = tuple(w for w in work if w not in overdue and w not in due_soon) if officer else ()
    return Todo(waiting, overdue, due_soon, other, show_queue=not officer)


def _unit_of(person: Person) -> str | None:
    if person.role == Role.OFFICER:
        if not person.unit_code:
            raise HTTPException(403, "Tài khoản chưa gắn với đơn vị nào.")
        return person.unit_code
    return None


@signed_in(roles=ACTORS)
async def progress_page(request: Request, person: Person) -> Response:
    return await _page(request, person)


async def _page(request: Request, person: Person, error: str = "", status: int = 200) -> Response:
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    unit = _unit_of(person)

    def load() -> tuple[object, list[Any], dict[int, TransferRequest], dict[int, list[Any]]]:
        with read_session(request.app.state.engine) as session:
            entry = get_entry(session, year, number)
            rows = assignments_of_entry(session, entry.id or 0)
            mine = [a for a in rows if unit is None or a.unit_code == unit]
            if not mine:
                raise HTTPException(403, "Văn bản này không giao cho đơn vị của bạn.")
            ids = [a.id for a in mine if a.id is not None]
            requests = {r.assignment_id: r for r in requests_of(session, [entry.id or 0])}
            results = results_of_assignments(session, ids)
        return entry, list(mine), requests, results

    entry, rows, requests, results = await run_in_threadpool(load)
    desk = _desk(request)
    return render(
        request,
        "progress.html",
        status,
        entry=entry,
        rows=rows,
        intents={i: INTENT_LABELS[i] for i in BUTTONS},
        transfers=requests,
        results=results,
        units=tuple(desk.units.values()) if desk is not None else (),
        error=error,
        done=request.query_params.get("xong") == "1",
    )


@signed_in(roles=ACTORS)
async def progress_report(request: Request, person: Person) -> Response:
    desk = _desk(request)
    if desk is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
    form = await request.form()
    assignment = str(form.get("assignment", ""))
    try:
        intent = Intent(str(form.get("intent", "")))
    except ValueError as exc:
        raise HTTPException(400, "Thao tác không hợp lệ.") from exc
    if not assignment.isdigit():
        raise HTTPException(400, "Thiếu phân công.")
    progress = Progress(desk, person.username, _unit_of(person))
    upload = form.get("result")
    result: ResultFile | None = None
    try:
        if isinstance(upload, UploadFile) and upload.filename and intent is Intent.DONE:
            try:
                data = await upload.read(MAX_RESULT_BYTES + 1)
            finally:
                await upload.close()
            result = ResultFile(upload.filename, data)
        await run_in_threadpool(
            partial(
                progress.report,
                int(assignment),
                intent,
                str(form.get("reason", "")),
                unit=str(form.get("unit", "")),
                result=result,
            )
        )
    except ProgressError as exc:
        return await _page(request, person, str(exc), 409)
    year, number = request.path_params["year"], request.path_params["number"]
    return RedirectResponse(f"/register/{year}/{number}/progress?xong=1", status_code=303)


READERS = frozenset({Role.OFFICER, Role.ADMIN, Role.CLERK, Role.LEADER})


@signed_in(roles=READERS)
async def result_file(request: Request, person: Person) -> Response:
    """One result file, for whoever may read the register (officers: their unit's)."""
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    wanted = int(request.path_params["result"])
    unit = person.unit_code if person.role == Role.OFFICER else None

    def load() -> tuple[AssignmentResult, bytes]:
        with read_session(request.app.state.engine) as session:
            entry = get_entry(session, year, number)
            row = session.get(AssignmentResult, wanted)
            if row is None or row.entry_id != entry.id:
                raise HTTPException(404, "Không tìm thấy tệp kết quả này.")
            mine = [a for a in assignments_of_entry(session, entry.id or 0) if a.unit_code == unit]
            if unit is not None and not mine:
                raise HTTPException(403, "Văn bản này không giao cho đơn vị của bạn.")
        desk = _desk(request)
        if desk is None:
            raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
        return row, desk.archive.read(row.sha256)

    row, data = await run_in_threadpool(load)
    quoted = quote(row.filename)
    return Response(
        data,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@signed_in(roles=READERS)
async def results_page(request: Request, person: Person) -> Response:
    """The result files of a document (linked from the document page)."""
    year, number = int(request.path_params["year"]), int(request.path_params["number"])

    def load() -> tuple[object, list[tuple[AssignmentResult, str]]]:
        with read_session(request.app.state.engine) as session:
            entry = get_entry(session, year, number)
            names = {
                a.id: a.unit_name or a.unit_code
                for a in assignments_of_entry(session, entry.id or 0)
            }
            rows = results_of(session, entry.id or 0)
        return entry, [(r, names.get(r.assignment_id, "")) for r in rows]

    entry, rows = await run_in_threadpool(load)
    return render(request, "progress_results.html", entry=entry, rows=rows)


def routes() -> list[BaseRoute]:
    path = "/register/{year:int}/{number:int}/progress"
    return [
        Route(path, progress_page, methods=["GET"]),
        Route(path, progress_report, methods=["POST"]),
        Route("/register/{year:int}/{number:int}/results", results_page, methods=["GET"]),
        Route(
            "/register/{year:int}/{number:int}/results/{result:int}", result_file, methods=["GET"]
        ),
    ]
