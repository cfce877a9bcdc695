"""Saved searches of the register page (DESIGN §4.6): per person, by name, CSRF-protected;
on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from registry.console.saved_searches import SavedSearch
from registry.database import read_session
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, make_console, session_csrf
from tests.support.documents import numbered_document_pdf
from tests.support.messages import official_mail
from tests.support.pki import TestPki

if TYPE_CHECKING:  # imported at run time by tests.gateway.web.inprocess, under its warning filter
    from starlette.testclient import TestClient

FILTERS = "q=2%2FUBND-VP&col=number&col=summary"  # document 2 (2/UBND-VP), two columns


@pytest.fixture
def register(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """Two registered documents, "văn bản thử nghiệm số 1" and "… số 2"."""
    console = make_console(tmp_path / "d", pki, database_url)
    for number in (1, 2):
        pdf = numbered_document_pdf(number)
        console.receive(
            official_mail(sender=AGENCY, attachments=[(f"{number}.pdf", pdf, "application/pdf")])
        )
    yield console
    console.close()


def saved_links(page: str) -> dict[str, str]:
    """Name → link of the "Tìm kiếm đã lưu" list (not shown while there is none)."""
    if 'id="da-luu"' not in page:
        return {}
    section = page.split('id="da-luu"', 1)[1].split("</section>", 1)[0]
    return {
        html.unescape(name): html.unescape(href)
        for href, name in re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', section)
    }


def delete_actions(page: str) -> list[str]:
    return re.findall(r'action="(/register/saved/\d+/delete)"', page)


def listed(page: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'href="/register/\d+/(\d+)"', page))


def save(client: TestClient, name: str, query: str = FILTERS) -> httpx.Response:
    response: httpx.Response = client.post(
        "/register/saved",
        data={"name": name, "query": query, "csrf_token": session_csrf(client)},
    )
    return response


def stored(console: InProcessConsole) -> list[tuple[str, str]]:
    with read_session(console.components.engine) as session:
        rows = session.scalars(select(SavedSearch).order_by(col(SavedSearch.name)))
        return [(row.name, row.query) for row in rows]


def test_save_open_replace_and_delete_a_search(register: InProcessConsole) -> None:
    """GIVEN a clerk on the register filtered to document 2 with two columns
    WHEN they save it as "Văn bản số 2", open it from the list, save another query under
    the same name, then delete it
    THEN saving redirects to the filtered page; the list links it; opening it lists only
    document 2 with only the two columns; the same name replaces the query (one row);
    deleting empties the list."""
    with register.signed_in("vanthu") as client:
        page = client.get(f"/register?{FILTERS}")
        assert 'name="query" value="q=2%2FUBND-VP&amp;col=number&amp;col=summary"' in page.text
        answer = save(client, "Văn bản số 2")
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/register?{FILTERS}"
        links = saved_links(client.get("/register").text)
        assert links == {"Văn bản số 2": f"/register?{FILTERS}"}
        opened = client.get(links["Văn bản số 2"]).text
        assert listed(opened) == [2]
        headings = re.findall(r'<th scope="col">([^<]+)</th>', opened)
        assert headings == ["Số đến", "Trích yếu"]
        save(client, "Văn bản số 2", "status=done")
        assert stored(register) == [("Văn bản số 2", "status=done")]
        [action] = delete_actions(client.get("/register").text)
        gone = client.post(action, data={"csrf_token": session_csrf(client)})
        assert gone.status_code == 303
        assert saved_links(client.get("/register").text) == {}
    assert stored(register) == []


def test_another_person_neither_sees_nor_deletes_a_saved_search(
    register: InProcessConsole,
) -> None:
    """GIVEN a search saved by the clerk WHEN the administrator opens the register and
    posts the clerk's delete action with their own valid CSRF token
    THEN the list does not show it, the delete is a 404 and the search is still there."""
    with register.signed_in("vanthu") as clerk:
        save(clerk, "Của văn thư")
        [action] = delete_actions(clerk.get("/register").text)
    with register.signed_in("quantri") as admin:
        assert saved_links(admin.get("/register").text) == {}
        refused = admin.post(action, data={"csrf_token": session_csrf(admin)})
        assert refused.status_code == 404
    assert [name for name, _ in stored(register)] == ["Của văn thư"]


def test_saving_or_deleting_without_the_csrf_token_is_refused(
    register: InProcessConsole,
) -> None:
    """GIVEN a signed-in clerk WHEN a form posts to /register/saved or a delete action
    without the CSRF token THEN 403 with the Vietnamese explanation, nothing changes."""
    with register.signed_in("vanthu") as client:
        refused = client.post("/register/saved", data={"name": "x", "query": FILTERS})
        assert refused.status_code == 403
        assert "chống giả mạo (CSRF)" in refused.text
        assert stored(register) == []
        save(client, "Giữ lại")
        [action] = delete_actions(client.get("/register").text)
        assert client.post(action, data={"csrf_token": "sai"}).status_code == 403
    assert [name for name, _ in stored(register)] == ["Giữ lại"]


def test_the_name_is_trimmed_nfc_and_required(register: InProcessConsole) -> None:
    """GIVEN a clerk WHEN they save with a blank name, a name of 101 characters, and a
    decomposed (NFD) name with spaces around it
    THEN the first two are refused (422) with a Vietnamese message on the register page
    that keeps the filters, and the third is stored trimmed and in NFC."""
    decomposed = unicodedata.normalize("NFD", "  Quá hạn của phòng  ")
    with register.signed_in("vanthu") as client:
        blank = client.post(
            "/register/saved",
            data={"name": "   ", "query": FILTERS, "csrf_token": session_csrf(client)},
        )
        long = save(client, "a" * 101)
        assert save(client, decomposed).status_code == 303
    assert blank.status_code == 422
    assert "Vui lòng nhập tên cho tìm kiếm cần lưu." in blank.text
    assert listed(blank.text) == [2]  # the page still shows the search being saved
    assert long.status_code == 422
    assert "Tên tìm kiếm dài quá 100 ký tự" in long.text
    assert stored(register) == [("Quá hạn của phòng", FILTERS)]
    assert stored(register)[0][0] == unicodedata.normalize("NFC", "Quá hạn của phòng")
