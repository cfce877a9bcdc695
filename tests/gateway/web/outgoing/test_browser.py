"""Issuing in a real browser (headless Chromium through Selenium) against a real
``gateway serve`` of the city (DESIGN §4.7): what a clerk sees on /outgoing/new, the
preview, the document page and the list — also at a phone's width, where the monthly
report's chart must keep every unit's name whole and readable (R-MONTHLY)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.web.conftest import PASSWORD, _wait_for_console
from tests.gateway.web.outgoing.conftest import CITY, city_document
from tests.support.browser import follow
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki
from tests.support.sink import free_port

pytestmark = pytest.mark.slow
PHONE = (390, 844)


@pytest.fixture(scope="module")
def city_console(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[str]:
    """The city's ``gateway serve`` with its console; a clerk ``vanthu``."""
    root = tmp_path_factory.mktemp("city-console") / "deploy"
    web_port = free_port()
    gateway = GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_WEB__LISTEN": f"127.0.0.1:{web_port}",
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
            "GATEWAY_OUTGOING__FROM_ADDRESS": CITY,
            "GATEWAY_OUTGOING__AGENCY": json.dumps(["VP"]),
            "GATEWAY_SMTP__ADDRESSES": json.dumps([CITY]),
            "GATEWAY_AUTH__RESOLVER": "off",
        },
    )
    gateway.add_user("vanthu", "clerk", PASSWORD)
    gateway.start()
    try:
        url = f"http://127.0.0.1:{web_port}"
        _wait_for_console(url, gateway)
        yield url
    finally:
        gateway.stop()


def _csp_problems(driver: Any) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def test_r_issue_a_clerk_issues_in_the_browser_and_the_list_shows_the_recipients(
    city_console: str, browser: Any, pki: TestPki, tmp_path: Path
) -> None:
    """R-ISSUE, R-DELIVERY: GIVEN the city's console and a signed công văn on disk
    WHEN a clerk signs in, opens "Văn bản đi", chooses "Phát hành văn bản mới", picks the
    PDF, ticks the group of phường/xã and the unit QLDT, previews and issues
    THEN the preview reads the document's số/ký hiệu and lists 13 recipients; the
    document's page says it was issued to 13 recipients, each listed with its state in
    Vietnamese; the list shows it with "13 nơi nhận" and its recipients waiting; at a
    phone's width the list and the monthly report have no page-wide horizontal scroll,
    and every unit's name on the report's chart is whole text on its own line, above a
    bar wide enough to read; no page broke the content security policy."""
    from selenium.webdriver.common.by import By

    pdf = tmp_path / "cong-van-15.pdf"
    pdf.write_bytes(city_document(pki, 15))
    shots = tmp_path / "anh"
    shots.mkdir()
    browser.get(f"{city_console}/login")
    browser.find_element(By.ID, "username").send_keys("vanthu")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
    follow(browser, browser.find_element(By.LINK_TEXT, "Văn bản đi"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sổ đăng ký văn bản đi"
    follow(browser, browser.find_element(By.LINK_TEXT, "Phát hành văn bản mới"))
    browser.find_element(By.ID, "pdf").send_keys(str(pdf))
    browser.find_element(By.CSS_SELECTOR, 'input[name="to"][value="phuong-xa"]').click()
    browser.find_element(By.ID, "to-QLDT").click()
    browser.save_screenshot(str(shots / "1-form.png"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.issue-form button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kiểm tra trước khi phát hành"
    assert browser.find_element(By.ID, "so-ky-hieu").text == "15/UBND-VP"
    recipients = browser.find_elements(By.CSS_SELECTOR, "#danh-sach-noi-nhan li")
    assert len(recipients) == 13
    browser.save_screenshot(str(shots / "2-preview.png"))
    follow(browser, browser.find_element(By.ID, "phat-hanh"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("Văn bản đi số 1/")
    assert "13 nơi nhận" in browser.find_element(By.ID, "da-phat-hanh").text
    states = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#noi-nhan tbody .state")]
    assert len(states) == 13
    assert set(states) <= {"Đang chờ gửi", "Đã gửi, chờ xác nhận"}
    browser.save_screenshot(str(shots / "3-document.png"))
    follow(browser, browser.find_element(By.LINK_TEXT, "← Sổ văn bản đi"))
    (row,) = browser.find_elements(By.CSS_SELECTOR, "table.outgoing tbody tr")
    assert "15/UBND-VP" in row.text and "13 nơi nhận" in row.text
    assert "Đang chờ 13" in row.text
    browser.save_screenshot(str(shots / "4-list.png"))

    browser.set_window_size(*PHONE)
    for path in ("/outgoing", "/reports/monthly"):
        browser.get(city_console + path)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        inner = browser.execute_script("return window.innerWidth")
        assert width <= inner, (path, width, inner)
        browser.save_screenshot(str(shots / f"phone{path.replace('/', '-')}.png"))
    names = browser.find_elements(By.CSS_SELECTOR, "ol.bars .bar-name")
    assert len(names) >= 30
    for name in names[:30]:
        box = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const bar = arguments[0].nextElementSibling.getBoundingClientRect();"
            "return [arguments[0].scrollWidth, arguments[0].clientWidth, r.bottom, bar.top,"
            " bar.width, getComputedStyle(arguments[0]).fontSize];",
            name,
        )
        scroll_width, client_width, name_bottom, bar_top, bar_width, font = box
        assert scroll_width <= client_width, name.text  # nothing cut or spilling
        assert name_bottom <= bar_top + 1  # the name above its bar on a phone
        assert bar_width >= 250 and float(font.rstrip("px")) >= 13
        assert "…" not in name.text
    assert _csp_problems(browser) == []
    print(f"screenshots: {shots}")
