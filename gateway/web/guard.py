"""Requests no page can answer, refused before any page runs (4xx, never 500).

- a NUL anywhere in the path or the query string (``q=abc%00``): 400 — no text we keep
  contains one, and PostgreSQL refuses it in a query parameter;
- a number in the path longer than any id or year we store
  (``/register/99999999999999999999999/1``): 404 — it would overflow the database's
  integers (SQLite raises OverflowError, PostgreSQL "out of range").
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_DIGITS = 18  # a signed 64-bit integer has 19 digits; ours are far below
_LONG_NUMBER = re.compile(rb"(?<![0-9])[0-9]{%d,}" % (MAX_DIGITS + 1))


def refusal(path: str, query: bytes) -> int | None:
    """The status to answer a request for ``path`` with ``query``; None to serve it."""
    raw_path = path.encode("utf-8", "surrogateescape")
    if b"\x00" in raw_path or b"\x00" in unquote_to_bytes(query):
        return 400
    if any(_LONG_NUMBER.search(segment) for segment in raw_path.split(b"/")):
        return 404
    return None


class RequestGuard:
    """ASGI middleware applying :func:`refusal` to every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            status = refusal(scope.get("path", ""), scope.get("query_string", b""))
            if status is not None:
                text = "Yêu cầu không hợp lệ." if status == 400 else "Không tìm thấy trang."
                response = PlainTextResponse(text, status_code=status)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
