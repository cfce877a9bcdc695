"""The register page's search as a clerk types it: a query with its diacritics ("chỉnh")
lists the documents that carry those very diacritics first, before "chính" — both fold to
"chinh" and used to come mixed in register order (DESIGN §4.6: search with or without
diacritics)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.gateway.web.inprocess import InProcessConsole, csrf, make_console
from tests.gateway.web.paper_steps import register_by_hand
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

OLDER = "chấn chỉnh công tác văn thư, lưu trữ"
NEWER = "xây dựng chính quyền số năm 2027"
PAPER = {
    "issued_on": "18/11/2026",
    "issuer_name": "Sở Nội vụ tỉnh Kiên Giang",
    "sender_name": "Sở Nội vụ tỉnh Kiên Giang",
    "signer_name": "Nguyễn Văn An",
    "document_type": "Công văn",
    "urgency": "thuong",
    "secrecy": "",
    "pages": "1",
}


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Two paper entries whose summaries both fold to "chinh": "chấn chỉnh" entered first
    (older), "chính quyền" after it (newer)."""
    console = make_console(tmp_path / "d", pki, database_url)
    with console.signed_in("vanthu") as client:
        token = csrf(client.get("/register/paper").text)
        for number, summary in (("31/SNV-VP", OLDER), ("32/SNV-VP", NEWER)):
            data = {**PAPER, "document_number": number, "summary": summary, "csrf_token": token}
            assert register_by_hand(client, data).status_code == 303
    yield console
    console.close()


def _order(page: str) -> list[str]:
    """The two summaries in the order the page lists them."""
    found = [(m.start(), s) for s in (OLDER, NEWER) for m in re.finditer(re.escape(s), page)]
    return list(dict.fromkeys(s for _, s in sorted(found)))


def test_a_query_with_diacritics_lists_its_exact_matches_first_on_the_register_page(
    console: InProcessConsole,
) -> None:
    """GIVEN "chấn chỉnh …" (older) and "… chính quyền …" (newer) in the register
    WHEN the clerk searches /register for "chỉnh" THEN "chấn chỉnh" is listed first;
    for "chính" the other one is; typed without diacritics ("chinh") both are listed in
    the register's order, newest first."""
    with console.signed_in("vanthu") as client:
        pages = {q: client.get(f"/register?q={quote(q)}").text for q in ("chỉnh", "chính", "chinh")}

    assert _order(pages["chỉnh"]) == [OLDER, NEWER]
    assert _order(pages["chính"]) == [NEWER, OLDER]
    assert _order(pages["chinh"]) == [NEWER, OLDER]
