"""The register pages: the list with filters, search, columns and saved searches, one
document, its attachments, the printed register and the tracking book (the rules page is
:mod:`gateway.web.admin.rules`; saving searches is :mod:`gateway.web.register.saved_searches`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.reports.export import EXPORT_CHOICES
from gateway.reports.register_print import period, print_register
from gateway.reports.register_print import render as render_pdf
from gateway.reports.tracking_print import collect as collect_tracking
from gateway.reports.tracking_print import render as render_tracking
from gateway.storage.archive import ByteStore
from gateway.web.auth import signed_in
from gateway.web.register.actions import action_forms
from gateway.web.register.filters import RegisterFilters, parse_filters
from gateway.web.register.view import (
    DocumentView,
    RegisterPage,
    attachment_of,
    document_view,
    register_page,
    unit_choices,
    year_choices,
)
from gateway.web.rendering import render
from mailparse.mime import parse
from registry.cancellations import EntryCancellation, cancellations_of
from registry.console.accounts import Role, audit
from registry.console.documents import document_types
from registry.console.saved_searches import Saved, saved_searches
from registry.database import read_session, write_session
from registry.errors import NotFoundError
from registry.queries import get_entry


def _engine(request: Request) -> Any:
    return request.app.state.engine


@dataclass(frozen=True)
class RegisterChoices:
    """What the filter form offers, and the person's saved searches."""

    types: list[str]
    units: list[tuple[str, str]]
    saved: list[Saved]


def _configured_units(request: Request) -> dict[str, str]:
    components = request.app.state.components
    if components is None or components.router is None:
        return {}
    return {code: unit.name for code, unit in components.router.units.items()}


@signed_in()
async def register_list(request: Request, person: Person) -> Response:
    return await register_response(request, person, parse_filters(request.query_params))


async def register_response(
    request: Request,
    person: Person,
    filters: RegisterFilters,
    status: int = 200,
    *,
    save_error: str = "",
    save_name: str = "",
) -> Response:
    """The register page for ``filters`` (also re-shown with a saving error)."""
    configured = _configured_units(request)

    def load() -> tuple[RegisterPage, RegisterChoices]:
        with read_session(_engine(request)) as session:
            zone = request.app.state.deployment.zone
            page = register_page(session, person, filters, datetime.now(UTC), zone)
            choices = RegisterChoices(
                document_types(session),
                unit_choices(session, configured),
                saved_searches(session, person.username),
            )
            return page, choices

    page, choices = await run_in_threadpool(load)
    deployment: Deployment = request.app.state.deployment
    response = render(
        request,
        "register.html",
        status,
        page=page,
        filters=filters,
        choices=choices,
        years=year_choices(datetime.now(deployment.zone).date()),
        officer_without_unit=person.role is Role.OFFICER and not person.unit_code,
        page_link=lambda number: "/register?" + filters.encoded(number),
        export_columns=EXPORT_CHOICES,
        save_error=save_error,
        save_name=save_name,
    )
    if request.headers.get("HX-Request") == "true":  # htmx would push every field, even empty
        query = filters.encoded(filters.page if filters.page > 1 else None)
        response.headers["HX-Push-Url"] = "/register" + (f"?{query}" if query else "")
    return response


def _document(request: Request, person: Person) -> DocumentView:
    year = int(request.path_params["year"])
    number = int(request.path_params["number"])
    with read_session(_engine(request)) as session:
        return document_view(session, person, get_entry(session, year, number))


def _cancellation(request: Request, entry_id: int) -> EntryCancellation | None:
    with read_session(_engine(request)) as session:
        return cancellations_of(session, [entry_id]).get(entry_id)


@signed_in()
async def document(request: Request, person: Person) -> Response:
    view = await run_in_threadpool(_document, request, person)
    entry = view.entry
    assert entry.id is not None
    cancellation = await run_in_threadpool(_cancellation, request, entry.id)
    return render(
        request,
        "document.html",
        view=view,
        entry=entry,
        cancellation=cancellation,
        paper=view.inbound is not None and view.inbound.protocol == "paper",
        just_registered=request.query_params.get("moi") == "1",
        inbound_trace=list(view.inbound.trace) if view.inbound else [],
        routing_trace=list(entry.routing_trace),
        actions=action_forms(request, person),
        unit_name=lambda code: _configured_units(request).get(code, code),
    )


