"""``gateway trust check`` and ``gateway trust refresh`` as a clerk and an operator run them."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from gateway.config.settings import load
from gateway.trust.store import load_trust
from tests.support.gateway_process import run_cli
from tests.support.pki import TestPki, make_crl, make_intermediate
from tests.support.signing import append_junk

NOW = datetime.now(UTC)


@pytest.fixture
def deployment(tmp_path: Path, pki: TestPki) -> Path:
    root = tmp_path / "deploy"
    assert run_cli("init", str(root), cwd=tmp_path).returncode == 0
    (root / "trust" / "test-root.pem").write_bytes(pki.root_pem())
    return root


def test_trust_check_prints_a_report_a_clerk_can_read(
    deployment: Path, tmp_path: Path, signed_pdf: bytes
) -> None:
    """GIVEN a deployment trusting the test root and a person+agency signed PDF
    WHEN a clerk runs `gateway trust check FILE.pdf`
    THEN the report is in Vietnamese: verdict, ETSI indication, signer, time in +07:00,
    coverage, changes after signing, chain and revocation status."""
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(signed_pdf)

    result = run_cli(
        "trust", "check", str(pdf), "-c", str(deployment / "gateway.toml"), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Kết luận chung: Hợp lệ" in text
    assert "Đạt (TOTAL-PASSED)" in text
    assert "Nguyễn Văn An" in text and "Ủy ban nhân dân thành phố Rạch Giá" in text
    assert "02/03/2026 15:30:00 (UTC+0700)" in text  # signed 08:30 UTC
    assert "toàn bộ tệp" in text and "chỉ điền biểu mẫu hoặc thêm chữ ký khác" in text
    assert "Nguyễn Văn An → Test CA Chuyên dùng → Test Root CA Chính phủ" in text
    assert "chưa kiểm tra (không có dữ liệu thu hồi)" in text


def test_trust_check_json_names_the_sub_indication(
    deployment: Path, tmp_path: Path, signed_pdf: bytes
) -> None:
    """GIVEN a signed PDF with bytes appended WHEN checked with --json
    THEN both signatures are 'modified', TOTAL-FAILED / FORMAT_FAILURE."""
    pdf = tmp_path / "junk.pdf"
    pdf.write_bytes(append_junk(signed_pdf))

    result = run_cli(
        "trust", "check", str(pdf), "--json", "-c", str(deployment / "gateway.toml"), cwd=tmp_path
    )

    report = json.loads(result.stdout)
    assert report["worst_verdict"] == "modified"
    assert [(s["indication"], s["sub_indication"]) for s in report["signatures"]] == [
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    ] * 2


@pytest.fixture
def crl_server(pki: TestPki) -> Iterator[tuple[str, bytes]]:
    """A loopback HTTP server publishing the intermediate's CRL at /ca.crl."""
    crl = make_crl(
        pki.intermediate,
        [pki.person.cert],
        revoked_on=NOW - timedelta(days=3),
        this_update=NOW - timedelta(hours=1),
        next_update=NOW + timedelta(days=7),
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/ca.crl":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.end_headers()
            self.wfile.write(crl)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ca.crl", crl
    finally:
        server.shutdown()
        server.server_close()


def test_trust_refresh_fetches_the_crl_named_by_a_trusted_certificate(
    deployment: Path, tmp_path: Path, pki: TestPki, crl_server: tuple[str, bytes]
) -> None:
    """GIVEN a trusted intermediate whose CRL distribution point is a loopback HTTP URL
    WHEN `gateway trust refresh` runs THEN the CRL lands in [trust] crls, and the trust
    store loaded afterwards carries it (a revoked signer is then found revoked)."""
    url, crl = crl_server
    intermediate = make_intermediate(pki.root, crl_url=url)
    (deployment / "trust" / "ca.pem").write_bytes(
        intermediate.cert.public_bytes(serialization.Encoding.PEM)
    )
    env = {"GATEWAY_TRUST__CRLS": "trust/crls"}

    result = run_cli(
        "trust", "refresh", "-c", str(deployment / "gateway.toml"), cwd=tmp_path, env=env
    )

    assert result.returncode == 0, result.stderr
    assert url in result.stdout
    [stored] = (deployment / "trust" / "crls").iterdir()
    assert stored.read_bytes() == crl
    trust = load_trust(load(deployment / "gateway.toml", environ=env))
    assert trust.crls == (crl,)


def test_trust_refresh_reports_an_unreachable_url(deployment: Path, tmp_path: Path) -> None:
    """GIVEN a crl_urls entry nobody answers WHEN refreshing THEN exit 1 and the URL named."""
    env = {
        "GATEWAY_TRUST__CRLS": "trust/crls",
        "GATEWAY_TRUST__CRL_URLS": '["http://127.0.0.1:9/none.crl"]',
    }
    result = run_cli(
        "trust",
        "refresh",
        "--timeout",
        "2",
        "-c",
        str(deployment / "gateway.toml"),
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 1
    assert "http://127.0.0.1:9/none.crl" in result.stderr
