"""One typed Settings: ``gateway.toml`` plus ``GATEWAY_SECTION__KEY`` environment overrides.

This is the only module that reads ``os.environ`` (STYLE rule 9). Paths in the file are
relative to the file's folder; without a file they are relative to the working directory.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gateway.errors import ConfigError
from gateway.scanner import ClamdAddress
from mailparse.verdicts import RevocationMode

ENV_PREFIX = "GATEWAY_"
DEFAULT_CONFIG_NAME = "gateway.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_host_port(value: str) -> str:
    if value == "":
        return value
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return value


class GatewaySection(_Section):
    data_dir: str = "var"
    database_url: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    workers: int = Field(default=2, ge=1, le=64)
    verify_processes: int = Field(default=2, ge=0, le=64)
    max_attempts: int = Field(default=5, ge=1, le=100)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class SmtpSection(_Section):
    listen: str = "127.0.0.1:2525"
    lmtp_listen: str = ""
    hostname: str = ""
    addresses: tuple[str, ...] = ("vanthu@example.gov.vn",)
    max_message_bytes: int = Field(default=31_457_280, ge=1024)
    tls_cert: str = ""  # PEM certificate chain: STARTTLS on listen, implicit TLS on submission
    tls_key: str = ""  # PEM private key of tls_cert
    submission_listen: str = ""  # implicit TLS + AUTH (RFC 8314); empty: none
    auth_users_file: str = ""  # NAME:scrypt-hash lines (`gateway smtp-user add`)
    listen_auth: bool = False  # offer AUTH on `listen` too (after STARTTLS)
    require_tls_for_auth: bool = True

    _listen = field_validator("listen", "lmtp_listen", "submission_listen")(_check_host_port)

    @model_validator(mode="after")
    def _tls_and_auth(self) -> SmtpSection:
        if bool(self.tls_cert) != bool(self.tls_key):
            missing = "tls_key" if self.tls_cert else "tls_cert"
            raise ValueError(f"{missing}: required with tls_cert and tls_key (set both or none)")
        if self.submission_listen and not self.tls_cert:
            raise ValueError("submission_listen needs tls_cert and tls_key (implicit TLS)")
        if (self.submission_listen or self.listen_auth) and not self.auth_users_file:
            raise ValueError("auth_users_file: required by submission_listen / listen_auth")
        return self

    @field_validator("addresses")
    @classmethod
    def _lower_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if "@" not in address:
                raise ValueError(f"{address!r} is not an e-mail address")
        return tuple(a.strip().lower() for a in value)


class OutgoingSection(_Section):
    relay: str = ""
    from_address: str = "vanthu@example.gov.vn"
    max_attempts: int = Field(default=12, ge=1)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    dkim_key_file: str = ""  # PEM private key: every mail sent is DKIM-signed; empty: unsigned
    dkim_selector: str = ""
    dkim_domain: str = ""  # empty: the domain of from_address

    @model_validator(mode="after")
    def _dkim_complete(self) -> OutgoingSection:
        if bool(self.dkim_key_file) != bool(self.dkim_selector):
            raise ValueError("dkim_key_file and dkim_selector go together")
        return self

    @field_validator("relay")
    @classmethod
    def _relay_url(cls, value: str) -> str:
        if value and not re.fullmatch(r"smtps?://[^/:]+(:\d+)?/?", value):
            raise ValueError("expected smtp://HOST:PORT or smtps://HOST:PORT")
        return value


# RFC 5280 key usage names accepted in ``[trust] key_usage`` → asn1crypto's names.
KEY_USAGES = {
    "digitalSignature": "digital_signature",
    "nonRepudiation": "non_repudiation",
    "contentCommitment": "non_repudiation",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
}


class TrustSection(_Section):
    roots: tuple[str, ...] = ("trust/*.pem",)
    intermediates: tuple[str, ...] = ()
    revocation: RevocationMode = RevocationMode.SOFT_FAIL
    crls: str = ""  # folder of cached CRLs / OCSP responses; empty: none
    crl_urls: tuple[str, ...] = ()  # fetched by `gateway trust refresh` besides the roots' CRL DPs
    key_usage: tuple[str, ...] = ("digitalSignature", "nonRepudiation")

    @field_validator("key_usage")
    @classmethod
    def _known_key_usages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in KEY_USAGES]
        if unknown or not value:
            raise ValueError(f"expected some of {', '.join(KEY_USAGES)}; got {list(value)}")
        return value

    @field_validator("crl_urls")
    @classmethod
    def _http_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for url in value:
            if not re.match(r"https?://", url):
                raise ValueError(f"{url!r} is not an http:// or https:// URL")
        return value


class DirectorySection(_Section):
    file: str = "agencies.yaml"


class RulesSection(_Section):
    file: str = "rules.yaml"


class PolicySection(_Section):
    unsigned: Literal["reference", "reject"] = "reference"
    unknown_sender: Literal["reject", "review"] = "reject"
    indeterminate: Literal["hold", "reject"] = "hold"
    active_content: Literal["hold", "flag", "reject"] = "hold"


class AuthSection(_Section):
    """Sender authentication (DKIM, SPF, DMARC): what a failure does (R-FORGE)."""

    policy: Literal["record", "hold", "reject"] = "record"
    dns_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


class ScannerSection(_Section):
    """clamd (R-VIRUS): empty, scanning is off (said loudly); set, it is required."""

    clamd: str = ""  # /path/clamd.ctl, unix:/path, tcp://host:port or host:port
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)

    @field_validator("clamd")
    @classmethod
    def _address(cls, value: str) -> str:
        if value:
            ClamdAddress.parse(value)
        return value


class LimitsSection(_Section):
    """Resource limits on hostile input (parsing, analysis, verification)."""

    max_parts: int = Field(default=1000, ge=1)
    max_depth: int = Field(default=20, ge=1, le=100)
    max_header_bytes: int = Field(default=1_048_576, ge=1024)
    max_decoded_bytes: int = Field(default=134_217_728, ge=1024)
    max_pages: int = Field(default=5, ge=1, le=1000)  # pages whose text is analysed
    document_seconds: float = Field(default=120.0, gt=0)  # per document, in the verifier
    # Per client IP on the SMTP listeners (421 / 451 / 452); loopback exempt unless set.
    max_connections_per_ip: int = Field(default=20, ge=1)
    messages_per_minute_per_ip: int = Field(default=60, ge=1)
    recipients_per_message: int = Field(default=50, ge=1)
    limit_loopback: bool = False
    # Automatic mails to one address per 24 h (agencies of the directory: unlimited).
    auto_replies_per_day: int = Field(default=20, ge=0)  # 0: no limit


class WebSection(_Section):
    listen: str = "127.0.0.1:8025"

    _listen = field_validator("listen")(_check_host_port)


class AlertsSection(_Section):
    administrator: str = ""  # empty: alerts only in the log

    @field_validator("administrator")
    @classmethod
    def _address(cls, value: str) -> str:
        if value and "@" not in value:
            raise ValueError(f"{value!r} is not an e-mail address")
        return value.strip()


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ImapAccount(_Section):
    """One ``[[imap]]`` mailbox; the password is read only when connecting."""

    name: str = ""  # empty: USERNAME@HOST
    host: str
    port: int | None = Field(default=None, gt=0, lt=65536)  # None: 993 implicit, else 143
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    username: str
    password_file: str = ""
    password_env: str = ""
    folders: tuple[str, ...] = ("INBOX",)
    processed_folder: str = "Đã xử lý"
    failed_folder: str = "Lỗi"
    mode: Literal["move", "flag"] = "move"
    poll_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)

    @model_validator(mode="after")
    def _complete(self) -> ImapAccount:
        if self.tls == "none" and not is_loopback(self.host):
            raise ValueError(f'tls = "none" is allowed only for loopback hosts, not {self.host}')
        if bool(self.password_file) == bool(self.password_env):
            raise ValueError("set exactly one of password_file and password_env")
        if not self.folders:
            raise ValueError("folders must name at least one folder")
        if not self.name:
            object.__setattr__(self, "name", f"{self.username}@{self.host}")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "implicit" else 143)


class Settings(_Section):
    """Every setting of one deployment, validated."""

    gateway: GatewaySection = GatewaySection()
    smtp: SmtpSection = SmtpSection()
    outgoing: OutgoingSection = OutgoingSection()
    trust: TrustSection = TrustSection()
    directory: DirectorySection = DirectorySection()
    rules: RulesSection = RulesSection()
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
