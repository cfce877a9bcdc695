"""The console's Starlette application: login, logout, health, error pages (DESIGN §4.6).

Built once by :func:`create_app` from the deployment and the engine the service already
has; pages live in :mod:`gateway.web.register.pages`. Database work runs in worker threads.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.clerk.accounts import Accounts, LoginOutcome
from gateway.config.settings import Deployment
from gateway.reports.recent_problems import install as install_problem_log
from gateway.storage.archive import open_stores
from gateway.web import distribute_pages, held_pages, inbound_pages, report_page, transfer_pages
from gateway.web.admin import directory as directory_pages
from gateway.web.admin import rules as rules_pages
from gateway.web.admin import system as system_page
from gateway.web.admin.health import health_report
from gateway.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfError,
    RoleError,
    accounts_of,
    check_csrf,
    current_person,
    login_csrf,
    session_token,
    set_cookie,
    signed_in,
)
from gateway.web.guard import RequestGuard
from gateway.web.outgoing import pages as outgoing_pages
from gateway.web.register import actions, pages
from gateway.web.register import paper as paper_page
from gateway.web.register import progress as progress_pages
from gateway.web.register import saved_searches as saved_search_pages
from gateway.web.register.view import ForbiddenError
from gateway.web.rendering import render, template_environment
from gateway.wiring import Components
from registry.errors import NotFoundError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
CSRF_REFUSED = (
    "Biểu mẫu bị từ chối vì thiếu mã xác thực chống giả mạo (CSRF) hoặc mã đã hết hạn."
    " Vui lòng tải lại trang rồi thử lại."
)
FORBIDDEN = "Bạn không có quyền xem trang này."
THROTTLED = (
    "Đăng nhập sai quá nhiều lần. Vì an toàn, vui lòng thử lại sau 15 phút"
    " hoặc liên hệ quản trị hệ thống."
)
REFUSED = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa."


async def health(request: Request) -> Response:
    deployment: Deployment = request.app.state.deployment
    report = await run_in_threadpool(health_report, deployment, request.app.state.engine)
    return JSONResponse(report, status_code=200)


async def login_form(request: Request) -> Response:
    if await current_person(request) is not None:
        return RedirectResponse("/register", status_code=303)
    return _login_page(request, "", 200)


async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(form, request.cookies.get(LOGIN_CSRF_COOKIE, ""))
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))[:1000]
    address = request.client.host if request.client else ""
    result = await run_in_threadpool(accounts_of(request).login, username, password, address)
    if result.outcome is LoginOutcome.THROTTLED:
        return _login_page(request, THROTTLED, 429)
    if result.outcome is LoginOutcome.REFUSED:
        return _login_page(request, REFUSED, 401)
    response = RedirectResponse("/register", status_code=303)
    set_cookie(response, request, SESSION_COOKIE, result.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@signed_in()
async def logout(request: Request, person: Any) -> Response:
    await run_in_threadpool(accounts_of(request).logout, session_token(request), person.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def home(request: Request) -> Response:
    return RedirectResponse("/register", status_code=303)


def _login_page(request: Request, error: str, status: int) -> Response:
    token = login_csrf(request)
    response = render(
        request, "login.html", status, error=error, login_csrf=token, csrf_field=CSRF_FIELD
    )
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


def _error_page(request: Request, status: int, message: str) -> Response:
    try:
        return render(request, "error.html", status, message=message)
    except jinja2.TemplateError:
        return HTMLResponse(message, status_code=status)


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    return _error_page(request, 403, CSRF_REFUSED)


async def _forbidden(request: Request, exc: Exception) -> Response:
    return _error_page(request, 403, FORBIDDEN)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_page(request, 404, "Không tìm thấy trang hoặc văn bản này.")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return await _not_found(request, exc)
    detail = exc.detail if isinstance(exc, HTTPException) and status == 400 else ""
    return _error_page(request, status, f"Yêu cầu không hợp lệ. {detail}".strip())


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("console error on %s", request.url.path, exc_info=exc)
    return _error_page(request, 500, "Đã có lỗi trong hệ thống. Vui lòng thử lại sau.")


SECURITY_HEADERS = (
    (  # scripts only from our own files (the vendored htmx), never inline
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
NO_STORE = (b"cache-control", b"no-store")  # documents are not left in a shared browser's cache
STATIC_CACHE = (b"cache-control", b"public, max-age=3600")  # our CSS and htmx: no content


class SecurityHeaders:
    """Pure ASGI middleware: the same protective headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                cache = STATIC_CACHE if scope["path"].startswith("/static/") else NO_STORE
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS, cache]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    deployment: Deployment,
    engine: Any,
    accounts: Accounts | None = None,
    components: Components | None = None,  # the service's parts: held-mail decisions need them
) -> Starlette:
    app = Starlette(
        middleware=[Middleware(SecurityHeaders), Middleware(RequestGuard)],
        routes=[
            Route("/", home),
            Route("/health", health),
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            *pages.routes(),
            *held_pages.routes(),
            *inbound_pages.routes(),
            *rules_pages.routes(),
            *actions.routes(),
            *distribute_pages.routes(),
            *transfer_pages.routes(),
            *progress_pages.routes(),
            *paper_page.routes(),
            *report_page.routes(),
            *outgoing_pages.routes(),
            *saved_search_pages.routes(),
            *system_page.routes(),
            *directory_pages.routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={
            CsrfError: _csrf_refused,
            RoleError: _forbidden,
            ForbiddenError: _forbidden,
            NotFoundError: _not_found,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    install_problem_log()  # the newest warnings and errors, for /system
    app.state.deployment = deployment
    app.state.engine = engine
    app.state.components = components
    app.state.accounts = accounts or Accounts(engine)
    app.state.archive = (  # every instance serves every document (DESIGN §3)
        components.pipeline.archive
        if components is not None
        else open_stores(
            storage=deployment.settings.gateway.storage,
            database_url=deployment.database_url,
            data_dir=deployment.data_dir,
            engine=engine,
        )[0]
    )
    app.state.templates = template_environment(HERE / "templates")
    return app
