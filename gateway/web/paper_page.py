"""``/register/paper``: a clerk registers a paper document by hand into the same numbering
(NĐ 30 Điều 22.2), with its scan when there is one (:mod:`gateway.clerk.paper`)."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.actions import ActionError
from gateway.clerk.paper import MAX_SCAN_BYTES, PaperDocument, Scan, register_paper
from gateway.web.actions import CLERKS
from gateway.web.auth import signed_in
from gateway.web.rendering import render
from gateway.wiring import Components
from templates import URGENCY_LABELS

FIELD_CHARS = 2000


@signed_in(roles=CLERKS)
async def paper_form(request: Request, person: Person) -> Response:
    return render(request, "paper.html", error="", values={}, urgencies=URGENCY_LABELS)


def _text(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()[:FIELD_CHARS]


async def _paper(form: FormData) -> PaperDocument:
    issued = _text(form, "issued_on")
    pages = _text(form, "pages")
    urgency = _text(form, "urgency") or "thuong"
    if urgency not in URGENCY_LABELS:
        raise ActionError("Độ khẩn không hợp lệ.")
    try:
        issued_on = date.fromisoformat(issued) if issued else None
    except ValueError as exc:
        raise ActionError("Ngày tháng văn bản không hợp lệ.") from exc
    upload = form.get("scan")
    scan = None
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            data = await upload.read(MAX_SCAN_BYTES + 1)
        finally:
            await upload.close()
        if len(data) > MAX_SCAN_BYTES:
            raise ActionError("Tệp quét quá lớn (tối đa 50 MB).")
        content_type = upload.content_type or "application/octet-stream"
        scan = Scan(upload.filename, content_type, data)
    return PaperDocument(
        document_number=_text(form, "document_number"),
        issued_on=issued_on,
        issuer_name=_text(form, "issuer_name"),
        document_type=_text(form, "document_type"),
        summary=_text(form, "summary"),
        urgency=urgency,
        pages=int(pages) if pages.isdigit() else None,
        scan=scan,
    )


@signed_in(roles=CLERKS)
async def paper_register(request: Request, person: Person) -> Response:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
    form = await request.form()
    try:
        paper = await _paper(form)
        number = await run_in_threadpool(register_paper, components, paper, person.username)
    except ActionError as exc:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return render(
            request, "paper.html", 422, error=str(exc), values=values, urgencies=URGENCY_LABELS
        )
    return RedirectResponse(f"/register/{number.year}/{number.number}", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/register/paper", paper_form, methods=["GET"]),
        Route("/register/paper", paper_register, methods=["POST"]),
    ]
