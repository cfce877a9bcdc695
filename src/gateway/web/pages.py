"""The register pages: the list with filters and search, one document, its attachments
and the printed register (the rules page is :mod:`gateway.web.rules_pages`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.accounts import Person
from gateway.archive import Archive
from gateway.register_export import EXPORT_CHOICES
from gateway.register_print import period, print_register
from gateway.register_print import render as render_pdf
from gateway.settings import Deployment
from gateway.web.actions import action_forms
from gateway.web.auth import signed_in
from gateway.web.register_view import (
    DocumentView,
    RegisterPage,
    attachment_of,
    document_types,
    document_view,
    parse_filters,
    register_page,
    year_choices,
)
from gateway.web.rendering import render
from mailparse.mime import parse
from registry.accounts import Role, audit
from registry.database import read_session, write_session
from registry.errors import NotFoundError
from registry.queries import get_entry


def _engine(request: Request) -> Any:
    return request.app.state.engine


@signed_in()
async def register_list(request: Request, person: Person) -> Response:
    filters = parse_filters(request.query_params)

    def load() -> tuple[RegisterPage, list[str]]:
        with read_session(_engine(request)) as session:
            return register_page(session, person, filters), document_types(session)

    page, types = await run_in_threadpool(load)
    deployment: Deployment = request.app.state.deployment
    return render(
        request,
        "register.html",
        page=page,
        filters=filters,
        types=types,
        years=year_choices(datetime.now(deployment.zone).date()),
        officer_without_unit=person.role is Role.OFFICER and not person.unit_code,
        page_link=lambda number: "/register?" + urlencode(filters.query_string(number)),
        export_columns=EXPORT_CHOICES,
    )


def _document(request: Request, person: Person) -> DocumentView:
    year = int(request.path_params["year"])
    number = int(request.path_params["number"])
    with read_session(_engine(request)) as session:
        return document_view(session, person, get_entry(session, year, number))


@signed_in()
async def document(request: Request, person: Person) -> Response:
    view = await run_in_threadpool(_document, request, person)
    entry = view.entry
    return render(
        request,
        "document.html",
        view=view,
        entry=entry,
        inbound_trace=list(view.inbound.trace) if view.inbound else [],
        routing_trace=list(entry.routing_trace),
        actions=action_forms(request, person),
    )


def _attachment_bytes(request: Request, person: Person) -> tuple[bytes, str, str]:
    view = _document(request, person)
    try:
        record = attachment_of(view, int(request.path_params["attachment"]))
    except LookupError as exc:
        raise NotFoundError("no such attachment") from exc
    archive: Archive = request.app.state.archive
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


@signed_in(roles={Role.CLERK, Role.LEADER, Role.ADMIN})
async def printed_register(request: Request, person: Person) -> Response:
    """The printed register (NĐ 30 Phụ lục IV) as a PDF download; the print is audited."""
    deployment: Deployment = request.app.state.deployment
    params = request.query_params
    today = datetime.now(deployment.zone).date()
    year_text = params.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else today.year
    try:
        start, end = period(year, params.get("from") or None, params.get("to") or None, today)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc

    def build() -> bytes:
        register = print_register(_engine(request), deployment, year, start, end)
        with write_session(_engine(request)) as session:
            details = {"year": year, "from": start.isoformat(), "to": end.isoformat()}
            audit(
                session,
                actor=person.username,
                action="register.print",
                now=datetime.now(UTC),
                details=details,
            )
        return render_pdf(register)

    pdf = await run_in_threadpool(build)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="so-den-{year}.pdf"'},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/register", register_list),
        Route("/register/print", printed_register),
        Route("/register/{year:int}/{number:int}", document),
        Route("/register/{year:int}/{number:int}/attachments/{attachment:int}", attachment),
    ]