def _attachment_bytes(request: Request, person: Person) -> tuple[bytes, str, str]:
    view = _document(request, person)
    try:
        record = attachment_of(view, int(request.path_params["attachment"]))
    except LookupError as exc:
        raise NotFoundError("no such attachment") from exc
    archive: ByteStore = request.app.state.archive
    try:
        raw = archive.read(view.entry.sha256)
    except OSError as exc:
        raise NotFoundError("archived message missing") from exc
    for attachment in parse(raw).attachments:
        if attachment.sha256 == record.sha256:
            return attachment.data, record.filename, record.content_type
    raise NotFoundError("attachment not in the archived message")


@signed_in()
async def attachment(request: Request, person: Person) -> Response:
    data, filename, content_type = await run_in_threadpool(_attachment_bytes, request, person)
    disposition = f"attachment; filename*=UTF-8''{quote(filename or 'tep-dinh-kem')}"
    return Response(
        data,
        media_type=content_type or "application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


BOOK_KEEPERS = frozenset({Role.CLERK, Role.LEADER, Role.ADMIN})


def _period(request: Request) -> tuple[int, date, date]:
    """``?year=&from=&to=`` of the print forms: the year (default this one) and its dates."""
    deployment: Deployment = request.app.state.deployment
    params = request.query_params
    today = datetime.now(deployment.zone).date()
    year_text = params.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else today.year
    try:
        start, end = period(year, params.get("from") or None, params.get("to") or None, today)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return year, start, end


def _audit_print(request: Request, person: Person, action: str, dates: tuple[date, date]) -> None:
    with write_session(_engine(request)) as session:
        details = {"year": dates[0].year, "from": dates[0].isoformat(), "to": dates[1].isoformat()}
        audit(session, actor=person.username, action=action, now=datetime.now(UTC), details=details)


async def _printed_book(
    request: Request, person: Person, action: str, name: str, make: Callable[..., bytes]
) -> Response:
    """A printed book of the year and period asked for, as a PDF download; the print is
    audited as ``action``. ``make(engine, deployment, year, (start, end))`` renders it."""
    deployment: Deployment = request.app.state.deployment
    year, start, end = _period(request)

    def build() -> bytes:
        pdf = make(_engine(request), deployment, year, (start, end))
        _audit_print(request, person, action, (start, end))
        return pdf

    pdf = await run_in_threadpool(build)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}-{year}.pdf"'},
    )


@signed_in(roles=BOOK_KEEPERS)
async def printed_register(request: Request, person: Person) -> Response:
    """The printed register (NĐ 30 Phụ lục IV, 10 columns)."""

    def make(engine: Any, deployment: Deployment, year: int, dates: tuple[date, date]) -> bytes:
        return render_pdf(print_register(engine, deployment, year, *dates))

    return await _printed_book(request, person, "register.print", "so-den", make)


@signed_in(roles=BOOK_KEEPERS)
async def tracking_book(request: Request, person: Person) -> Response:
    """The sổ theo dõi giải quyết văn bản đến (7 columns), progress as of now."""

    def make(engine: Any, deployment: Deployment, year: int, dates: tuple[date, date]) -> bytes:
        now = datetime.now(UTC)
        return render_tracking(collect_tracking(engine, deployment, year, dates, now))

    return await _printed_book(request, person, "register.track", "so-theo-doi", make)


def routes() -> list[BaseRoute]:
    return [
        Route("/register", register_list),
        Route("/register/print", printed_register),
        Route("/register/track", tracking_book),
        Route("/register/{year:int}/{number:int}", document),
        Route("/register/{year:int}/{number:int}/attachments/{attachment:int}", attachment),
    ]
