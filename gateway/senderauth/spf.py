"""SPF (RFC 7208): may this IP address send mail for this domain?

The common mechanisms are evaluated — ``all``, ``ip4``, ``ip6``, ``a``, ``mx``,
``include``, ``exists`` and the ``redirect`` modifier, with qualifiers and CIDR lengths —
plus the simple macros (``%{s} %{l} %{o} %{d} %{i} %{h}``, no transformers). ``ptr`` is
deprecated (RFC 7208 §5.5) and never matches here. At most 10 mechanisms that look names
up (§4.6.4); more is ``permerror``. A lookup that cannot be answered is ``temperror``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import StrEnum

from gateway.senderauth.dns import DnsError, Resolver

MAX_LOOKUPS = 10
_QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_MACRO = re.compile(r"%\{([slodih])\}|%%|%_|%-")


class SpfResult(StrEnum):
    PASS = "pass"  # noqa: S105 - an SPF result, not a password
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


class _PermError(Exception):
    pass


@dataclass
class _Check:
    resolver: Resolver
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    sender: str
    helo: str
    lookups: int = field(default=0)

    def count(self) -> None:
        self.lookups += 1
        if self.lookups > MAX_LOOKUPS:
            raise _PermError("too many DNS lookups")


def check_spf(ip: str, domain: str, sender: str, helo: str, resolver: Resolver) -> SpfResult:
    """The SPF result for mail from ``sender`` (``postmaster@HELO`` when null) of ``domain``."""
    try:
        address = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return SpfResult.NONE
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    check = _Check(resolver, address, sender or f"postmaster@{helo}", helo)
    try:
        return _evaluate(check, domain.rstrip(".").lower())
    except _PermError:
        return SpfResult.PERMERROR
    except DnsError:
        return SpfResult.TEMPERROR


def _record(check: _Check, domain: str) -> str | None:
    records = [
        r
        for r in check.resolver.txt(domain)
        if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")
    ]
    if len(records) > 1:
        raise _PermError("more than one SPF record")
    return records[0] if records else None


def _evaluate(check: _Check, domain: str) -> SpfResult:
    if not domain or "." not in domain:
        return SpfResult.NONE
    record = _record(check, domain)
    if record is None:
        return SpfResult.NONE
    redirect: str | None = None
    for term in record.split()[1:]:
        name, eq, value = term.partition("=")
        if eq and re.fullmatch(r"[A-Za-z][\w.-]*", name):
            if name.lower() == "redirect":
                redirect = value
            continue  # exp= and unknown modifiers are ignored (§6)
        qualifier = _QUALIFIERS.get(term[0], "")
        mechanism = term[1:] if qualifier else term
        if _matches(check, domain, mechanism):
            return SpfResult(qualifier or "pass")
    if redirect is not None:
        check.count()
        target = _expand(check, redirect, domain)
        result = _evaluate(check, target)
        return SpfResult.PERMERROR if result is SpfResult.NONE else result
    return SpfResult.NEUTRAL


def _matches(check: _Check, domain: str, mechanism: str) -> bool:
    kind, _, rest = mechanism.partition(":")
    kind, slash, cidr = kind.partition("/") if not rest else (kind, "", "")
    kind = kind.lower()
    if kind == "all":
        return True
    if kind in {"ip4", "ip6"}:
        try:
            network = ipaddress.ip_network(rest, strict=False)
        except ValueError as exc:
            raise _PermError(f"bad {kind}: {rest}") from exc
        return check.ip.version == network.version and check.ip in network
    if kind in {"a", "mx"}:
        check.count()
        target, lengths = _target(check, rest or (f"/{cidr}" if slash else ""), domain)
        hosts = [target] if kind == "a" else check.resolver.mx(target)[:10]
        return any(_in(check, a, lengths) for h in hosts for a in check.resolver.addresses(h))
    if kind == "include":
        check.count()
        result = _evaluate(check, _expand(check, rest, domain))
        if result in {SpfResult.NONE, SpfResult.PERMERROR}:
            raise _PermError(f"include:{rest} has no usable record")
        if result is SpfResult.TEMPERROR:
            raise DnsError(f"include:{rest}")
        return result is SpfResult.PASS
    if kind == "exists":
        check.count()
        return bool(check.resolver.addresses(_expand(check, rest, domain)))
    if kind == "ptr":
        check.count()
        return False
    raise _PermError(f"unknown mechanism {mechanism!r}")


def _target(check: _Check, spec: str, domain: str) -> tuple[str, tuple[int, int]]:
    """``a:host/24//64`` → (host, (24, 64)); the host defaults to the current domain."""
    host, _, lengths = spec.partition("/")
    v4, _, v6 = lengths.partition("//") if lengths else ("", "", "")
    if lengths.startswith("/"):  # "a//64": no IPv4 length
        v4, v6 = "", lengths[1:]
    try:
        bits = (int(v4) if v4 else 32, int(v6) if v6 else 128)
    except ValueError as exc:
        raise _PermError(f"bad CIDR length in {spec!r}") from exc
    return (_expand(check, host, domain) if host else domain), bits


def _in(check: _Check, address: str, lengths: tuple[int, int]) -> bool:
    try:
        candidate = ipaddress.ip_address(address)
    except ValueError:
        return False
    if candidate.version != check.ip.version:
        return False
    bits = lengths[0] if candidate.version == 4 else lengths[1]
    return check.ip in ipaddress.ip_network(f"{candidate}/{bits}", strict=False)


def _expand(check: _Check, spec: str, domain: str) -> str:
    local, _, sender_domain = check.sender.rpartition("@")
    values = {
        "s": check.sender,
        "l": local or "postmaster",
        "o": sender_domain,
        "d": domain,
        "i": str(check.ip),
        "h": check.helo,
    }

    literal = {"%%": "%", "%_": " ", "%-": "%20"}

    def one(match: re.Match[str]) -> str:
        return literal.get(match.group(0)) or values[match.group(1)]

    expanded = _MACRO.sub(one, spec)
    if "%" in expanded:
        raise _PermError(f"unsupported macro in {spec!r}")
    return expanded.rstrip(".").lower()
