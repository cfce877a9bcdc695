"""A real ``gateway serve`` with its console on a loopback port, two registered documents
and four accounts; a headless Chromium driven by Selenium.

Document 1 ("chấn chỉnh …", 54/UBND-VP) is assigned to unit PTP, document 2 (55/UBND-VP) to
unit PKT; the assignment rows are written as the routing stage writes them. A browser that
cannot start is a skip locally and a failure when GATEWAY_TEST_REQUIRE_BROWSER is set
(scripts/test, CI).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from registry.database import make_engine, write_session
from registry.models import AssignmentRecord, RegisterEntry
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency
from tests.support.sink import free_port

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
PASSWORD = "mat-khau-thu-nghiem-1"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRE_BROWSER_VARIABLE = "GATEWAY_TEST_REQUIRE_BROWSER"
USERS = (
    ("vanthu", "clerk", None),
    ("chuyenvien", "officer", "PTP"),
    ("lanhdao", "leader", None),
    ("quantri", "admin", None),
)
UNIT_OF_DOCUMENT = {1: "PTP", 2: "PKT"}
TEST_UNITS = "".join(
    f'  - {{code: {code}, name: "{name}", addresses: [], domains: [], signer_organizations: []}}\n'
    for code, name in (("PTP", "Phòng Tư pháp (thử)"), ("PKT", "Phòng Kinh tế (thử)"))
)


@dataclass
class Console:
    gateway: GatewayProcess
    url: str
    year: int

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def login(
        self, client: httpx.Client, username: str, password: str = PASSWORD
    ) -> httpx.Response:
        """GET the form (its CSRF cookie and field), then POST it as a browser would."""
        form = client.get("/login")
        token = csrf_field(form.text)
        return client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )


def csrf_field(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail(AGENCY, [GATEWAY], raw)


def _document(pki: TestPki, number: str, summary: str) -> bytes:
    pdf = official_document_pdf(number=number, summary=summary, issued_on=date(2026, 11, 20))
    return official_mail(
        sender=AGENCY,
        message_id=f"<cv{number}.{secrets.token_hex(4)}@vp.rachgia.example.gov.vn>",
        attachments=[
            (f"{number}-UBND-VP.pdf", sign_as_person_then_agency(pdf, pki), "application/pdf")
        ],
    )


def _assign(gateway: GatewayProcess) -> None:
    """Each document to its unit, as the routing stage records an assignment."""
    engine = make_engine(f"sqlite:///{gateway.data_dir / 'gateway.db'}")
    now = datetime.now(UTC)
    try:
        with write_session(engine) as session:
            for number, unit in UNIT_OF_DOCUMENT.items():
                entry = session.scalars(
                    select(RegisterEntry).where(col(RegisterEntry.incoming_number) == number)
                ).one()
                assert entry.id is not None
                session.add(
                    AssignmentRecord(
                        entry_id=entry.id,
                        unit_code=unit,
                        unit_name=unit,
                        role="lead",
                        mailbox=f"{unit.lower()}@example.gov.vn",
                        token=secrets.token_hex(16),
                        created_at=now,
                        updated_at=now,
                    )
                )
    finally:
        engine.dispose()


def _wait_for_console(url: str, gateway: GatewayProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"console did not answer:\n{gateway.log_text()}")


@pytest.fixture(scope="package")
def console(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[Console]:
    root = tmp_path_factory.mktemp("console") / "deploy"
    web_port = free_port()
    gateway = GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_WEB__LISTEN": f"127.0.0.1:{web_port}",
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
        },
    )
    password_file = root / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    with (root / "agencies.yaml").open("a", encoding="utf-8") as directory:
        directory.write(TEST_UNITS)  # `users add --unit` accepts only units that exist
    for name, role, unit in USERS:
        result = gateway.cli(
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-file",
            str(password_file),
            *(("--unit", unit) if unit else ()),
        )
        assert result.returncode == 0, result.stderr
    gateway.start()
    try:
        url = f"http://127.0.0.1:{web_port}"
        _wait_for_console(url, gateway)
        _send(
            gateway.port,
            _document(pki, "54", "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"),
        )
        _send(gateway.port, _document(pki, "55", "tổ chức hội nghị tổng kết công tác năm"))
        gateway.wait_for_outbox(2, timeout=30)
        entries = gateway.cli_json("register", "list")
        assert len(entries) == 2, gateway.log_text()
        _assign(gateway)
        yield Console(gateway, url, entries[0]["year"])
    finally:
        gateway.stop()


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists() and shutil.which(Path(path).name) is None:
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium (the system browser, no download) through the system chromedriver."""
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get(REQUIRE_BROWSER_VARIABLE):
            pytest.fail(f"{REQUIRE_BROWSER_VARIABLE} is set but {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP reports: get_log
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=vi",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
