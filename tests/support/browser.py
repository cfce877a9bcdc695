"""Driving headless Chromium through a page change without racing it."""

from __future__ import annotations

from typing import Any

# What chromedriver answers, instead of "stale element", when it is asked about an element
# in the very instant the document it belonged to is being replaced.
_REPLACED_DOCUMENT_ERRORS = (
    "does not belong to the document",
    "No node with given id found",
    "Cannot find context with specified id",
)


def page_replaced(element: Any) -> Any:
    """A wait condition: true once ``element``'s page has been replaced by another."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def _predicate(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if any(text in str(error.msg) for text in _REPLACED_DOCUMENT_ERRORS):
                return True
            raise
        return False

    return _predicate


def wait_until_replaced(driver: Any, element: Any, timeout: float = 30) -> None:
    """Wait until the page ``element`` belongs to has been replaced (after a click that
    navigates); finding elements before that would find the old page's."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(page_replaced(element))


def follow(driver: Any, element: Any, timeout: float = 30) -> None:
    """Click a link or a submit button and wait until the page it leads to replaced this one."""
    element.click()
    wait_until_replaced(driver, element, timeout)


def settled_texts(driver: Any, selector: str, timeout: float = 30) -> list[str]:
    """The texts of the elements ``selector`` finds, once the page stopped replacing them
    (the same texts twice, 0.3 s apart): a search box that updates its results as one
    types may swap the table again just after the results page arrived."""
    import time

    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    previous: list[str] | None = None
    while True:
        try:
            texts = [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]
        except StaleElementReferenceException:
            texts = None
        if texts is not None and texts == previous:
            return texts
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector}: still changing after {timeout} s")
        previous = texts
        time.sleep(0.3)
