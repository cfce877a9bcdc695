"""``/outgoing/new``: a clerk issues a signed document from the console (DESIGN §4.7,
R-ISSUE, R-RESPONSE). Clerks and admins only; every form carries the CSRF token.

Two steps, so that nothing is issued by a slip of the hand:

1. ``step=preview``: the signed PDF (and any attachments) uploaded, the recipients chosen —
   units one by one, a group of the directory, or "all the units" — and what was read
   from the document shown: số/ký hiệu, date, type, trích yếu, signer, urgency, pages, our
   agency's signature, the recipients it resolves to. The checks are exactly those of
   ``gateway issue`` (:meth:`gateway.issuing.issue.Issuer.check`); a refusal is shown on
   the form, in Vietnamese, and nothing is kept but the uploaded files in the archive.
2. ``step=issue``: the SAME issuing function as the command line
   (:meth:`gateway.issuing.issue.Issuer.issue`) registers the document in the outgoing
   register and queues one mail per recipient; then the document's page.

The uploaded files travel from step 1 to step 2 as their sha256 in the archive, sealed
with the session's CSRF token (as the paper form does), so a forged form cannot issue
another archived file.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.clerk.dates import DateError, parse_day
from gateway.issuing.checks import Examined
from gateway.issuing.errors import IssueRefusedError
from gateway.issuing.issue import Issuer, IssueRequest, issuer_for
from gateway.issuing.recipients import ALL, UPPER, Recipient, resolve, split_specs
from gateway.web.auth import signed_in
from gateway.web.register.actions import CLERKS
from gateway.web.rendering import render
from gateway.wiring import Components
from registry.agencies.directory import Agency
from registry.numbering import register_label
from templates.labels import group as group_label

MAX_FILE_BYTES = 30 * 1024 * 1024  # one mail per recipient carries it ([smtp] default)
MAX_ATTACHMENTS = 10
FIELD_CHARS = 500
ALL_SPEC = "all"


class FormError(Exception):
    """What the clerk must correct; the message is Vietnamese, shown on the form."""


@dataclass(frozen=True)
class UnitGroup:
    """One fieldset of the recipient choice: a directory group and its units."""

    key: str
    label: str
    units: tuple[Agency, ...]


@dataclass(frozen=True)
class Staged:
    """A file kept in the archive between the preview and the issue."""

    sha256: str
    name: str


def _components(request: Request) -> Components:
    components: Components | None = request.app.state.components
    if components is None:
        raise HTTPException(503, "Bảng điều khiển đang chạy không kèm dịch vụ gửi nhận.")
    return components


def _choices(components: Components, own: tuple[str, ...]) -> tuple[int, tuple[UnitGroup, ...]]:
    """How many units "all" means, and the directory's units by group, in its order."""
    directory = components.pipeline.directory
    groups: dict[str, list[Agency]] = {}
    for agency in directory.agencies:
        if agency.code not in own:
            groups.setdefault(agency.group, []).append(agency)
    every = sum(len(units) for key, units in groups.items() if key != UPPER)
    ordered = sorted(groups.items(), key=lambda item: item[0] == UPPER)  # above us last
    return every, tuple(UnitGroup(k, group_label(k), tuple(v)) for k, v in ordered)


def _seal(request: Request, staged: list[Staged]) -> str:
    key = str(request.state.csrf).encode()
    text = "\n".join(f"{s.sha256} {s.name}" for s in staged)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


async def _upload(upload: UploadFile) -> tuple[str, bytes]:
    try:
        data = await upload.read(MAX_FILE_BYTES + 1)
    finally:
        await upload.close()
    name = (upload.filename or "").replace("/", "_").replace("\\", "_")[:255]
    if len(data) > MAX_FILE_BYTES:
        raise FormError(f"Tệp {name} quá lớn (tối đa 30 MB).")
    if not data:
        raise FormError(f"Tệp {name} trống.")
    return name, data


def _answers(text: str) -> str | None:
    """ "15/2026" (số đến/năm, as the register shows it) or "2026/15" → "2026/15"."""
    text = text.strip()
    if not text:
        return None
    first, sep, second = text.partition("/")
    if not (sep and first.strip().isdigit() and second.strip().isdigit()):
        raise FormError("Văn bản đến được trả lời: hãy ghi số đến/năm, ví dụ 15/2026.")
    a, b = int(first), int(second)
    year, number = (b, a) if 1900 <= b <= 2999 and not 1900 <= a <= 2999 else (a, b)
    return register_label(year, number)


def _specs(form: FormData) -> tuple[str, ...]:
    chosen = [str(v) for v in form.getlist("to") if str(v).strip()]
    extra = str(form.get("to_extra", ""))[:FIELD_CHARS]
    specs = [*chosen, *split_specs([extra])]
    if any(spec.casefold() in ALL for spec in specs):
        specs = [ALL_SPEC, *(s for s in specs if s.casefold() not in ALL)]
    return tuple(dict.fromkeys(specs))


