"""``/register/paper``: a clerk registers a paper document by hand into the same numbering
(NĐ 30 Điều 22.2), with its scan when there is one (:mod:`gateway.clerk.paper`).

Two steps, so that no number is taken by a slip of the hand: the form posts for review
(``step=review``: the fields checked, the scan virus-scanned and kept in the archive) and a
confirmation page shows what will be entered; only ``step=confirm`` takes the number
(``step=edit`` goes back to the form, the scan kept). The staged scan travels between the
two as its sha256, signed with the session's CSRF token, so a forged form cannot attach
another archived file. ``/register/YEAR/NUMBER/cancel`` cancels a mistaken paper entry
(:mod:`gateway.clerk.paper_cancel`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.actions import ActionError
from gateway.clerk.dates import DateError, parse_day
from gateway.clerk.paper import (
    MAX_SCAN_BYTES,
    SECRECY_CHOICES,
    PaperDocument,
    Scan,
    check,
    register_paper,
    stage_scan,
)
from gateway.clerk.paper_cancel import cancel_paper
from gateway.web.auth import signed_in
from gateway.web.register.actions import CLERKS
from gateway.web.rendering import render
from gateway.wiring import Components
from templates import URGENCY_LABELS
from templates.labels import SECRECY_LABELS

FIELD_CHARS = 2000
TEXT_FIELDS = (
    "document_number",
    "issued_on",
    "issuer_name",
    "sender_name",
    "signer_name",
    "document_type",
    "summary",
    "urgency",
    "secrecy",
    "pages",
)
SCAN_FIELDS = ("scan_sha256", "scan_name", "scan_type", "scan_seal")
SECRECY_CHOICE_LABELS = {key: SECRECY_LABELS[key] for key in SECRECY_CHOICES}


def _components(request: Request) -> Components:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ tiếp nhận.")
    return components


def _text(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()[:FIELD_CHARS]


def _values(form: FormData) -> dict[str, str]:
    """What the clerk typed (and the staged scan), to fill the form or the confirmation."""
    return {name: _text(form, name) for name in (*TEXT_FIELDS, *SCAN_FIELDS)}


def _paper(values: dict[str, str], scan: Scan | None) -> PaperDocument:
    pages = values["pages"]
    urgency = values["urgency"] or "thuong"
    secrecy = values["secrecy"]
    if secrecy not in SECRECY_CHOICES:
        raise ActionError("Độ mật không hợp lệ.")
    if pages and not (pages.isdigit() and 0 < int(pages) < 100_000):
        raise ActionError("Số trang phải là một số nguyên dương.")
    try:
        issued_on = parse_day(values["issued_on"])
    except DateError as exc:
        raise ActionError(f"Ngày tháng văn bản: {exc}") from exc
    return PaperDocument(
        document_number=values["document_number"],
        issued_on=issued_on,
        issuer_name=values["issuer_name"],
        document_type=values["document_type"],
        summary=values["summary"],
        urgency=urgency,
        pages=int(pages) if pages else None,
        scan=scan,
        sender_name=values["sender_name"],
        signer_name=values["signer_name"],
        secrecy=secrecy,
    )


def _seal(request: Request, sha256: str, name: str, content_type: str) -> str:
    key = str(request.state.csrf).encode()
    return hmac.new(key, f"{sha256}\n{name}\n{content_type}".encode(), hashlib.sha256).hexdigest()


async def _uploaded(form: FormData) -> Scan | None:
    upload = form.get("scan")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    try:
        data = await upload.read(MAX_SCAN_BYTES + 1)
    finally:
        await upload.close()
    if len(data) > MAX_SCAN_BYTES:
        raise ActionError("Tệp quét quá lớn (tối đa 50 MB).")
    if not data:
        raise ActionError("Tệp quét trống.")
    return Scan(upload.filename[:255], upload.content_type or "application/octet-stream", data)


def _staged(request: Request, values: dict[str, str]) -> Scan | None:
    """The scan kept at review, read back from the archive (its seal checked)."""
    sha256 = values["scan_sha256"]
    if not sha256:
        return None
    expected = _seal(request, sha256, values["scan_name"], values["scan_type"])
    if not hmac.compare_digest(expected, values["scan_seal"]):
        raise HTTPException(400, "Bản quét không hợp lệ; hãy chọn lại tệp.")
    try:
        data = _components(request).pipeline.archive.read(sha256)
    except OSError as exc:
        raise ActionError("Không còn bản quét đã chọn; hãy chọn lại tệp.") from exc
    return Scan(values["scan_name"], values["scan_type"], data)


def _form(request: Request, values: dict[str, str], error: str = "", status: int = 200) -> Response:
    return render(
        request,
        "paper.html",
        status,
        error=error,
        values=values,
        urgencies=URGENCY_LABELS,
        secrecies=SECRECY_CHOICE_LABELS,
    )


@signed_in(roles=CLERKS)
async def paper_form(request: Request, person: Person) -> Response:
    return _form(request, {})


async def _review(request: Request, values: dict[str, str], form: FormData) -> Response:
    components = _components(request)
    paper = _paper(values, None)
    check(paper)  # a secret document is refused before its scan is kept anywhere
    upload = await _uploaded(form)
    if upload is not None:
        sha256 = await run_in_threadpool(stage_scan, components, upload)
        values |= {
            "scan_sha256": sha256,
            "scan_name": upload.filename,
            "scan_type": upload.content_type,
            "scan_seal": _seal(request, sha256, upload.filename, upload.content_type),
        }
    return render(
        request,
        "paper_confirm.html",
        values=values,
        paper=paper,
        secrecy=SECRECY_LABELS[paper.secrecy],
        hidden=[(k, v) for k, v in values.items() if v],
    )


@signed_in(roles=CLERKS)
async def paper_register(request: Request, person: Person) -> Response:
    form = await request.form()
    try:
        return await _step(request, person, form)
    finally:
        await form.close()  # an upload refused before it was read is closed too


async def _step(request: Request, person: Person, form: FormData) -> Response:
    values = _values(form)
    step = _text(form, "step") or "review"
    try:
        if step == "edit":
            return _form(request, values)
        if step == "review":
            return await _review(request, values, form)
        if step != "confirm":
            raise HTTPException(400, "Bước không hợp lệ.")
        paper = _paper(values, _staged(request, values))
        number = await run_in_threadpool(
            register_paper, _components(request), paper, person.username
        )
    except ActionError as exc:
        return _form(request, values, str(exc), 422)
    return RedirectResponse(f"/register/{number.year}/{number.number}?moi=1", status_code=303)


@signed_in(roles=CLERKS)
async def paper_cancel(request: Request, person: Person) -> Response:
    year, number = int(request.path_params["year"]), int(request.path_params["number"])
    form = await request.form()
    components = _components(request)

    def cancel() -> Any:
        return cancel_paper(components, year, number, _text(form, "reason"), person.username)

    try:
        await run_in_threadpool(cancel)
    except ActionError as exc:
        return render(request, "error.html", 409, message=str(exc))
    return RedirectResponse(f"/register/{year}/{number}#da-huy", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/register/paper", paper_form, methods=["GET"]),
        Route("/register/paper", paper_register, methods=["POST"]),
        Route("/register/{year:int}/{number:int}/cancel", paper_cancel, methods=["POST"]),
    ]
