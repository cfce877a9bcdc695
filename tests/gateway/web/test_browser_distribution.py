"""A leader's distribution in a real browser (R-DISTRIB, DESIGN §4.8): headless Chromium
against a real ``gateway serve`` whose rules propose; the routed copy and the 04 notice
are read from the gateway's outbox maildir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.distribution.conftest import (
    AGENCY,
    proposing_gateway,
    send,
    signed_mail,
    wait_for,
)
from tests.gateway.web.conftest import PASSWORD, Console
from tests.gateway.web.test_browser import _login
from tests.support.browser import follow, wait_until_replaced
from tests.support.pki import TestPki
from tests.support.sink import free_port

pytestmark = pytest.mark.slow

INSTRUCTION = "Giao Phòng Tư pháp chủ trì thẩm định, báo cáo trước ngày 15/12."


@pytest.fixture(scope="module")
def leader_console(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[Console]:
    root = tmp_path_factory.mktemp("distribution") / "deploy"
    web_port = free_port()
    gateway = proposing_gateway(root, pki, {"GATEWAY_WEB__LISTEN": f"127.0.0.1:{web_port}"})
    gateway.add_user("phochutich", "leader", PASSWORD)
    gateway.start()
    try:
        send(gateway, signed_mail(pki, "81", "dự toán ngân sách xây dựng trường học"))
        send(gateway, signed_mail(pki, "82", "quyết toán ngân sách năm 2025"))
        receipts = wait_for(
            lambda: [m for m in gateway.outbox() if m["X-Document-Status"] == "03"][1:]
        )
        assert receipts, gateway.log_text()
        entries = gateway.cli_json("register", "list")
        assert [e["status"] for e in entries] == ["awaiting_distribution"] * 2
        yield Console(gateway, f"http://127.0.0.1:{web_port}", entries[0]["year"])
    finally:
        gateway.stop()


def _fits_the_width(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;"
        )
    )


def test_r_distrib_leader_changes_the_lead_adds_an_instruction_and_routing_follows(
    leader_console: Console, browser: Any, tmp_path: Path
) -> None:
    """GIVEN two budget documents awaiting the vice-chairman (rule proposes TCKH to lead)
    WHEN he logs in, opens "Phân công", opens the first document, chooses Phòng Tư pháp as
    lead, types an instruction and presses "Phân công"
    THEN the queue says it was assigned and shows the other document only; the routed
    copy goes to Phòng Tư pháp with the instruction and the document; the sender gets the
    04 notice; the register's JSON shows who decided and the note."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    console, gateway = leader_console, leader_console.gateway
    year = console.year
    _login(browser, console, "phochutich")
    follow(browser, browser.find_element(By.LINK_TEXT, "Phân công"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Văn bản chờ phân công"
    items = browser.find_elements(By.CSS_SELECTOR, "#hang-cho > li")
    assert [i.get_attribute("id") for i in items] == [f"cho-{year}-1", f"cho-{year}-2"]
    assert "Hạn cho ý kiến phân công" in items[0].text
    assert "Đề xuất: Chủ trì Phòng Tài chính – Kế hoạch" in items[0].text
    follow(browser, items[0].find_element(By.PARTIAL_LINK_TEXT, "thay đổi phân công"))

    assert browser.find_element(By.TAG_NAME, "h1").text == f"Phân công văn bản đến số 1/{year}"
    assert "dự toán ngân sách" in browser.find_element(By.ID, "trich-yeu").text
    browser.save_screenshot(str(tmp_path / "decision.png"))
    Select(browser.find_element(By.ID, "chu-tri")).select_by_value("TP")
    browser.find_element(By.ID, "y-kien").send_keys(INSTRUCTION)
    follow(browser, browser.find_element(By.ID, "phan-cong"))

    assert (
        browser.find_element(By.ID, "da-phan-cong").text == f"Đã phân công văn bản đến số {year}/1."
    )
    remaining = browser.find_elements(By.CSS_SELECTOR, "#hang-cho > li")
    assert [i.get_attribute("id") for i in remaining] == [f"cho-{year}-2"]

    copies = wait_for(lambda: [m for m in gateway.outbox(routed=True) if "tuphap@" in str(m["To"])])
    [copy] = copies
    body = copy.get_body(("plain",))
    assert body is not None
    assert INSTRUCTION in " ".join(body.get_content().split())
    assert any(p.get_filename() == "81-UBND-VP.pdf" for p in copy.walk())
    assert not [m for m in gateway.outbox(routed=True) if "tckh@" in str(m["To"])]
    notices = wait_for(lambda: [m for m in gateway.outbox() if m["X-Document-Status"] == "04"])
    assert [str(n["To"]) for n in notices] == [AGENCY]
    shown = gateway.cli_json("register", "show", f"{year}/1")
    assert shown["status"] == "assigned"
    assert (shown["distribution"]["by"], shown["distribution"]["note"]) == (
        "phochutich",
        INSTRUCTION,
    )
    assert [(a["unit"], a["role"]) for a in shown["assignments"]] == [
        ("TP", "lead"),
        ("KT", "cooperate"),
        ("VP", "inform"),
    ]


def test_r_distrib_on_a_phone_the_leader_accepts_with_the_keyboard(
    leader_console: Console, browser: Any, tmp_path: Path
) -> None:
    """GIVEN the second budget document awaiting the vice-chairman, on a phone-wide screen
    WHEN he reaches "Đồng ý theo đề xuất" with the Tab key and presses Enter
    THEN nothing overflows the width, the document is assigned as proposed (TCKH leads)
    and TCKH gets its routed copy."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    console, gateway = leader_console, leader_console.gateway
    year = console.year
    browser.set_window_size(390, 844)
    _login(browser, console, "phochutich")
    browser.get(f"{console.url}/distribute")
    assert _fits_the_width(browser)
    browser.save_screenshot(str(tmp_path / "queue.png"))
    accept = browser.find_element(By.CSS_SELECTOR, f"#cho-{year}-2 button.accept")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(40):  # the skip link, the navigation, then the queue
        if browser.switch_to.active_element == accept:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == accept
    accept.send_keys(Keys.ENTER)
    wait_until_replaced(browser, accept)
    assert (
        browser.find_element(By.ID, "da-phan-cong").text == f"Đã phân công văn bản đến số {year}/2."
    )
    assert not browser.find_elements(By.ID, f"cho-{year}-2")
    assert _fits_the_width(browser)
    browser.save_screenshot(str(tmp_path / "phone.png"))
    shown = gateway.cli_json("register", "show", f"{year}/2")
    assert (shown["assignments"][0]["unit"], shown["assignments"][0]["role"]) == ("TCKH", "lead")
    assert wait_for(lambda: [m for m in gateway.outbox(routed=True) if "tckh@" in str(m["To"])])
