"""``[[imap]]`` and ``[alerts]`` settings: defaults, validation, passwords never in settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.settings import imap_password, load
from gateway.errors import ConfigError

ACCOUNT = """
[[imap]]
host = "mail.example.gov.vn"
username = "vanthu@example.gov.vn"
password_file = "secrets/imap"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_account_gets_the_documented_defaults(tmp_path: Path) -> None:
    """GIVEN a minimal [[imap]] table WHEN loaded THEN TLS is implicit on 993, INBOX is
    watched, and processed/failed folders are the Vietnamese defaults."""
    [account] = load(write(tmp_path, ACCOUNT), {}).settings.imap
    assert account.name == "vanthu@example.gov.vn@mail.example.gov.vn"
    assert (account.tls, account.effective_port) == ("implicit", 993)
    assert account.folders == ("INBOX",)
    assert (account.processed_folder, account.failed_folder) == ("Đã xử lý", "Lỗi")
    assert account.mode == "move"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('tls = "none"', "loopback"),
        ('password_env = "X"', "exactly one"),
        ('mode = "delete"', "mode"),
        ("folders = []", "at least one"),
    ],
)
def test_unsafe_or_incomplete_accounts_are_refused(
    tmp_path: Path, extra: str, problem: str
) -> None:
    """GIVEN an account with plain IMAP to a remote host, two password sources, an unknown
    mode or no folder WHEN loaded THEN a configuration error names the problem."""
    with pytest.raises(ConfigError) as caught:
        load(write(tmp_path, ACCOUNT + extra + "\n"), {})
    assert problem in str(caught.value)
    assert "imap" in str(caught.value)


def test_plain_imap_is_allowed_on_loopback_and_names_are_distinct(tmp_path: Path) -> None:
    """GIVEN tls = "none" to 127.0.0.1 WHEN loaded THEN it is accepted on port 143;
    GIVEN two accounts with one name THEN refused."""
    local = ACCOUNT.replace("mail.example.gov.vn", "127.0.0.1") + 'tls = "none"\nname = "a"\n'
    [account] = load(write(tmp_path, local), {}).settings.imap
    assert account.effective_port == 143
    with pytest.raises(ConfigError, match="distinct"):
        load(write(tmp_path, local + local), {})


def test_password_comes_from_its_file_or_variable(tmp_path: Path) -> None:
    """GIVEN password_file relative to the config WHEN read THEN its first line, without the
    newline; GIVEN password_env unset THEN a configuration error naming the variable."""
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "imap").write_text("mật khẩu\n", encoding="utf-8")
    deployment = load(write(tmp_path, ACCOUNT), {})
    assert imap_password(deployment, deployment.settings.imap[0]) == "mật khẩu"
    env_config = ACCOUNT.replace('password_file = "secrets/imap"', 'password_env = "IMAP_PW"')
    deployment = load(write(tmp_path, env_config), {})
    assert imap_password(deployment, deployment.settings.imap[0], {"IMAP_PW": "x1"}) == "x1"
    with pytest.raises(ConfigError, match="IMAP_PW"):
        imap_password(deployment, deployment.settings.imap[0], {})


def test_alerts_administrator_defaults_to_nobody(tmp_path: Path) -> None:
    """GIVEN no [alerts] WHEN loaded THEN no administrator (alerts only in the log)."""
    assert load(write(tmp_path, ""), {}).settings.alerts.administrator == ""
    config = write(tmp_path, '[alerts]\nadministrator = "quantri@example.gov.vn"\n')
    assert load(config, {}).settings.alerts.administrator == "quantri@example.gov.vn"
