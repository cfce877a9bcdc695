"""Settings: TOML plus GATEWAY_* overrides, validated; errors name file, line, key, problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.settings import load
from gateway.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN no config file WHEN loaded THEN the embedded defaults of DESIGN §4.2 apply."""
    monkeypatch.chdir(tmp_path)
    deployment = load(None, {})
    assert deployment.settings.smtp.listen == "127.0.0.1:2525"
    assert deployment.data_dir == tmp_path / "var"
    assert deployment.database_url == f"sqlite:///{tmp_path / 'var' / 'gateway.db'}"
    assert deployment.config_file is None


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    """GIVEN a config in deploy/ WHEN loaded from elsewhere THEN data_dir is under deploy/."""
    (tmp_path / "deploy").mkdir()
    config = write(tmp_path / "deploy", '[gateway]\ndata_dir = "data"\n')
    assert load(config, {}).data_dir == (tmp_path / "deploy" / "data").resolve()


def test_environment_overrides_the_file_with_json_lists(tmp_path: Path) -> None:
    """GIVEN a file WHEN GATEWAY_SMTP__ADDRESSES and GATEWAY_GATEWAY__WORKERS are set
    THEN they win, lists parsed as JSON and numbers as numbers."""
    config = write(tmp_path, '[smtp]\naddresses = ["a@x.gov.vn"]\n')
    env = {
        "GATEWAY_SMTP__ADDRESSES": '["VanThu@Y.gov.vn", "b@y.gov.vn"]',
        "GATEWAY_GATEWAY__WORKERS": "4",
        "GATEWAY_TEST_POSTGRES_URL": "ignored",
    }
    settings = load(config, env).settings
    assert settings.smtp.addresses == ("vanthu@y.gov.vn", "b@y.gov.vn")
    assert settings.gateway.workers == 4


def test_unknown_key_names_the_file_line_section_and_key(tmp_path: Path) -> None:
    """GIVEN a misspelt key WHEN loaded THEN ConfigError names file:line, section, key."""
    config = write(tmp_path, '[smtp]\nlisten = "127.0.0.1:2525"\nlistem = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load(config, {})
    assert str(caught.value) == f"{config}:3: [smtp] listem: unknown key"


def test_bad_values_are_explained(tmp_path: Path) -> None:
    """GIVEN bad values WHEN loaded THEN each is named with what is wrong."""
    config = write(
        tmp_path,
        '[smtp]\nlisten = "nowhere"\n[gateway]\ntimezone = "Mars/Base"\n'
        '[trust]\nrevocation = "sometimes"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load(config, {})
    message = str(caught.value)
    assert f"{config}:2: [smtp] listen:" in message and "HOST:PORT" in message
    assert f"{config}:4: [gateway] timezone:" in message and "Mars/Base" in message
    assert f"{config}:6: [trust] revocation:" in message


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    """GIVEN a file that is not TOML WHEN loaded THEN ConfigError says so with the file."""
    config = write(tmp_path, "[smtp\nlisten = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(config, {})
