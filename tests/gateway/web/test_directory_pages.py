"""``/directory`` (DESIGN §4.9): the agency directory in force on the console; an
administrator adds, edits and removes the database's agencies; every other process (the
CLI, the running gateway's workers) sees the change at once.

A real ``gateway serve`` with its console on a loopback port, on SQLite and PostgreSQL;
the pages are driven over HTTP as a browser would, the CLI runs as another process and
documents arrive over SMTP.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from registry.database import make_engine, read_session
from registry.models import AuditEvent
from tests.gateway.clerk.test_unknown_senders import wait_until
from tests.support.documents import numbered_signed_pdf
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import free_port

pytestmark = pytest.mark.slow

PASSWORD = "mat-khau-thu-nghiem-1"
GATEWAY = "vanthu@example.gov.vn"
USERS = (("vanthu", "clerk"), ("lanhdao", "leader"), ("quantri", "admin"))
NEW_CODE = "000.00.31.H33"
NEW_NAME = "Sở Công Thương tỉnh Kiên Giang"
NEW_SENDER = "vanthu@sct.kiengiang.gov.vn"  # under gov.vn, outside the sample directory
FILE_CODE = "KG-STC"  # Sở Tài chính in the sample agencies.yaml


@pytest.fixture
def gateway(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[GatewayProcess]:
    """A running gateway with its console, one clerk, one leader and one administrator."""
    process = GatewayProcess(
        tmp_path / "deploy",
        pki.root_pem(),
        env={
            "GATEWAY_GATEWAY__DATABASE_URL": database_url,
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            "GATEWAY_WEB__LISTEN": f"127.0.0.1:{free_port()}",
        },
    )
    for name, role in USERS:
        process.add_user(name, role, PASSWORD)
    process.start(timeout=120)
    try:
        wait_until(lambda: _healthy(console_url(process)), bool)
        yield process
    finally:
        process.stop()


def console_url(gateway: GatewayProcess) -> str:
    return f"http://{gateway.env['GATEWAY_WEB__LISTEN']}"


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def signed_in(gateway: GatewayProcess, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console_url(gateway), follow_redirects=False, timeout=30) as client:
        form = client.get("/login")
        token = csrf(form.text)
        answer = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 303, answer.text
        yield client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def listed(gateway: GatewayProcess) -> dict[str, dict[str, Any]]:
    """``gateway directory list --json`` (another process), by code."""
    return {row["code"]: row for row in gateway.cli_json("directory", "list")}


def audit(database_url: str, prefix: str) -> list[AuditEvent]:
    engine = make_engine(database_url)
    try:
        with read_session(engine) as session:
            rows = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))
            return [e for e in rows if e.action.startswith(prefix)]
    finally:
        engine.dispose()


def agency_form(client: httpx.Client, page: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf(client.get(page).text), **fields}


def test_a_clerk_reads_and_searches_the_directory_but_cannot_change_it(
    gateway: GatewayProcess,
) -> None:
    """GIVEN the sample directory (agencies.yaml) of a running gateway
    WHEN a clerk opens /directory and types "so tai chinh" (no diacritics)
    THEN the Sở Tài chính is listed from the configuration file with its group's name,
    the others are not, with a count line and labelled cells for phones;
    WHEN the clerk posts an edit or a new agency (with a valid CSRF token)
    THEN 403 and nothing is written; a leader reads, an administrator sees the edit form."""
    with signed_in(gateway, "vanthu") as clerk:
        page = clerk.get("/directory")
        assert page.status_code == 200
        assert 'href="/directory" aria-current="page">Danh bạ' in page.text
        total = int(re.search(r"Danh bạ có (\d+) cơ quan", page.text)[1])  # type: ignore[index]
        assert total >= 30
        found = clerk.get("/directory", params={"q": "so tai chinh"})
        assert "Sở Tài chính tỉnh Kiên Giang" in found.text
        assert "Sở Nội vụ tỉnh Kiên Giang" not in found.text
        assert f"Tìm thấy 1 trong {total} cơ quan" in found.text
        assert 'data-label="Nguồn">Tệp cấu hình' in found.text
        assert 'data-label="Nhóm">Cơ quan cấp trên' in found.text  # the group's name, no code
        by_domain = clerk.get("/directory", params={"q": "stc.kiengiang"})
        assert "Sở Tài chính tỉnh Kiên Giang" in by_domain.text
        one = clerk.get(f"/directory/{FILE_CODE}")
        assert one.status_code == 200 and "Sở Tài chính tỉnh Kiên Giang" in one.text
        assert "Lưu thay đổi" not in one.text
        token = csrf(one.text)
        edit = {"csrf_token": token, "name": "Sở bị đổi tên", "addresses": "x@y.gov.vn"}
        assert clerk.post(f"/directory/{FILE_CODE}", data=edit).status_code == 403
        assert clerk.post("/directory/new", data={**edit, "code": "X1"}).status_code == 403
        assert clerk.post(f"/directory/{FILE_CODE}/remove", data=edit).status_code == 403
    rows = listed(gateway)
    assert rows[FILE_CODE]["source"] == "file" and "X1" not in rows
    assert rows[FILE_CODE]["name"] == "Sở Tài chính tỉnh Kiên Giang"
    with signed_in(gateway, "lanhdao") as leader:
        assert "Sở Tài chính" in leader.get(f"/directory/{FILE_CODE}").text
        assert leader.get("/directory/new").status_code == 403
    with signed_in(gateway, "quantri") as admin:
        assert "Lưu thay đổi" in admin.get(f"/directory/{FILE_CODE}").text


def send(gateway: GatewayProcess, sender: str, number: int, pki: TestPki) -> None:
    raw = official_mail(
        sender=sender,
        message_id=f"<cv{number}@sct.kiengiang.gov.vn>",
        attachments=[("cv.pdf", numbered_signed_pdf(number, pki), "application/pdf")],
    )
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(sender, [GATEWAY], raw)


def test_an_administrator_adds_and_edits_an_agency_the_running_gateway_knows_it_at_once(
    gateway: GatewayProcess, pki: TestPki, database_url: str
) -> None:
    """GIVEN a running gateway whose directory does not know the Sở Công Thương
    WHEN an administrator adds it on /directory/new, then edits it (a second address)
    THEN each save redirects to its page with "Đã lưu", the CLI lists it from the
    database, the audit trail has directory.edit with the changed fields;
    WHEN the Sở sends a signed document from the newly added address over SMTP
    THEN the running gateway registers it under that agency at once (not held)."""
    with signed_in(gateway, "quantri") as admin:
        form = agency_form(
            admin,
            "/directory/new",
            code=NEW_CODE,
            name=NEW_NAME,
            parent="KG-UBND",
            group="cap-tren",
            addresses="vanthu@sct.kiengiang.example.gov.vn",
        )
        added = admin.post("/directory/new", data=form)
        assert added.status_code == 303, added.text
        assert added.headers["location"].startswith(f"/directory/{NEW_CODE}?")
        page = admin.get(added.headers["location"])
        assert "Đã lưu: đã thêm Sở Công Thương tỉnh Kiên Giang vào danh bạ." in page.text
        assert "Ủy ban nhân dân tỉnh Kiên Giang" in page.text  # the parent, by its name
        edit = agency_form(
            admin,
            f"/directory/{NEW_CODE}",
            name=NEW_NAME,
            parent="KG-UBND",
            group="cap-tren",
            addresses=f"vanthu@sct.kiengiang.example.gov.vn\n{NEW_SENDER}",
            signer_organizations=pki.org_name,  # what the test PKI's seal says (R-FORGE)
        )
        edited = admin.post(f"/directory/{NEW_CODE}", data=edit)
        assert edited.status_code == 303
        page = admin.get(edited.headers["location"])
        assert "Đã lưu các thay đổi: địa chỉ thư, tổ chức ký số." in page.text
        assert re.search(r"Cơ sở dữ liệu — quantri, \d\d/\d\d/\d{4} \d\d:\d\d", page.text)
        listing = admin.get("/directory", params={"q": "so cong thuong"}).text
        assert NEW_NAME in listing and "Cơ sở dữ liệu — quantri" in listing
    row = listed(gateway)[NEW_CODE]
    assert row["source"] == "database" and row["name"] == NEW_NAME
    assert row["addresses"] == ["vanthu@sct.kiengiang.example.gov.vn", NEW_SENDER]
    events = audit(database_url, "directory.")
    assert [(e.action, e.actor, e.details["code"]) for e in events] == [
        ("directory.edit", "quantri", NEW_CODE),
        ("directory.edit", "quantri", NEW_CODE),
    ]
    assert events[0].details["added"] is True
    assert (events[1].details["added"], events[1].details["fields"]) == (
        False,
        ["addresses", "signer_organizations"],
    )

    send(gateway, NEW_SENDER, 61, pki)
    entries = wait_until(lambda: gateway.cli_json("register", "list"), bool)
    assert [e["sender_agency"] for e in entries] == [{"code": NEW_CODE, "name": NEW_NAME}], (
        gateway.cli_json("inbound", "list")
    )
    assert gateway.cli_json("held", "list") == []


def test_invalid_input_is_refused_and_a_removal_brings_the_file_entry_back(
    gateway: GatewayProcess, database_url: str
) -> None:
    """GIVEN the Sở Tài chính listed in agencies.yaml
    WHEN an administrator saves it with an empty name, or adds an agency whose address is
    not an address
    THEN 422 with the reasons in Vietnamese beside the form, and nothing is written;
    WHEN the administrator saves a valid change (one address on a closed network's own
    domain) THEN the database row is in force and the page warns about that address;
    WHEN the administrator removes that row THEN the file's entry is in force again (CLI:
    source "file"), the audit trail has directory.remove, and `gateway directory remove`
    of the same code (now only in the file) exits 1 saying so."""
    with signed_in(gateway, "quantri") as admin:
        page = f"/directory/{FILE_CODE}"
        empty = admin.post(page, data=agency_form(admin, page, name="  "))
        assert empty.status_code == 422
        assert "Tên cơ quan: chưa nhập." in empty.text
        bad = agency_form(
            admin, "/directory/new", code="000.00.31.H99", name=NEW_NAME, addresses="vanthu at sct"
        )
        refused = admin.post("/directory/new", data=bad)
        assert refused.status_code == 422
        assert "“vanthu at sct” không phải là một địa chỉ thư điện tử." in refused.text
        assert 'value="000.00.31.H99"' in refused.text  # what was typed stays in the form
        assert listed(gateway)[FILE_CODE]["source"] == "file"
        assert "000.00.31.H99" not in listed(gateway) and audit(database_url, "directory.") == []

        renamed = agency_form(
            admin,
            page,
            name="Sở Tài chính (tên mới)",
            addresses="vanthu@stc.kiengiang.gov.vn\nvanthu@tram.local",
        )
        assert admin.post(page, data=renamed).status_code == 303
        assert listed(gateway)[FILE_CODE]["source"] == "database"
        shown = admin.get(page).text
        assert "Xóa khỏi danh bạ trong cơ sở dữ liệu" in shown
        assert "⚠ vanthu@tram.local: tên miền dùng riêng" in shown  # warned, not refused
        assert "mục cùng mã trong tệp cấu hình có hiệu lực trở lại" in shown

        gone = admin.post(f"{page}/remove", data={"csrf_token": csrf(shown)})
        assert gone.status_code == 303 and gone.headers["location"].startswith("/directory?")
        after = admin.get(gone.headers["location"]).text
        assert (
            "Đã xóa cơ quan mã KG-STC khỏi danh bạ trong cơ sở dữ liệu. Mục cùng mã trong "
            "tệp cấu hình (Sở Tài chính tỉnh Kiên Giang) có hiệu lực trở lại."
        ) in after
    row = listed(gateway)[FILE_CODE]
    assert (row["source"], row["name"]) == ("file", "Sở Tài chính tỉnh Kiên Giang")
    assert [(e.action, e.actor) for e in audit(database_url, "directory.")] == [
        ("directory.edit", "quantri"),
        ("directory.remove", "quantri"),
    ]
    again = gateway.cli("directory", "remove", FILE_CODE)
    assert again.returncode == 1
    assert "chỉ có trong tệp cấu hình agencies.yaml" in again.stderr
