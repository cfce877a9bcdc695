"""R-SECRET / R-VIRUS alerts when no administrator address is configured: they wait on
``/system``, in ``gateway status`` and on an administrator's dashboard until acknowledged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.reports.status import status_of, status_text
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    console = make_console(tmp_path / "d", pki, database_url)  # [alerts] administrator = ""
    yield console
    console.close()


def _status(console: InProcessConsole) -> str:
    c = console.components
    return status_text(status_of(c.deployment, c.engine))


def test_r_secret_alert_without_an_administrator_address_waits_until_acknowledged(
    console: InProcessConsole,
) -> None:
    """GIVEN the default deployment (no `[alerts] administrator`) and a MẬT-stamped
    document received WHEN an administrator looks
    THEN the alert is on /system, in `gateway status` and on the administrator's dashboard
    (not on a clerk's), quoting nothing of the message; once acknowledged it is gone from
    all three and the acknowledgement is audited."""
    pdf = official_document_pdf(number="31", symbol="PA-UBND", secrecy_stamp="MẬT")
    subject = "Phương án XK2026"
    console.receive(
        official_mail(
            sender=AGENCY, subject=subject, attachments=[("pa.pdf", pdf, "application/pdf")]
        )
    )
    assert console.components.deployment.settings.alerts.administrator == ""

    assert "1 cảnh báo chờ quản trị viên xác nhận" in _status(console)
    with console.signed_in("vanthu") as clerk:
        assert "cảnh báo cần quản trị viên xác nhận" not in clerk.get("/dashboard").text
    with console.signed_in("quantri") as admin:
        dashboard = admin.get("/dashboard").text
        assert "1 cảnh báo cần quản trị viên xác nhận" in dashboard
        system = admin.get("/system")
        assert "⚠ Văn bản mật" in system.text
        assert "chưa cấu hình địa chỉ quản trị viên" in system.text
        assert subject not in system.text and "pa.pdf" not in system.text
        action = system.text.split('action="/system/alerts/')[1].split('"')[0]

        done = admin.post(f"/system/alerts/{action}", data={"csrf_token": csrf(system.text)})

        assert done.status_code == 303
        assert "Không có cảnh báo nào đang chờ xác nhận" in admin.get("/system").text
        assert "cảnh báo cần quản trị viên xác nhận" not in admin.get("/dashboard").text
    assert "cảnh báo chờ quản trị viên xác nhận" not in _status(console)
    [event] = console.audit("alert.acknowledged")
    assert event.actor == "quantri"
