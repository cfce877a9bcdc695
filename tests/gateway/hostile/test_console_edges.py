"""The console behind a TLS proxy, and requests no page can answer: a real ``gateway
serve`` with its console on loopback, talked to over HTTP as a proxy would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.web.guard import refusal
from tests.gateway.web.conftest import csrf_field
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki
from tests.support.sink import free_port

PASSWORD = "mat-khau-thu-nghiem-1"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[str]:
    """GIVEN a gateway whose console trusts the proxy on 127.0.0.1 and a clerk "vanthu"."""
    root: Path = tmp_path_factory.mktemp("proxy") / "deploy"
    port = free_port()
    gateway = GatewayProcess(
        root,
        pki.root_pem(),
        env={
            "GATEWAY_WEB__LISTEN": f"127.0.0.1:{port}",
            "GATEWAY_WEB__TRUSTED_PROXIES": '["127.0.0.1/32"]',
            "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
            "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
        },
    )
    gateway.add_user("vanthu", "clerk", PASSWORD)
    gateway.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # the console starts after the listener
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield url
    finally:
        gateway.stop()


def _login(
    url: str, name: str, password: str, client_ip: str, proto: str = "http"
) -> httpx.Response:
    headers = {"X-Forwarded-For": client_ip, "X-Forwarded-Proto": proto}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        form = client.get("/login")
        token = csrf_field(form.text)
        # Behind https the cookie is Secure: a browser sends it to the proxy over TLS, httpx
        # here keeps it to itself, so it is sent as the proxy would pass it on.
        cookie = form.cookies.get("gw_login_csrf") or ""
        return client.post(
            "/login",
            data={"username": name, "password": password, "csrf_token": token},
            headers={"Cookie": f"gw_login_csrf={cookie}"} if proto == "https" else {},
        )


def test_wrong_passwords_from_one_client_do_not_lock_out_another(console: str) -> None:
    """GIVEN the console behind the trusted proxy WHEN client A fails 5 times as "vanthu"
    THEN A is throttled (429) but client B, through the same proxy, signs in (303)."""
    for _ in range(5):
        assert _login(console, "vanthu", "sai-mat-khau", "203.0.113.5").status_code == 401
    assert _login(console, "vanthu", PASSWORD, "203.0.113.5").status_code == 429
    assert _login(console, "vanthu", PASSWORD, "203.0.113.9").status_code == 303


def test_the_session_cookie_is_secure_when_the_proxy_speaks_https(console: str) -> None:
    """GIVEN the trusted proxy says X-Forwarded-Proto: https WHEN the clerk signs in
    THEN the session cookie is Secure."""
    response = _login(console, "vanthu", PASSWORD, "203.0.113.10", proto="https")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "gw_session=" in cookie and "secure" in cookie.lower()


def test_guessing_across_many_names_from_one_address_is_throttled(console: str) -> None:
    """GIVEN 20 failed logins from one address, each under another name
    WHEN that address tries "vanthu" with the right password THEN 429."""
    for n in range(20):
        assert _login(console, f"ten{n}", "sai", "203.0.113.7").status_code == 401
    assert _login(console, "vanthu", PASSWORD, "203.0.113.7").status_code == 429


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/register?q=abc%00", 400),
        ("/register/99999999999999999999999/1", 404),
        ("/register/2026/99999999999999999999999/attachments/1", 404),
    ],
)
def test_requests_no_page_can_answer_are_4xx(console: str, path: str, status: int) -> None:
    """GIVEN a signed-in clerk WHEN a URL carries a NUL or an integer past any id
    THEN the answer is 4xx, never 500."""
    headers = {"X-Forwarded-For": "203.0.113.20"}
    with httpx.Client(base_url=console, headers=headers, timeout=30) as client:
        token = csrf_field(client.get("/login").text)
        signed = client.post(
            "/login", data={"username": "vanthu", "password": PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 303
        assert client.get(path).status_code == status


def test_the_guard_lets_ordinary_requests_through() -> None:
    """GIVEN ordinary paths and queries WHEN checked THEN none is refused."""
    assert refusal("/register/2026/17", b"q=c%C3%B4ng+v%C4%83n&page=2") is None
    assert refusal("/register", b"from=01%2F03%2F2026") is None
