"""``/directory``: the agency directory in force (danh bạ cơ quan), DESIGN §4.9.

Clerks, leaders and administrators read it (who is each agency, by which addresses it is
recognised, and whether it comes from ``agencies.yaml`` or the database); administrators
add, edit and remove the database's agencies (:mod:`gateway.clerk.directory_edits`, the
same actions as ``gateway directory remove``). Every gateway instance sees a change at its
next message (:class:`registry.agencies.store.LiveDirectory`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.directory_edits import (
    FIELD_LABELS,
    AgencyInput,
    DirectoryEditError,
    NoStoredAgencyError,
    Removed,
    Saved,
    agency_from,
    remove,
    save,
)
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import directory_in_force
from mailparse.documents.text import fold
from registry.agencies.directory import Agency, Directory, unusual_addresses
from registry.agencies.store import LiveDirectory, stored_rows
from registry.console.accounts import Role
from registry.database import read_session
from registry.errors import NotFoundError

READERS = {Role.CLERK, Role.ADMIN, Role.LEADER}
EDITORS = {Role.ADMIN}


@dataclass(frozen=True)
class DirectoryRow:
    """One agency in force and where it comes from (the file, or a row someone wrote)."""

    agency: Agency
    parent_name: str
    stored_by: str  # empty: from agencies.yaml
    stored_at: datetime | None
    how: str  # how the row was written, in Vietnamese; empty for the file
    in_file: bool  # agencies.yaml also has this code (it comes back when the row goes)

    @property
    def in_database(self) -> bool:
        return self.stored_at is not None

    def matches(self, words: tuple[str, ...]) -> bool:
        a = self.agency
        text = fold(" ".join((a.code, a.name, *a.addresses, *a.domains)))
        return all(word in text for word in words)


async def live_directory(request: Request) -> LiveDirectory:
    """The service's directory when the console runs inside ``gateway serve``, otherwise
    one made once for the console (components may be None)."""
    state = request.app.state
    cached: LiveDirectory | None = getattr(state, "directory", None)
    if cached is None:
        components = state.components
        found = components.pipeline.directory if components is not None else None
        cached = (
            found
            if isinstance(found, LiveDirectory)
            else await run_in_threadpool(directory_in_force, state.deployment, state.engine)
        )
        state.directory = cached
    return cached


def directory_rows(live: LiveDirectory, engine: Engine) -> list[DirectoryRow]:
    """The directory in force, each agency with its origin (read in one session)."""
    with read_session(engine) as session:
        stored = {row.code: row for row in stored_rows(session)}
    base = live.file_directory
    by_code = {a.code: a for a in base.agencies}
    for code, stored_row in stored.items():
        by_code[code] = stored_row.agency()
    names = {code: a.name for code, a in by_code.items()}
    rows = []
    for code, agency in by_code.items():
        row = stored.get(code)
        rows.append(
            DirectoryRow(
                agency=agency,
                parent_name=names.get(agency.parent, ""),
                stored_by=_who(row.updated_by) if row else "",
                stored_at=row.updated_at if row else None,
                how=_how(row.source) if row else "",
                in_file=base.by_code(code) is not None,
            )
        )
    return rows


def _who(actor: str) -> str:
    if actor.startswith("cli:"):
        return f"{actor.removeprefix('cli:')} (dòng lệnh)"
    return actor or "không rõ"


def _how(source: str) -> str:
    kind, _, detail = source.partition(":")
    if kind == "import":
        return f"Nhập từ tệp {detail}"
    if kind == "held":
        return "Thêm khi chấp nhận thư tạm giữ của cơ quan"
    if kind == "console":
        return "Sửa trên trang quản trị"
    return "Ghi vào cơ sở dữ liệu"


@signed_in(roles=READERS)
async def directory_page(request: Request, person: Person) -> Response:
    live = await live_directory(request)
    rows = await run_in_threadpool(directory_rows, live, request.app.state.engine)
    q = request.query_params.get("q", "").strip()[:200]
    words = tuple(fold(q).split())
    shown = [r for r in rows if r.matches(words)] if words else rows
    return render(
        request,
        "directory.html",
        rows=shown,
        total=len(rows),
        q=q,
        done=_done_on_list(request, rows),
    )


@signed_in(roles=READERS)
async def agency_page(request: Request, person: Person) -> Response:
    row = await _row(request)
    return _agency_response(request, row, _typed(row.agency), (), 200)


@signed_in(roles=EDITORS)
async def new_page(request: Request, person: Person) -> Response:
    return _new_response(request, AgencyInput(code="", name=""), (), 200)


@signed_in(roles=EDITORS)
async def save_agency(request: Request, person: Person) -> Response:
    row = await _row(request)
    typed = _input(await request.form(), code=row.agency.code)
    live = await live_directory(request)
    try:
        saved = await run_in_threadpool(_save, live, request.app.state.engine, typed, person, False)
    except DirectoryEditError as exc:
        return _agency_response(request, row, typed, exc.problems, 422)
    return _saved(saved)


@signed_in(roles=EDITORS)
async def add_agency(request: Request, person: Person) -> Response:
    typed = _input(await request.form())
    live = await live_directory(request)
    try:
        saved = await run_in_threadpool(_save, live, request.app.state.engine, typed, person, True)
    except DirectoryEditError as exc:
        return _new_response(request, typed, exc.problems, 422)
    return _saved(saved)


@signed_in(roles=EDITORS)
async def remove_agency(request: Request, person: Person) -> Response:
    code = request.path_params["code"]
    live = await live_directory(request)
    try:
        removed: Removed = await run_in_threadpool(
            remove, request.app.state.engine, code, live.file_directory, actor=person.username
        )
    except NoStoredAgencyError as exc:
        row = await _row(request)
        return _agency_response(request, row, _typed(row.agency), exc.problems, 409)
    return RedirectResponse(
        f"/directory?xong=xoa&ma={quote(removed.removed.code, safe='')}", status_code=303
    )


def _save(
    live: LiveDirectory, engine: Engine, typed: AgencyInput, person: Person, new: bool
) -> Saved:
    current = live.refresh()
    agency = agency_from(typed, current)
    return save(engine, agency, current, actor=person.username, new=new)


def _saved(saved: Saved) -> Response:
    """To the agency's page; the confirmation is rebuilt there from keys (no text of ours
    travels in the address, so a link cannot make the console say something else)."""
    key = "them" if saved.added else "sua" if saved.changed else "khong-doi"
    fields = ",".join(saved.changed)
    return RedirectResponse(
        f"/directory/{quote(saved.agency.code, safe='')}?xong={key}&truong={fields}",
        status_code=303,
    )


def _done_on_agency(request: Request, agency: Agency) -> str:
    key = request.query_params.get("xong", "")
    if key == "them":
        return f"Đã lưu: đã thêm {agency.name} vào danh bạ."
    if key == "sua":
        names = request.query_params.get("truong", "").split(",")
        fields = ", ".join(FIELD_LABELS[f].lower() for f in names if f in FIELD_LABELS)
        return f"Đã lưu các thay đổi: {fields}." if fields else "Đã lưu các thay đổi."
    if key == "khong-doi":
        return "Không có gì thay đổi nên chưa ghi gì."
    return ""


def _done_on_list(request: Request, rows: list[DirectoryRow]) -> str:
    if request.query_params.get("xong") != "xoa":
        return ""
    code = request.query_params.get("ma", "")[:64]
    back = next((r for r in rows if r.agency.code == code), None)
    done = f"Đã xóa cơ quan mã {code} khỏi danh bạ trong cơ sở dữ liệu."
    if back is not None and not back.in_database:
        return f"{done} Mục cùng mã trong tệp cấu hình ({back.agency.name}) có hiệu lực trở lại."
    if back is None:
        return f"{done} Tệp cấu hình không có mã này: cổng không còn nhận ra cơ quan này."
    return done


async def _row(request: Request) -> DirectoryRow:
    code = request.path_params["code"]
    rows = await run_in_threadpool(
        directory_rows, await live_directory(request), request.app.state.engine
    )
    found = next((r for r in rows if r.agency.code == code), None)
    if found is None:
        raise NotFoundError(code)
    return found


def _input(form: FormData, code: str | None = None) -> AgencyInput:
    def text(name: str, limit: int = 4000) -> str:
        value = form.get(name, "")
        return value[:limit] if isinstance(value, str) else ""

    return AgencyInput(
        code=code if code is not None else text("code", 100),
        name=text("name", 500),
        parent=text("parent", 100),
        group=text("group", 200),
        addresses=text("addresses"),
        domains=text("domains"),
        signer_organizations=text("signer_organizations"),
    )


def _typed(agency: Agency) -> AgencyInput:
    return AgencyInput(
        code=agency.code,
        name=agency.name,
        parent=agency.parent,
        group=agency.group,
        addresses="\n".join(agency.addresses),
        domains="\n".join(agency.domains),
        signer_organizations="\n".join(agency.signer_organizations),
    )


def _agency_response(
    request: Request, row: DirectoryRow, typed: AgencyInput, problems: tuple[str, ...], status: int
) -> Response:
    return render(
        request,
        "directory_agency.html",
        status,
        row=row,
        form=typed,
        problems=problems,
        done=_done_on_agency(request, row.agency) if status == 200 else "",
        warnings=[w.partition(": ")[2] for w in unusual_addresses(Directory((row.agency,)))],
    )


def _new_response(
    request: Request, typed: AgencyInput, problems: tuple[str, ...], status: int
) -> Response:
    return render(request, "directory_new.html", status, form=typed, problems=problems)


def routes() -> list[BaseRoute]:
    return [
        Route("/directory", directory_page),
        Route("/directory/new", new_page, methods=["GET"]),
        Route("/directory/new", add_agency, methods=["POST"]),
        Route("/directory/{code}", agency_page, methods=["GET"]),
        Route("/directory/{code}", save_agency, methods=["POST"]),
        Route("/directory/{code}/remove", remove_agency, methods=["POST"]),
    ]
