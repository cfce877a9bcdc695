"""``/system`` and ``/health``: an administrator sees where the gateway hurts
(DESIGN §4.6: spool depth, outbox waiting and failing, IMAP accounts, clamd, last errors);
the world sees only ok / degraded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.imap.health import HealthBoard
from gateway.outbox.sender import OutboxSender
from gateway.outbox.transports import RelayTransport
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, make_console
from tests.support.messages import official_mail
from tests.support.pki import TestPki
from tests.support.sink import free_port

pytestmark = pytest.mark.slow

ACCOUNT = "hop-thu-van-thu"
IMAP_ERROR = "LOGIN failed: mật khẩu không đúng"


@pytest.fixture
def console(tmp_path: Path, pki: TestPki, database_url: str) -> Iterator[InProcessConsole]:
    """A deployment with one IMAP account configured (nothing listens: only its state is
    read here, as the pollers of `gateway serve` report it)."""
    first = make_console(tmp_path / "d", pki, database_url)
    secret = tmp_path / "d" / "imap.password"
    secret.write_text("sai\n")
    with first.config.open("a", encoding="utf-8") as config:
        config.write(
            f'\n[[imap]]\nname = "{ACCOUNT}"\nhost = "127.0.0.1"\nport = {free_port()}\n'
            f'tls = "none"\nusername = "vanthu"\npassword_file = "{secret}"\n'
        )
    console = InProcessConsole(first.rebuilt(), first.config, database_url, [first.components])
    yield console
    console.close()


def registrable_mail(signed_pdf: bytes) -> bytes:
    return official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])


def refused_relay(console: InProcessConsole, max_attempts: int) -> OutboxSender:
    """The outbox sender of the deployment, pointed at a port where nothing listens."""
    return OutboxSender(
        console.components.engine,
        RelayTransport(f"smtp://127.0.0.1:{free_port()}"),
        max_attempts=max_attempts,
    )


def test_administrator_sees_failing_mail_imap_errors_and_recent_problems(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a registered document whose receipt cannot be delivered (the relay refuses
    connections) and an IMAP account whose login fails
    WHEN the administrator opens /system
    THEN the receipt is listed with its attempts and the relay's error, the outbox and the
    IMAP account are marked as failing, and the warning the sender logged is among the
    recent problems; /health says degraded and names only counts."""
    with console.signed_in("quantri") as client:  # the console runs from the start, as in serve
        console.receive(registrable_mail(signed_pdf))
        assert refused_relay(console, max_attempts=5).run_once() >= 1  # transient: retried
        HealthBoard(console.components.deployment.data_dir, [ACCOUNT], alert=None).failed(
            ACCOUNT, "INBOX", IMAP_ERROR, permanent=True
        )
        page = client.get("/system")
        assert page.status_code == 200
        text = page.text
        assert "Thư gửi đi bị lỗi" in text
        assert "Sẽ thử lại lúc" in text and "receipt" in text
        assert "Connection refused" in text or "connect" in text.lower()
        assert ACCOUNT in text and "⚠ Đang lỗi" in text and "mật khẩu không đúng" in text
        assert "attempt 1 failed" in text  # the outbox sender's own warning, from the log
        assert 'href="/system" aria-current="page"' in text

        health = client.get("/health").json()
    assert health["status"] == "degraded"
    assert health["checks"]["imap"] == {"accounts": 1, "failing": 1}
    assert ACCOUNT not in str(health) and "mật khẩu" not in str(health)


def test_mail_given_up_is_shown_as_stopped_and_counted_failed(
    console: InProcessConsole, signed_pdf: bytes
) -> None:
    """GIVEN a receipt whose delivery was given up (one attempt allowed)
    WHEN the administrator opens /system
    THEN it is listed as no longer being sent and the outbox counts every mail given up."""
    console.receive(registrable_mail(signed_pdf))
    given_up = refused_relay(console, max_attempts=1).run_once()  # receipt, routed copy

    with console.signed_in("quantri") as client:
        text = client.get("/system").text
    assert "⚠ Đã ngừng gửi" in text
    assert given_up >= 1 and f"⚠ {given_up} thư gửi lỗi" in text
    assert "gave up after 1 attempts" in text


@pytest.mark.parametrize("username", ["vanthu", "chuyenvien"])
def test_system_page_is_for_administrators_only(console: InProcessConsole, username: str) -> None:
    """GIVEN a clerk or an officer WHEN they open /system THEN 403 with the Vietnamese
    refusal, and no link to it in their menu."""
    with console.signed_in(username) as client:
        refused = client.get("/system")
        menu = client.get("/dashboard").text
    assert refused.status_code == 403
    assert "Bạn không có quyền xem trang này." in refused.text
    assert 'href="/system"' not in menu
