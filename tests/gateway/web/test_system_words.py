"""``/system`` read in Vietnamese: each recent problem leads with what it means; the
English log line stays beside it, marked as a technical detail (developer logs stay
English, STYLE rule 12)."""

from __future__ import annotations

import re

import pytest

from tests.gateway.web.inprocess import InProcessConsole
from tests.gateway.web.test_system_page import console, refused_relay, registrable_mail

__all__ = ["console"]  # the fixture, shared with test_system_page

pytestmark = pytest.mark.slow

PROBLEMS = re.compile(r"<li><time[^>]*>[^<]*</time> <strong>([^<]*)</strong> ([^<]*)<small")


def test_recent_problems_on_system_lead_with_their_vietnamese_meaning(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a receipt the relay refuses (the outbox logs "attempt 1 failed, retry …" in
    English) WHEN the administrator opens /system
    THEN that problem's line starts with its level and meaning in Vietnamese ("Cảnh báo",
    "Gửi thư đi không được; hệ thống sẽ gửi lại sau."), and the English line is shown only
    inside the marked technical detail; no line leads with English."""
    with console.signed_in("quantri") as client:
        console.receive(registrable_mail(signed_pdf))
        assert refused_relay(console, max_attempts=5).run_once() >= 1
        page = client.get("/system").text

    lines = PROBLEMS.findall(page)
    assert ("Cảnh báo", "Gửi thư đi không được; hệ thống sẽ gửi lại sau. ") in lines
    for level, meaning in lines:
        assert level in ("Cảnh báo", "Lỗi", "Lỗi nghiêm trọng"), level
        assert not re.search(r"\b(attempt|failed|retry|error|warning)\b", meaning, re.I), meaning
    assert "(chi tiết kỹ thuật, tiếng Anh: " in page and "attempt 1 failed" in page
