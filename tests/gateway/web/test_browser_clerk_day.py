"""The clerk's day in a real browser (headless Chromium through Selenium) against a real
``gateway serve`` of its own: the paper form with its review step, and the inbound list
with a held JavaScript PDF. What the clerk sees is checked for codes, English words and
ISO dates, and each page is kept as a screenshot (set GATEWAY_TEST_SCREENSHOTS=DIR to
keep them for a person to look at)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.web.conftest import (
    AGENCY,
    PASSWORD,
    Console,
    _document,
    _send,
    _wait_for_console,
)
from tests.gateway.web.test_clerk_day import pdf_with_javascript
from tests.gateway.web.visible import ISO_DATE, codes_in, visible_text
from tests.support.browser import follow
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import free_port

pytestmark = pytest.mark.slow

ENGLISH = ("accepted", "rejected", "held", "malware", "javascript", "clerk", "None", "pending")
CODES = ("thuong", "khan", "toi_mat", "entry.paper", "our-mail", "page-count", "summary")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[Console]:
    """A gateway with one registered document, one held for JavaScript, one refused."""
    root = tmp_path_factory.mktemp("clerk-day") / "deploy"
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
    gateway.add_user("vanthu", "clerk", PASSWORD)
    gateway.start()
    try:
        url = f"http://127.0.0.1:{web_port}"
        _wait_for_console(url, gateway)
        _send(gateway.port, _document(pki, "54", "chấn chỉnh việc gửi, nhận văn bản điện tử"))
        _send(
            gateway.port,
            official_mail(
                sender=AGENCY,
                attachments=[("js.pdf", pdf_with_javascript(), "application/pdf")],
            ),
        )
        gateway.wait_for_outbox(1, timeout=30)
        entries = gateway.cli_json("register", "list")
        assert len(entries) == 1, gateway.log_text()
        yield Console(gateway, url, entries[0]["year"])
    finally:
        gateway.stop()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    kept = os.environ.get("GATEWAY_TEST_SCREENSHOTS")
    folder = Path(kept) if kept else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(driver: Any, console: Console) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{console.url}/login")
    driver.find_element(By.ID, "username").send_keys("vanthu")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))


def _read_as_clerk(driver: Any, folder: Path, name: str) -> str:
    """The page as the clerk reads it, after its screenshot; no code, English word or
    ISO date in it."""
    driver.save_screenshot(str(folder / f"{name}.png"))
    html = driver.page_source
    text = visible_text(html)
    assert codes_in(html, ENGLISH + CODES) == [], name
    assert not ISO_DATE.search(text), name
    return text


def test_a_clerk_enters_a_paper_document_reviews_and_confirms_it(
    day: Console, browser: Any, shots: Path
) -> None:
    """GIVEN the paper form in Chromium WHEN a clerk types the fields (labels above the
    fields, a date as dd/mm/yyyy, nơi gửi, người ký, độ mật, a long trích yếu) and asks
    to review THEN the confirmation shows what will be entered, no number yet; WHEN they
    confirm THEN the document page shows number 2 and the fields, all in Vietnamese."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _login(browser, day)
    browser.get(f"{day.url}/register/paper")
    summary = browser.find_element(By.ID, "trich-yeu")
    label = browser.find_element(By.CSS_SELECTOR, "label[for=trich-yeu]")
    assert label.location["y"] < summary.location["y"]  # the label above its field
    assert summary.size["width"] >= 600 and summary.size["height"] >= 80
    assert summary.value_of_css_property("font-family").split(",")[0] != "monospace"
    fields = {
        "so-ky-hieu": "12/GM-STP",
        "ngay-van-ban": "18/11/2026",
        "loai": "Giấy mời",
        "co-quan": "Sở Tư pháp tỉnh Kiên Giang",
        "noi-gui": "Văn phòng UBND tỉnh Kiên Giang",
        "nguoi-ky": "Nguyễn Văn An",
        "so-trang": "2",
    }
    for field, value in fields.items():
        browser.find_element(By.ID, field).send_keys(value)
    summary.send_keys(
        "Mời dự họp giao ban công tác văn thư, lưu trữ quý IV năm 2026 và triển khai "
        "nhiệm vụ chuyển đổi số trong công tác văn thư năm 2027"
    )
    Select(browser.find_element(By.ID, "do-khan")).select_by_visible_text("Thượng khẩn")
    secrecy = Select(browser.find_element(By.ID, "do-mat"))
    assert [o.text for o in secrecy.options] == ["Không mật", "Mật", "Tối mật", "Tuyệt mật"]
    _read_as_clerk(browser, shots, "01-giay-nhap")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.paper button[type=submit]"))

    text = _read_as_clerk(browser, shots, "02-giay-xac-nhan")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Xác nhận vào sổ văn bản giấy"
    for value in ("18/11/2026", "Nguyễn Văn An", "Thượng khẩn", "Không mật"):
        assert value in text
    confirm = browser.find_element(By.XPATH, "//button[text()='Xác nhận và cấp số đến']")
    follow(browser, confirm)

    text = _read_as_clerk(browser, shots, "03-giay-da-vao-so")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading == f"Văn bản đến số 2/{day.year} (văn bản giấy)"
    assert "Văn phòng UBND tỉnh Kiên Giang" in text and "Vào sổ văn bản giấy" in text

    reason = browser.find_element(By.ID, "ly-do-huy")
    browser.execute_script("arguments[0].scrollIntoView()", reason)
    reason.send_keys("vào sổ nhầm: văn bản đã nhận qua thư điện tử")
    follow(browser, reason.find_element(By.XPATH, "following-sibling::button"))
    browser.execute_script("document.getElementById('lich-su').scrollIntoView()")
    text = _read_as_clerk(browser, shots, "06-giay-da-huy")
    assert "Đã hủy" in text and "Hủy văn bản giấy vào sổ nhầm: vào sổ nhầm" in text

    browser.get(f"{day.url}/register?today=1")
    text = _read_as_clerk(browser, shots, "07-so-den-hom-nay")
    assert "Tổng số: 2 văn bản" in text
    assert browser.find_elements(By.CSS_SELECTOR, "tr.urgent .badge.urgent")  # Thượng khẩn
    assert browser.find_elements(By.CSS_SELECTOR, "tr.cancelled")


def test_a_clerk_sees_every_inbound_message_and_decides_the_held_one(
    day: Console, browser: Any, shots: Path
) -> None:
    """GIVEN one accepted message and one held for JavaScript WHEN the clerk opens "Thư
    đến" from the menu THEN both are listed with their outcome and answer in Vietnamese;
    following "Xem và quyết định" opens the held item, which is not labelled "Mật"."""
    from selenium.webdriver.common.by import By

    _login(browser, day)
    follow(browser, browser.find_element(By.LINK_TEXT, "Thư đến"))
    text = _read_as_clerk(browser, shots, "04-thu-den")
    for words in ("Đã tiếp nhận", "Biên nhận (03)", "Tạm giữ chờ quyết định", "JavaScript"):
        assert words in text
    follow(browser, browser.find_element(By.LINK_TEXT, "Xem và quyết định"))
    text = _read_as_clerk(browser, shots, "05-thu-tam-giu")
    assert "JavaScript" in text
    assert not browser.find_elements(By.XPATH, "//dt[text()='Mật']")
