"""R-MONTHLY: the monthly report's chart read in a real browser (headless Chromium against
a real ``gateway serve``), on a desk and at a phone's width: every unit's name whole, its
bar readable, nothing wider than the screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.gateway.web.conftest import PASSWORD, Console
from tests.support.browser import follow

pytestmark = pytest.mark.slow

PHONE = (390, 844)
# Per chart row: the name's box and text, the bar's box, the chart's right edge.
MEASURE = """
const rows = [...document.querySelectorAll('ol.bars li')].map(li => {
  const name = li.querySelector('.bar-name'), bar = li.querySelector('svg.bar');
  const n = name.getBoundingClientRect(), b = bar.getBoundingClientRect();
  return {text: name.textContent, cut: name.scrollWidth > name.clientWidth + 1,
          nameBottom: n.bottom, nameLeft: n.left, barTop: b.top, barWidth: b.width,
          right: Math.max(n.right, b.right)};
});
const chart = document.querySelector('figure.chart').getBoundingClientRect();
return {rows, chartRight: chart.right, width: document.documentElement.clientWidth};
"""


def _month(console: Console) -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")


def test_r_monthly_chart_keeps_every_unit_name_whole_on_a_phone(
    console: Console, browser: Any
) -> None:
    """GIVEN a leader signed in and this month's report (every unit of the directory has
    its row in the chart) WHEN the page is shown 390 px wide (a phone)
    THEN each unit's name is shown whole (never cut), above its bar, each bar at least
    half the screen wide, and the chart no wider than the screen; on a desk the name is
    beside its bar."""
    from selenium.webdriver.common.by import By

    browser.get(f"{console.url}/login")
    browser.find_element(By.ID, "username").send_keys("lanhdao")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))
    browser.get(f"{console.url}/reports/monthly?month={_month(console)}")

    desk = browser.execute_script(MEASURE)
    assert len(desk["rows"]) >= 30  # the directory's 30 units, zeros included
    assert all(r["barTop"] < r["nameBottom"] for r in desk["rows"])  # side by side
    browser.set_window_size(*PHONE)
    try:
        phone = browser.execute_script(MEASURE)
    finally:
        browser.set_window_size(1280, 900)

    names = [r["text"] for r in phone["rows"]]
    assert names == [r["text"] for r in desk["rows"]]
    assert any(len(name) > 40 for name in names)  # long names are among them
    assert [r["text"] for r in phone["rows"] if r["cut"]] == []
    assert all(r["barTop"] >= r["nameBottom"] - 1 for r in phone["rows"])  # name above bar
    assert all(r["barWidth"] >= phone["width"] / 2 for r in phone["rows"])
    assert phone["chartRight"] <= phone["width"] + 1
    assert all(r["right"] <= phone["width"] + 1 for r in phone["rows"])