def _values(form: FormData) -> dict[str, Any]:
    return {
        "to": _specs(form),
        "to_extra": str(form.get("to_extra", "")).strip()[:FIELD_CHARS],
        "answers": str(form.get("answers", "")).strip()[:32],
        "respond_by": str(form.get("respond_by", "")).strip()[:32],
    }


def _form(request: Request, values: dict[str, Any], error: str = "", status: int = 200) -> Response:
    components = _components(request)
    issuer = issuer_for(components)
    every, groups = _choices(components, issuer.agency.codes)
    return render(
        request,
        "outgoing_new.html",
        status,
        values=values,
        error=error,
        groups=groups,
        every=every,
        chosen=set(values.get("to", ())),
        agency=issuer.agency.names[0] if issuer.agency.names else "",
    )


@signed_in(roles=CLERKS)
async def new_form(request: Request, person: Person) -> Response:
    return _form(request, {"to": ()})


@signed_in(roles=CLERKS)
async def new_submit(request: Request, person: Person) -> Response:
    form = await request.form()  # already read (and its CSRF token checked) by signed_in
    values = _values(form)
    try:
        step = str(form.get("step", "preview"))
        if step == "edit":
            return _form(request, values)
        if step == "preview":
            return await _preview(request, form, values)
        if step == "issue":
            return await _issue(request, person, form, values)
        raise HTTPException(400, "Bước không hợp lệ.")
    except FormError as exc:
        return _form(request, values, str(exc), 422)
    except IssueRefusedError as exc:
        return _form(request, values, exc.message, 422)
    finally:
        await form.close()


def _request(values: dict[str, Any]) -> tuple[tuple[str, ...], str | None, date | None]:
    if not values["to"]:
        raise FormError("Chưa chọn nơi nhận văn bản.")
    try:
        respond_by = parse_day(values["respond_by"])
    except DateError as exc:
        raise FormError(f"Hạn trả lời: {exc}") from exc
    return values["to"], _answers(values["answers"]), respond_by


async def _preview(request: Request, form: FormData, values: dict[str, Any]) -> Response:
    components = _components(request)
    upload = form.get("pdf")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormError("Hãy chọn tệp PDF đã ký số của văn bản.")
    specs, answers, respond_by = _request(values)
    files = [await _upload(upload)]
    extras = [f for f in form.getlist("attach") if isinstance(f, UploadFile) and f.filename]
    if len(extras) > MAX_ATTACHMENTS:
        raise FormError(f"Tối đa {MAX_ATTACHMENTS} tệp đính kèm.")
    files += [await _upload(extra) for extra in extras]
    issuer = issuer_for(components)

    def check() -> tuple[Examined, tuple[Recipient, ...], list[Staged]]:
        recipients = resolve(issuer.directory, specs, own_codes=issuer.agency.codes)
        examined = issuer.check(files[0][1])
        staged = [Staged(components.pipeline.archive.store(data), name) for name, data in files]
        return examined, recipients, staged

    examined, recipients, staged = await run_in_threadpool(check)
    return render(
        request,
        "outgoing_preview.html",
        facts=examined.facts,
        document_number=examined.document_number,
        signature=examined.signature,
        recipients=recipients,
        files=staged,
        answers=answers,
        respond_by=respond_by,
        values=values,
        seal=_seal(request, staged),
    )


def _staged(request: Request, form: FormData) -> list[Staged]:
    shas = [str(v) for v in form.getlist("file_sha256")]
    names = [str(v) for v in form.getlist("file_name")]
    staged = [Staged(sha, name) for sha, name in zip(shas, names, strict=False)]
    if not staged or len(shas) != len(names):
        raise HTTPException(400, "Thiếu tệp văn bản; hãy chọn lại tệp.")
    if not hmac.compare_digest(_seal(request, staged), str(form.get("seal", ""))):
        raise HTTPException(400, "Tệp đã chọn không hợp lệ; hãy chọn lại tệp.")
    return staged


async def _issue(
    request: Request, person: Person, form: FormData, values: dict[str, Any]
) -> Response:
    components = _components(request)
    staged = _staged(request, form)
    specs, answers, respond_by = _request(values)
    issuer: Issuer = issuer_for(components)

    def issue() -> int:
        try:
            files = [(s.name, components.pipeline.archive.read(s.sha256)) for s in staged]
        except OSError as exc:
            raise FormError("Không còn tệp đã chọn; hãy chọn lại tệp.") from exc
        result = issuer.issue(
            IssueRequest(
                pdf=files[0][1],
                filename=files[0][0],
                recipients=specs,
                attachments=tuple(files[1:]),
                answers=answers,
                respond_by=respond_by,
                actor=person.username,
            )
        )
        return result.document_id

    document_id = await run_in_threadpool(issue)
    return RedirectResponse(f"/outgoing/{document_id}?moi=1", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/outgoing/new", new_form, methods=["GET"]),
        Route("/outgoing/new", new_submit, methods=["POST"]),
    ]
