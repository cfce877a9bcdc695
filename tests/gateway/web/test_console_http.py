"""The console over plain HTTP against a real ``gateway serve``: sessions, CSRF, roles,
throttling, health and attachments (R-ACCOUNT, DESIGN §4.6)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from gateway.reports.register_print import COLUMNS
from tests.gateway.web.conftest import Console, csrf_field

pytestmark = pytest.mark.slow


def test_health_answers_without_login_and_says_why_it_is_degraded(console: Console) -> None:
    """GIVEN a gateway with a trust root but no virus scanner configured
    WHEN /health is asked without any session
    THEN 200 JSON, status degraded, checks: trust ok, scanner off, outbox ok."""
    with console.client() as client:
        response = client.get("/health")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["trust"] == "ok"
    assert report["checks"]["scanner"] == "off"
    assert report["checks"]["outbox"]["status"] == "ok"


@pytest.mark.parametrize("path", ["/register", "/register/2026/1", "/rules", "/"])
def test_pages_without_a_session_redirect_to_login(console: Console, path: str) -> None:
    """GIVEN no session cookie WHEN a console page is asked THEN 303 to /login."""
    with console.client() as client:
        response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] in {"/login", "/register"}
    if path != "/":
        assert response.headers["location"] == "/login"


def test_r_account_login_form_posted_without_csrf_token_is_refused(console: Console) -> None:
    """GIVEN the right user name and password WHEN the login form is posted without its
    CSRF token THEN 403 with a Vietnamese explanation, and no session cookie is set."""
    with console.client() as client:
        client.get("/login")
        response = client.post("/login", data={"username": "vanthu", "password": "x" * 20})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert "Vui lòng tải lại trang" in response.text
    assert "gw_session" not in response.headers.get("set-cookie", "")


def test_r_account_signed_in_form_without_csrf_token_is_refused(console: Console) -> None:
    """GIVEN a signed-in clerk WHEN the logout form is posted without the token (as a
    forged cross-site form would) THEN 403, and the session still works afterwards."""
    with console.client() as client:
        assert console.login(client, "vanthu").status_code == 303
        refused = client.post("/logout", data={})
        assert refused.status_code == 403
        assert "CSRF" in refused.text
        assert client.get("/register").status_code == 200


def test_r_account_logout_invalidates_the_session_cookie(console: Console) -> None:
    """GIVEN a clerk signed in WHEN they log out THEN the old cookie, replayed, no longer
    opens the register (the session is gone from the database, not only the browser)."""
    with console.client() as client:
        assert console.login(client, "vanthu").status_code == 303
        cookie = client.cookies["gw_session"]
        page = client.get("/register")
        assert page.status_code == 200
        out = client.post("/logout", data={"csrf_token": csrf_field(page.text)})
        assert out.status_code == 303
    with console.client() as replay:
        replay.cookies.set("gw_session", cookie)
        response = replay.get("/register")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_r_account_wrong_password_then_throttle_after_five_failures(console: Console) -> None:
    """GIVEN an existing account WHEN five wrong passwords come from one address
    THEN each is refused (401), and the sixth attempt — even with the right password —
    is answered 429 with a Vietnamese message."""
    console.gateway.cli(
        "users",
        "add",
        "nguoithu",
        "--role",
        "clerk",
        "--password-file",
        str(console.gateway.root / "password.txt"),
    )
    with console.client() as client:
        for _ in range(5):
            wrong = console.login(client, "nguoithu", "sai-mat-khau-roi")
            assert wrong.status_code == 401
            assert "không đúng" in wrong.text
        throttled = console.login(client, "nguoithu")
    assert throttled.status_code == 429
    assert "thử lại sau 15 phút" in throttled.text


def test_r_account_officer_sees_only_their_units_documents(console: Console) -> None:
    """GIVEN officer of unit PTP, document 1 assigned to PTP and document 2 to PKT
    WHEN the officer lists the register and opens both documents and the rules page
    THEN the list holds document 1 only, document 1 opens, document 2 and /rules are 403
    pages (Vietnamese text, no stack trace)."""
    with console.client() as client:
        assert console.login(client, "chuyenvien").status_code == 303
        listing = client.get("/register")
        own = client.get(f"/register/{console.year}/1")
        other = client.get(f"/register/{console.year}/2")
        rules = client.get("/rules")
    assert listing.status_code == 200
    assert f'/register/{console.year}/1"' in listing.text
    assert f'/register/{console.year}/2"' not in listing.text
    assert own.status_code == 200
    for refused in (other, rules):
        assert refused.status_code == 403
        assert "Bạn không có quyền xem trang này." in refused.text
        assert "Traceback" not in refused.text


def test_clerk_sees_the_whole_register_and_downloads_an_attachment_byte_for_byte(
    console: Console,
) -> None:
    """GIVEN a clerk WHEN they open document 1 and follow its attachment link
    THEN the bytes are exactly those of the PDF mailed in (sha256 as registered), and the
    page and the file are sent with no-store and an anti-framing policy (only the console's
    own script and style may be cached)."""
    with console.client() as client:
        assert console.login(client, "vanthu").status_code == 303
        listing = client.get("/register")
        page = client.get(f"/register/{console.year}/1")
        link = re.search(r'href="(/register/\d+/1/attachments/\d+)"', page.text)
        assert link is not None, page.text
        download = client.get(link.group(1))
        script = client.get("/static/htmx.min.js")
    assert f'/register/{console.year}/2"' in listing.text
    assert page.headers["cache-control"] == "no-store"  # not left in a shared browser
    assert download.headers["cache-control"] == "no-store"
    assert script.headers["cache-control"] == "public, max-age=3600"  # no content: cached
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF-")
    expected = _attachment_sha256(console)
    assert hashlib.sha256(download.content).hexdigest() == expected


def _attachment_sha256(console: Console) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{console.gateway.data_dir / 'gateway.db'}")
    try:
        with engine.connect() as connection:
            return str(
                connection.execute(
                    text(
                        "SELECT a.sha256 FROM attachment a JOIN register_entry e"
                        " ON a.entry_id = e.id WHERE e.incoming_number = 1"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_register_filters_search_without_diacritics_and_unknown_document(
    console: Console,
) -> None:
    """GIVEN a leader and two documents (54 "chấn chỉnh …", 55 "tổ chức hội nghị …")
    WHEN the register is asked with ?q= without diacritics, with filters that match or
    not, and for a number that does not exist THEN only the matching rows are listed and
    the unknown number is a Vietnamese 404 page."""
    with console.client() as client:
        assert console.login(client, "lanhdao").status_code == 303

        def numbers(**params: str) -> list[str]:
            page = client.get("/register", params=params)
            assert page.status_code == 200
            return re.findall(r'href="/register/\d+/(\d+)"', page.text)

        assert numbers() == ["2", "1"]  # newest first
        assert numbers(q="chan chinh") == ["1"]
        assert numbers(q="HOI NGHI tong ket") == ["2"]
        assert numbers(q="54/UBND") == ["1"]
        assert numbers(type="Công văn", urgency="thuong", year=str(console.year)) == ["2", "1"]
        assert numbers(status="done") == []
        assert numbers(sender="rachgia") == ["2", "1"]
        assert numbers(sender="khong-co-noi-gui") == []
        assert numbers(year="1999") == []
        missing = client.get(f"/register/{console.year}/999")
    assert missing.status_code == 404
    assert "Không tìm thấy" in missing.text


def test_printed_register_button_gives_the_pdf_to_clerks_only(console: Console) -> None:
    """GIVEN a clerk and an officer WHEN each asks /register/print for this year
    THEN the clerk gets an A4 landscape PDF whose text holds the 10 columns and both
    documents, the print is in the audit trail under the clerk's name; the officer gets
    403; a period outside the year is a Vietnamese 400 page."""
    with console.client() as clerk:
        assert console.login(clerk, "vanthu").status_code == 303
        response = clerk.get("/register/print", params={"year": str(console.year)})
        wrong = clerk.get("/register/print", params={"year": "2020", "from": "2021-01-01"})
    with console.client() as officer:
        assert console.login(officer, "chuyenvien").status_code == 303
        refused = officer.get("/register/print", params={"year": str(console.year)})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert all(title in text for title in COLUMNS)
    assert "54/UBND-VP" in text
    assert "55/UBND-VP" in text
    assert ("vanthu", "register.print") in _audit_actions(console)
    assert refused.status_code == 403
    assert wrong.status_code == 400
    assert "phải nằm trong năm 2020" in wrong.text


def _audit_actions(console: Console) -> list[tuple[str, str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{console.gateway.data_dir / 'gateway.db'}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT actor, action FROM audit_event"))
            return [(str(actor), str(action)) for actor, action in rows]
    finally:
        engine.dispose()
