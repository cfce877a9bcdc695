"""SMTP AUTH users (scrypt hashes in a file), `gateway smtp-user add`, and [smtp] TLS config."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trustme

from gateway.errors import ConfigError
from gateway.smtp.users import UserFile, add_user, hash_password, parse_users, verify_password
from tests.support.gateway_process import run_cli
from tests.support.sink import free_port
from tests.support.smtp_tls import write_server_files

FAST = {
    "GATEWAY_GATEWAY__VERIFY_PROCESSES": "0",
    "GATEWAY_GATEWAY__PIPELINE_PROCESSES": "0",
    "GATEWAY_WEB__LISTEN": "",
}


def test_hashes_are_salted_scrypt_and_verify_only_the_right_password() -> None:
    """GIVEN one password hashed twice WHEN compared THEN the hashes differ (per-user salt),
    both verify the password (UTF-8 too) and nothing else does."""
    first, second = hash_password("mật khẩu"), hash_password("mật khẩu")
    assert first != second
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_password("mật khẩu".encode(), first)
    assert verify_password("mật khẩu".encode(), second)
    assert not verify_password(b"mat khau", first)
    assert not verify_password(b"", first)
    assert not verify_password(b"x", "plain:text")


def test_user_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    """GIVEN a users file with one user WHEN another is added while it is in use
    THEN both can log in without a restart; a malformed file is refused naming its line."""
    path = tmp_path / "smtp-users"
    assert add_user(path, "clerk", "one")
    users = UserFile(path)
    assert users.check("clerk", b"one")
    assert not users.check("other", b"two")
    assert add_user(path, "other", "two")
    assert not add_user(path, "clerk", "uno")  # replaced, not duplicated
    assert users.check("other", b"two")
    assert users.check("clerk", b"uno") and not users.check("clerk", b"one")
    assert users.names() == ["clerk", "other"]
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match=r"smtp-users:2: expected NAME:scrypt"):
        parse_users("# comment\nclerk:plaintext\n", str(path))


def test_smtp_user_add_cli_writes_the_configured_file(tmp_path: Path) -> None:
    """GIVEN a deployment with [smtp] auth_users_file WHEN `gateway smtp-user add clerk
    --password-file F` runs THEN exit 0 and the file holds clerk's hash, not the password;
    without auth_users_file the command exits 2 naming the key."""
    config = tmp_path / "gateway.toml"
    config.write_text('[smtp]\nauth_users_file = "secrets/smtp-users"\n', encoding="utf-8")
    secret = tmp_path / "password.txt"
    secret.write_text("Mat-khau-1\n", encoding="utf-8")
    result = run_cli(
        "smtp-user", "add", "clerk", "--password-file", str(secret), "-c", str(config), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    stored = (tmp_path / "secrets" / "smtp-users").read_text(encoding="utf-8")
    assert stored.startswith("clerk:scrypt$") and "Mat-khau-1" not in stored
    assert UserFile(tmp_path / "secrets" / "smtp-users").check("clerk", b"Mat-khau-1")

    config.write_text("[smtp]\n", encoding="utf-8")
    result = run_cli(
        "smtp-user", "add", "clerk", "--password-file", str(secret), "-c", str(config), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "auth_users_file" in result.stderr


def test_tls_cert_without_tls_key_is_a_configuration_error(tmp_path: Path) -> None:
    """GIVEN tls_cert set and tls_key not WHEN `gateway serve` starts
    THEN exit 2, naming the file, the line of [smtp] and the missing key tls_key."""
    config = tmp_path / "gateway.toml"
    config.write_text('[smtp]\ntls_cert = "tls/cert.pem"\n', encoding="utf-8")
    result = run_cli("serve", "-c", str(config), cwd=tmp_path, env=FAST)
    assert result.returncode == 2
    assert "gateway.toml:1: [smtp]" in result.stderr
    assert "tls_key: required" in result.stderr


@pytest.mark.parametrize(
    ("smtp", "named"),
    [
        ('submission_listen = "127.0.0.1:4650"', "submission_listen needs tls_cert"),
        (
            'submission_listen = "127.0.0.1:4650"\ntls_cert = "c.pem"\ntls_key = "k.pem"',
            "auth_users_file: required",
        ),
        ("listen_auth = true", "auth_users_file: required"),
        ('submission_listen = "4650"', "expected HOST:PORT"),
    ],
)
def test_incomplete_tls_and_auth_settings_exit_2(tmp_path: Path, smtp: str, named: str) -> None:
    """GIVEN an incomplete [smtp] TLS/AUTH setting WHEN the config is loaded
    THEN exit 2 with the problem named."""
    config = tmp_path / "gateway.toml"
    config.write_text(f"[smtp]\n{smtp}\n", encoding="utf-8")
    result = run_cli("status", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert named in result.stderr


def test_unreadable_certificate_files_stop_serve_with_exit_2(tmp_path: Path) -> None:
    """GIVEN tls_cert naming a file that does not exist, or a key that does not belong to
    the certificate WHEN `gateway serve` starts THEN exit 2 naming the key and the file."""
    root = tmp_path / "deploy"
    assert run_cli("init", str(root), cwd=tmp_path).returncode == 0
    config = str(root / "gateway.toml")
    env = {
        **FAST,
        "GATEWAY_SMTP__LISTEN": f"127.0.0.1:{free_port()}",
        "GATEWAY_SMTP__TLS_CERT": "tls/missing.pem",
        "GATEWAY_SMTP__TLS_KEY": "tls/key.pem",
    }
    result = run_cli("serve", "-c", config, cwd=root, env=env)
    assert result.returncode == 2, result.stderr
    assert "tls_cert: no such file" in result.stderr and "missing.pem" in result.stderr

    cert, _ = write_server_files(trustme.CA(), root / "tls")
    _, other_key = write_server_files(trustme.CA(), root / "other")
    env |= {"GATEWAY_SMTP__TLS_CERT": str(cert), "GATEWAY_SMTP__TLS_KEY": str(other_key)}
    result = run_cli("serve", "-c", config, cwd=root, env=env)
    assert result.returncode == 2, result.stderr
    assert "not a PEM certificate chain and its private key" in result.stderr
    assert os.fspath(cert) in result.stderr
