"""``GET /outgoing`` (the outgoing register with each document's recipients at a glance)
and ``GET /outgoing/ID`` (one document: every recipient's answer and the history),
DESIGN §4.7, R-OUTREG, R-DELIVERY. Every role reads; clerks and admins issue
(:mod:`gateway.web.outgoing.issue_form`).

Filters: ``?nam=YEAR``, ``?trang-thai=received|refused|waiting|overdue|bounced`` (documents
with at least one recipient in that state), ``?q=`` — every word, with or without
diacritics (the register's folding, :func:`mailparse.documents.text.fold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.web.auth import signed_in
from gateway.web.outgoing.labels import (
    GLANCE_LABELS,
    SOURCE_LABELS,
    STATUS_CODE_LABELS,
    Glance,
    GlanceRow,
    event_note,
    glance,
    glance_of,
    reason_line,
    state_label,
)
from gateway.web.register.actions import CLERKS
from gateway.web.rendering import render
from registry.database import read_session
from registry.errors import NotFoundError
from registry.outgoing.queries import get_outgoing, history_of, list_outgoing
from registry.outgoing.views import EventView, OutgoingView

PAGE_ROWS = 100
SEARCH_CHARS = 200


@dataclass(frozen=True)
class OutgoingFilters:
    year: int | None
    state: Glance | None
    query: str
    page: int

    def link(self, page: int) -> str:
        parts = [f"trang={page}"]
        if self.year:
            parts.append(f"nam={self.year}")
        if self.state:
            parts.append(f"trang-thai={self.state.value}")
        if self.query:
            parts.append(f"q={self.query}")
        return "/outgoing?" + "&".join(parts)


def parse_filters(params: Any) -> OutgoingFilters:
    year_text = str(params.get("nam", "")).strip()
    state_text = str(params.get("trang-thai", "")).strip()
    page_text = str(params.get("trang", "1")).strip()
    year = int(year_text) if year_text.isdigit() and 1900 < int(year_text) < 3000 else None
    state = Glance(state_text) if state_text in {g.value for g in Glance} else None
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    query = str(params.get("q", "")).strip()[:SEARCH_CHARS]
    return OutgoingFilters(year, state, query, page)


def _listed(request: Request, filters: OutgoingFilters) -> tuple[list[GlanceRow], int]:
    with read_session(request.app.state.engine) as session:
        views = list_outgoing(session, year=filters.year, search=filters.query or None)
    rows = [glance(view) for view in views]
    if filters.state is not None:
        rows = [row for row in rows if row.counts[filters.state]]
    start = (filters.page - 1) * PAGE_ROWS
    return rows[start : start + PAGE_ROWS], len(rows)


@signed_in()
async def outgoing_list(request: Request, person: Person) -> Response:
    filters = parse_filters(request.query_params)
    rows, total = await run_in_threadpool(_listed, request, filters)
    deployment: Deployment = request.app.state.deployment
    return render(
        request,
        "outgoing_list.html",
        rows=rows,
        total=total,
        filters=filters,
        glances=list(Glance),
        glance_labels=GLANCE_LABELS,
        more=filters.page * PAGE_ROWS < total,
        this_year=datetime.now(deployment.zone).year,
        may_issue=person.role in CLERKS,
        new=request.query_params.get("moi") == "1",
    )


def _document(request: Request, document_id: int) -> tuple[OutgoingView, list[EventView]]:
    with read_session(request.app.state.engine) as session:
        try:
            return get_outgoing(session, document_id), history_of(session, document_id)
        except NotFoundError as exc:
            raise HTTPException(404) from exc


@signed_in()
async def outgoing_document(request: Request, person: Person) -> Response:
    document_id = int(request.path_params["document_id"])
    document, history = await run_in_threadpool(_document, request, document_id)
    return render(
        request,
        "outgoing_document.html",
        document=document,
        row=glance(document),
        history=history,
        glance_labels=GLANCE_LABELS,
        glance_of=glance_of,
        state_label=state_label,
        source_label=lambda key: SOURCE_LABELS.get(key, "Khác"),
        status_code_label=lambda code: STATUS_CODE_LABELS.get(code or "", ""),
        event_note=event_note,
        reason_line=reason_line,
        new=request.query_params.get("moi") == "1",
    )


@signed_in()
async def outgoing_file(request: Request, person: Person) -> Response:
    """The issued PDF, byte for byte as it was sent."""
    document_id = int(request.path_params["document_id"])
    document, _ = await run_in_threadpool(_document, request, document_id)
    archive = request.app.state.archive
    try:
        data = await run_in_threadpool(archive.read, document.document_sha256)
    except OSError as exc:
        raise HTTPException(404) from exc
    name = quote(document.filename or "van-ban-di.pdf")
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{name}"}
    return Response(data, media_type="application/pdf", headers=headers)


def routes() -> list[BaseRoute]:
    from gateway.web.outgoing import issue_form

    return [
        Route("/outgoing", outgoing_list),
        *issue_form.routes(),
        Route("/outgoing/{document_id:int}", outgoing_document),
        Route("/outgoing/{document_id:int}/van-ban.pdf", outgoing_file),
    ]
