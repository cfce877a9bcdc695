"""One typed Settings: ``gateway.toml`` plus ``GATEWAY_SECTION__KEY`` environment overrides.

This is the only module that reads ``os.environ`` (STYLE rule 9). Paths in the file are
relative to the file's folder; without a file they are relative to the working directory.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import (
    ValidationError,
    field_validator,
)

from gateway.config.sections import (
    AlertsSection,
    AuthSection,
    DirectorySection,
    GatewaySection,
    ImapAccount,
    LimitsSection,
    OfficeHoursSection,
    OutgoingSection,
    PolicySection,
    RoutingSection,
    RulesSection,
    ScannerSection,
    SmtpSection,
    TrustSection,
    WebSection,
    _Section,
)
from gateway.errors import ConfigError

ENV_PREFIX = "GATEWAY_"
DEFAULT_CONFIG_NAME = "gateway.toml"


class Settings(_Section):
    """Every setting of one deployment, validated."""

    gateway: GatewaySection = GatewaySection()
    smtp: SmtpSection = SmtpSection()
    outgoing: OutgoingSection = OutgoingSection()
    trust: TrustSection = TrustSection()
    directory: DirectorySection = DirectorySection()
    rules: RulesSection = RulesSection()
    routing: RoutingSection = RoutingSection()
    office_hours: OfficeHoursSection = OfficeHoursSection()
    policy: PolicySection = PolicySection()
    web: WebSection = WebSection()
    alerts: AlertsSection = AlertsSection()
    scanner: ScannerSection = ScannerSection()
    limits: LimitsSection = LimitsSection()
    auth: AuthSection = AuthSection()
    imap: tuple[ImapAccount, ...] = ()

    @field_validator("imap")
    @classmethod
    def _distinct_accounts(cls, value: tuple[ImapAccount, ...]) -> tuple[ImapAccount, ...]:
        names = [account.name for account in value]
        if len(set(names)) != len(names):
            raise ValueError("[[imap]] account names must be distinct")
        return value


@dataclass(frozen=True)
class Deployment:
    """Settings plus where they came from: the base folder for relative paths."""

    settings: Settings
    base_dir: Path
    config_file: Path | None

    def path(self, value: str) -> Path:
        """A configured path, resolved against the config file's folder."""
        candidate = Path(value)
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def data_dir(self) -> Path:
        return self.path(self.settings.gateway.data_dir)

    @property
    def database_url(self) -> str:
        url = self.settings.gateway.database_url
        return url or f"sqlite:///{self.data_dir / 'gateway.db'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.gateway.timezone)


def imap_password(
    deployment: Deployment, account: ImapAccount, environ: Mapping[str, str] | None = None
) -> str:
    """The account's password from its file or environment variable (never logged)."""
    if account.password_env:
        value = (os.environ if environ is None else environ).get(account.password_env)
        if not value:
            raise ConfigError(
                f"[[imap]] {account.name}: password_env: {account.password_env} is not set"
            )
        return value
    path = deployment.path(account.password_file)
    try:
        return path.read_text(encoding="utf-8").strip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"[[imap]] {account.name}: password_file: cannot read {path}") from exc


def load(config: Path | None, environ: Mapping[str, str] | None = None) -> Deployment:
    """Read the config file (or the embedded defaults) and apply environment overrides.

    Without ``config``, ``./gateway.toml`` is used when present. Raises ConfigError naming
    the file, the line where known, the key and what is wrong.
    """
    env = os.environ if environ is None else environ
    if config is None and Path(DEFAULT_CONFIG_NAME).is_file():
        config = Path(DEFAULT_CONFIG_NAME)
    raw: dict[str, Any] = {}
    text = ""
    if config is not None:
        try:
            text = config.read_text(encoding="utf-8")
            raw = tomllib.loads(text)
        except OSError as exc:
            raise ConfigError(f"{config}: cannot read: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{config}: not UTF-8 text") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config}: not valid TOML: {exc}") from exc
    _apply_environment(raw, env)
    source = str(config) if config is not None else "embedded defaults"
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, text)) from exc
    base = config.resolve().parent if config is not None else Path.cwd()
    return Deployment(settings=settings, base_dir=base, config_file=config)


def _apply_environment(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    """Overlay ``GATEWAY_SECTION__KEY=value``; values that look like JSON are parsed."""
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section == "test":  # GATEWAY_TEST_* belong to the test suite, not to us
            continue
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            continue
        target[key] = _env_value(value)


def _env_value(value: str) -> Any:
    if value[:1] in "[{" or value in {"true", "false"} or re.fullmatch(r"-?\d+(\.\d+)?", value):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _describe(exc: ValidationError, source: str, text: str) -> str:
    lines = []
    for error in exc.errors():
        location = [str(p) for p in error["loc"]]
        problem = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        line = _line_of(text, location)
        where = f"{source}:{line}" if line else source
        if len(location) == 1:
            lines.append(f"{where}: [{location[0]}]: {problem}")
        else:
            lines.append(f"{where}: [{location[0]}] {'.'.join(location[1:])}: {problem}")
    return "\n".join(lines)


def _line_of(text: str, location: list[str]) -> int | None:
    """The line where the key (or the section) is written, for error messages."""
    if not text or not location:
        return None
    section = location[0]
    key = location[1] if len(location) > 1 else None
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\[?\s*([\w.-]+)\s*\]\]?", stripped)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
        elif (
            key is not None and current == section and re.match(rf"{re.escape(key)}\s*=", stripped)
        ):
            return number
    return None
