"""Saving and deleting a person's searches of the register page (DESIGN §4.6).

``POST /register/saved`` (fields ``name`` and ``query``, the page's filters url-encoded)
stores the search under its name, replacing one of the same name, and opens it;
``POST /register/saved/{id}/delete`` deletes one of the person's own searches (another
person's id is a 404). Both are CSRF-checked by :func:`gateway.web.auth.signed_in`. The
stored query is rebuilt from the parsed filters, so only known parameters are kept.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.web.auth import signed_in
from gateway.web.register.filters import parse_filters
from gateway.web.register.pages import register_response
from registry.console.saved_searches import MAX_NAME_CHARS, delete_search, store_search
from registry.database import write_session

NAME_MISSING = "Vui lòng nhập tên cho tìm kiếm cần lưu."
NAME_TOO_LONG = f"Tên tìm kiếm dài quá {MAX_NAME_CHARS} ký tự, vui lòng đặt tên ngắn hơn."
NAME_CONTROL = "Tên tìm kiếm không được chứa ký tự điều khiển (như xuống dòng, tab)."
MAX_QUERY_CHARS = 4000


class SearchNameError(ValueError):
    """A saved search's name that cannot be stored; the message is for the person."""


def clean_name(raw: str) -> str:
    """The name as stored: NFC, trimmed; SearchNameError (Vietnamese) when unusable."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise SearchNameError(NAME_MISSING)
    if len(name) > MAX_NAME_CHARS:
        raise SearchNameError(NAME_TOO_LONG)
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise SearchNameError(NAME_CONTROL)
    return name


def _register_link(query: str) -> str:
    return "/register?" + query if query else "/register"


@signed_in()
async def save(request: Request, person: Person) -> Response:
    form = await request.form()
    raw_name = str(form.get("name", ""))[: MAX_NAME_CHARS * 4]
    filters = parse_filters(QueryParams(str(form.get("query", ""))[:MAX_QUERY_CHARS]))
    try:
        name = clean_name(raw_name)
    except SearchNameError as exc:
        return await register_response(
            request, person, filters, 422, save_error=str(exc), save_name=raw_name
        )
    query = filters.encoded()

    engine = request.app.state.engine
    await run_in_threadpool(store_search, engine, person.username, name, query, datetime.now(UTC))
    return RedirectResponse(_register_link(query), status_code=303)


@signed_in()
async def delete(request: Request, person: Person) -> Response:
    search_id = int(request.path_params["search_id"])

    def remove() -> None:
        with write_session(request.app.state.engine) as session:
            delete_search(session, person.username, search_id)

    await run_in_threadpool(remove)  # NotFoundError (another person's, or gone) → 404
    return RedirectResponse("/register", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/register/saved", save, methods=["POST"]),
        Route("/register/saved/{search_id:int}/delete", delete, methods=["POST"]),
    ]
