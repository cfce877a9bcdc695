"""The console in a real browser (headless Chromium through Selenium) against a real
``gateway serve``: what a clerk and an officer actually see (DESIGN §4.6)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.gateway.web.conftest import PASSWORD, Console
from tests.support.browser import follow, settled_texts

pytestmark = pytest.mark.slow


def _login(driver: Any, console: Console, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{console.url}/register")
    assert driver.current_url.endswith("/login")  # redirected: no session yet
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Sổ đăng ký văn bản đến"


def _search(driver: Any, text: str) -> None:
    """Type ``text`` into the search box, submit with Enter, wait for the results page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "q").send_keys(text, Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: "q=" in d.current_url)


def test_clerk_finds_chan_chinh_without_diacritics_and_opens_it(
    console: Console, browser: Any
) -> None:
    """GIVEN a clerk account and two registered documents, one about "chấn chỉnh"
    WHEN the clerk logs in, types "chan chinh" (no diacritics) into the search box,
    submits with the keyboard and follows the only result
    THEN the document page shows its number, symbol, trích yếu with diacritics, and the
    signature verdict in plain Vietnamese."""
    from selenium.webdriver.common.by import By

    _login(browser, console, "vanthu")
    assert len(browser.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2
    _search(browser, "chan chinh")
    rows = settled_texts(browser, "tbody tr")
    assert len(rows) == 1
    assert "chấn chỉnh" in rows[0]
    follow(browser, browser.find_element(By.CSS_SELECTOR, "tbody tr a"))

    assert browser.find_element(By.TAG_NAME, "h1").text == f"Văn bản đến số 1/{console.year}"
    assert browser.find_element(By.ID, "so-ky-hieu").text == "54/UBND-VP"
    assert browser.find_element(By.ID, "trich-yeu").text.startswith("chấn chỉnh, tăng cường")
    verdicts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".signature .verdict")]
    assert len(verdicts) == 2
    assert all(v.startswith("Hợp lệ: chữ ký đúng") for v in verdicts)
    assert "Lịch sử xử lý" in browser.find_element(By.ID, "lich-su").text
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"


def test_officer_gets_403_pages_for_rules_and_another_units_document(
    console: Console, browser: Any
) -> None:
    """GIVEN an officer of unit PTP (document 1 is PTP's, document 2 is PKT's)
    WHEN they open /rules and document 2 in the browser
    THEN both show the Vietnamese "no right" page, and their register lists document 1 only."""
    from selenium.webdriver.common.by import By

    _login(browser, console, "chuyenvien")
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "tbody a")]
    assert links == [f"1/{console.year}"]
    for path in ("/rules", f"/register/{console.year}/2"):
        browser.get(f"{console.url}{path}")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Không thực hiện được yêu cầu"
        assert "Bạn không có quyền xem trang này." in browser.page_source


def test_logout_in_the_browser_ends_the_session(console: Console, browser: Any) -> None:
    """GIVEN a signed-in leader WHEN they press "Đăng xuất" THEN they are on the login page
    and going back to the register sends them to the login page again."""
    from selenium.webdriver.common.by import By

    _login(browser, console, "lanhdao")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.logout button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Đăng nhập"
    browser.get(f"{console.url}/register")
    assert browser.current_url.endswith("/login")


def test_clerk_finds_chan_chinh_assigns_it_to_a_unit_and_the_routed_copy_is_delivered(
    console: Console, browser: Any
) -> None:
    """GIVEN a clerk and the registered "chấn chỉnh" document
    WHEN the clerk finds it by typing "chan chinh", opens it and, in "Phân công xử lý",
    assigns it to Phòng Tư pháp as a cooperating unit
    THEN the page lists the new assignment and the gateway delivers the routed copy, with
    the document attached, to the unit's mailbox (the outbox maildir)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def copies_to_tp() -> list[Any]:
        mails = console.gateway.outbox(routed=True)
        return [m for m in mails if m["To"] and "tuphap@example.gov.vn" in str(m["To"])]

    assert copies_to_tp() == []
    _login(browser, console, "vanthu")
    _search(browser, "chan chinh")
    assert len(settled_texts(browser, "tbody tr")) == 1
    follow(browser, browser.find_element(By.CSS_SELECTOR, "tbody tr a"))
    Select(browser.find_element(By.ID, "giao-don-vi")).select_by_value("TP")
    Select(browser.find_element(By.ID, "giao-vai-tro")).select_by_value("cooperate")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/assign'] button"))
    section = browser.find_element(By.ID, "phan-cong").find_element(By.XPATH, "..")
    assert "Phối hợp: Phòng Tư pháp" in section.text
    deadline = time.monotonic() + 30
    while not copies_to_tp() and time.monotonic() < deadline:
        time.sleep(0.2)
    [copy] = copies_to_tp()
    assert copy["Auto-Submitted"] == "auto-generated"
    assert any(part.get_filename() == "54-UBND-VP.pdf" for part in copy.walk())
