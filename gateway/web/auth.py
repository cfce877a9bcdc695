"""Who is asking, may they, and did the form come from us (sessions, roles, CSRF).

Signed-in forms carry a CSRF token derived from the secret session cookie
(:func:`gateway.clerk.accounts.csrf_token_for`); the login form, before any session exists,
uses a double-submit cookie. A form without a matching token is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Collection
from functools import wraps

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.clerk.accounts import Accounts, Person, csrf_token_for
from registry.console.accounts import Role

SESSION_COOKIE = "gw_session"
LOGIN_CSRF_COOKIE = "gw_login_csrf"
CSRF_FIELD = "csrf_token"
ALL_ROLES: frozenset[Role] = frozenset(Role)

Endpoint = Callable[[Request], Awaitable[Response]]
PersonEndpoint = Callable[[Request, Person], Awaitable[Response]]


class CsrfError(Exception):
    """A form posted without its CSRF token (or with a wrong one)."""


class RoleError(Exception):
    """The signed-in person's role may not open this page."""


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def accounts_of(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


async def current_person(request: Request) -> Person | None:
    token = session_token(request)
    if not token:
        return None
    return await run_in_threadpool(accounts_of(request).person, token)


def signed_in(roles: Collection[Role] = ALL_ROLES) -> Callable[[PersonEndpoint], Endpoint]:
    """Decorate an endpoint: no session → 303 to /login; a role not in ``roles`` → 403;
    a POST must carry the session's CSRF token."""

    def decorate(endpoint: PersonEndpoint) -> Endpoint:
        @wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            person = await current_person(request)
            if person is None:
                return RedirectResponse("/login", status_code=303)
            request.state.person = person
            request.state.csrf = csrf_token_for(session_token(request))
            if request.method == "POST":
                check_csrf(await request.form(), request.state.csrf)
            if person.role not in roles:
                raise RoleError(request.url.path)
            return await endpoint(request, person)

        return wrapper

    return decorate


def check_csrf(form: FormData, expected: str) -> None:
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfError


def login_csrf(request: Request) -> str:
    """The login form's token: the cookie's, or a new one (set by the caller)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
