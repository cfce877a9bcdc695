"""The sections of ``gateway.toml`` (DESIGN §4.2), each a validated, frozen model."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from gateway.scan.clamd import ClamdAddress
from mailparse.signatures.verdicts import RevocationMode
from rules.calendar import WorkingCalendar, parse_sessions

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
    workers: int = Field(default=3, ge=1, le=64)
    # The pipeline in processes of its own, so that it uses every core (DESIGN §1.2).
    pipeline_processes: int = Field(default=3, ge=0, le=64)
    verify_processes: int = Field(default=2, ge=0, le=64)
    max_attempts: int = Field(default=5, ge=1, le=100)
    # The clock (reminders, escalations): how often it looks, and how many working hours
    # before a deadline the assignee is reminded.
    clock_interval_seconds: float = Field(default=60.0, gt=0, le=3600)
    remind_before_working_hours: float = Field(default=1.0, ge=0, le=40)
    # Where received and issued bytes live (DESIGN §3): "files" under data_dir, "database"
    # (every instance of a PostgreSQL deployment reads them), "auto": database on PostgreSQL.
    storage: Literal["auto", "files", "database"] = "auto"
    instance_name: str = Field(default="", max_length=200)  # empty: HOST:data_dir

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
    # Issuing (DESIGN §4.7, R-ISSUE): our own agency — directory codes and/or certificate
    # organisation names; a document is issued only with a valid signature of one of them.
    agency: tuple[str, ...] = ()
    # Working hours a recipient has to confirm an issued document before one reminder;
    # as long again, and the delivery is flagged overdue and the clerk told (R-DELIVERY).
    confirm_within: float = Field(default=4.0, gt=0, le=400)

    @field_validator("agency", mode="before")
    @classmethod
    def _agency_list(cls, value: object) -> object:
        return (value,) if isinstance(value, str) and value else value

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


class RoutingSection(_Section):
    """How rules hand documents on (R-DISTRIB): ``assign`` at once, or ``propose`` to a
    leader who decides (every rule, as ``then: {propose: true}`` does for one)."""

    mode: Literal["assign", "propose"] = "assign"


class OfficeHoursSection(_Section):
    """The working-hours calendar (R-2H, R-ASSIGN, R-DEADLINE); zone: [gateway] timezone."""

    sessions: tuple[str, ...] = ("07:00-11:30", "13:30-17:00")
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO: Monday=1 … Sunday=7
    extra_days_off: tuple[date, ...] = ()  # besides the public holidays (package `holidays`)
    makeup_working_days: tuple[date, ...] = ()  # ngày làm bù, e.g. a Saturday

    @field_validator("sessions")
    @classmethod
    def _sessions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        WorkingCalendar(sessions=parse_sessions(value))  # raises CalendarError (a ValueError)
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 1 <= d <= 7 for d in value):
            raise ValueError("expected ISO weekdays 1 (Monday) … 7 (Sunday)")
        return value


class PolicySection(_Section):
    unsigned: Literal["reference", "reject"] = "reference"
    unknown_sender: Literal["reject", "review"] = "review"  # review: held (DESIGN §4.9)
    administrative_domains: tuple[str, ...] = ("gov.vn",)  # whose strangers may be held
    indeterminate: Literal["hold", "reject"] = "hold"
    active_content: Literal["hold", "flag", "reject"] = "hold"


class AuthSection(_Section):
    """Sender authentication (DKIM, SPF, DMARC): what a failure does (R-FORGE)."""

    policy: Literal["record", "hold", "reject"] = "record"
    # "system": the machine's DNS resolver; "off": no DNS, nothing checked (recorded as
    # such) — for closed networks and for tests, which use an in-process fake instead.
    resolver: Literal["system", "off"] = "system"
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
    # One document's examination (signatures, text, OCR, active content) in a verifier
    # process (gateway.pipeline.examine): time and address space; over it: unreadable.
    document_seconds: float = Field(default=45.0, gt=0)
    document_memory_mb: int = Field(default=768, ge=0)  # 0: no memory limit
    ocr_seconds: float = Field(default=30.0, ge=0)  # OCR of one scan (gateway.ocr); 0: no OCR
    # Per client IP on the SMTP listeners (421 / 451 / 452); loopback exempt unless set.
    max_connections_per_ip: int = Field(default=20, ge=1)
    messages_per_minute_per_ip: int = Field(default=60, ge=1)
    recipients_per_message: int = Field(default=50, ge=1)
    limit_loopback: bool = False
    # Automatic mails to one address per 24 h (agencies of the directory: unlimited).
    auto_replies_per_day: int = Field(default=20, ge=0)  # 0: no limit


class WebSection(_Section):
    listen: str = "127.0.0.1:8025"
    # Quyển số of the printed register per year, e.g. {2026 = 2}; a year not listed: 1.
    register_volumes: dict[int, int] = Field(default_factory=dict)
    # The printed books' heading (NĐ 30 Phụ lục IV): the agency keeping the register and
    # the body it reports to (cơ quan chủ quản); empty: dotted lines to fill in by hand.
    agency_name: str = Field(default="", max_length=200)
    agency_parent: str = Field(default="", max_length=200)
    # Addresses (or CIDR networks) of TLS proxies in front of the console: only their
    # X-Forwarded-For / X-Forwarded-Proto are believed (client address, https cookies).
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item.strip(), strict=False)  # ValueError names the item
        return [item.strip() for item in value]

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
