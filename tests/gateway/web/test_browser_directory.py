"""The agency directory in a real browser (headless Chromium) against a real ``gateway
serve`` (DESIGN §4.9): a clerk finds an agency without typing diacritics, on a desk and on
a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.web.conftest import PASSWORD, Console
from tests.support.browser import follow, settled_texts

pytestmark = pytest.mark.slow


def test_clerk_finds_the_department_of_finance_from_the_menu_also_on_a_phone(
    console: Console, browser: Any
) -> None:
    """GIVEN a clerk signed in to a running console with the sample directory
    WHEN the clerk follows "Danh bạ" in the menu, types "so tai chinh" and presses Enter
    THEN one agency is listed, Sở Tài chính tỉnh Kiên Giang from the configuration file,
    and its link opens its page (no edit form for a clerk);
    WHEN the window is as narrow as a phone THEN each row is a card of labelled cells."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{console.url}/login")
    browser.find_element(By.ID, "username").send_keys("vanthu")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
    follow(browser, browser.find_element(By.LINK_TEXT, "Danh bạ"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Danh bạ cơ quan"

    browser.find_element(By.ID, "q").send_keys("so tai chinh", Keys.ENTER)
    WebDriverWait(browser, 15).until(lambda d: "q=" in d.current_url)
    texts = settled_texts(browser, "table.directory tbody tr")
    assert len(texts) == 1
    assert "Sở Tài chính tỉnh Kiên Giang" in texts[0] and "Tệp cấu hình" in texts[0]
    rows = browser.find_elements(By.CSS_SELECTOR, "table.directory tbody tr")
    assert browser.find_element(By.ID, "so-co-quan").text.startswith("Tìm thấy 1 trong")

    browser.set_window_size(390, 844)
    try:
        cell = browser.find_element(By.CSS_SELECTOR, "table.directory tbody td")
        assert cell.value_of_css_property("display") == "block"
        assert cell.get_attribute("data-label") == "Mã"
    finally:
        browser.set_window_size(1280, 900)

    follow(browser, rows[0].find_element(By.TAG_NAME, "a"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sở Tài chính tỉnh Kiên Giang"
    assert browser.find_elements(By.ID, "name") == []  # clerks read, administrators edit
