"""The register page with htmx in a real browser (headless Chromium, a real
``gateway serve``): results follow the search box as one types, saved searches reopen, and
the vendored script lives within the Content-Security-Policy (DESIGN §4.6)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.gateway.web.conftest import PASSWORD, Console
from tests.support.browser import follow

pytestmark = pytest.mark.slow

ROWS = "return document.querySelectorAll('#results tbody tr').length"
STATUS = "return document.getElementById('result-count').textContent"


def _wait(driver: Any, condition: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 15).until(condition)


def _login(driver: Any, console: Console, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{console.url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.login button"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Sổ đăng ký văn bản đến"
    _wait(driver, lambda d: d.execute_script("return typeof htmx") == "object")


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _csp_reports(driver: Any) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def test_typing_chan_chinh_narrows_the_results_without_submitting(
    console: Console, browser: Any
) -> None:
    """GIVEN a clerk on the register with two documents
    WHEN they type "chan chinh" into the search box and press nothing
    THEN the results region narrows to the "chấn chỉnh" document within the same page (no
    navigation: a marker set on the page survives), the status line that screen readers
    announce says so, the address bar carries the search (and no empty field), and
    the browser reported no Content-Security-Policy violation (htmx's inline indicator
    style is off); an inline script, by contrast, is refused and reported."""
    from selenium.webdriver.common.by import By

    _login(browser, console, "vanthu")
    assert browser.execute_script(ROWS) == 2
    assert "2 văn bản trên trang 1" in browser.execute_script(STATUS)
    browser.execute_script("window.sameDocument = true")
    browser.find_element(By.ID, "q").send_keys("chan chinh")
    _wait(browser, lambda d: d.execute_script(ROWS) == 1)
    _wait(browser, lambda d: "1 văn bản trên trang 1" in d.execute_script(STATUS))  # spoken
    assert "chấn chỉnh" in browser.find_element(By.CSS_SELECTOR, "#results tbody tr").text
    assert browser.execute_script("return window.sameDocument") is True
    _wait(browser, lambda d: _query(d.current_url) == {"q": ["chan chinh"]})
    assert browser.find_elements(By.CSS_SELECTOR, "head style") == []
    assert _csp_reports(browser) == []

    browser.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.inlineRan = true'; document.head.appendChild(s);"
    )
    assert browser.execute_script("return window.inlineRan === true") is False
    _wait(browser, lambda d: _csp_reports(d) != [])


def test_a_saved_search_is_saved_listed_and_reopened(console: Console, browser: Any) -> None:
    """GIVEN a clerk who typed "chan chinh" (results refreshed by htmx)
    WHEN they save the search as "Chấn chỉnh văn bản", go back to the whole register and
    follow the saved link THEN the saved page lists only that document with the search box
    filled in again; deleting it removes it from the list."""
    from selenium.webdriver.common.by import By

    _login(browser, console, "vanthu")
    browser.find_element(By.ID, "q").send_keys("chan chinh")
    _wait(browser, lambda d: d.execute_script(ROWS) == 1)
    browser.find_element(By.ID, "save-name").send_keys("Chấn chỉnh văn bản")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.save-search button"))
    assert _query(browser.current_url) == {"q": ["chan chinh"]}  # stored without the noise

    follow(browser, browser.find_element(By.CSS_SELECTOR, "header nav a[href='/register']"))
    assert browser.execute_script(ROWS) == 2
    saved = browser.find_element(By.LINK_TEXT, "Chấn chỉnh văn bản")
    follow(browser, saved)
    assert browser.execute_script(ROWS) == 1
    assert browser.find_element(By.ID, "q").get_attribute("value") == "chan chinh"
    assert "chấn chỉnh" in browser.find_element(By.CSS_SELECTOR, "#results tbody tr").text

    delete = browser.find_element(By.CSS_SELECTOR, "ul.saved-searches button")
    follow(browser, delete)
    assert browser.find_elements(By.LINK_TEXT, "Chấn chỉnh văn bản") == []
