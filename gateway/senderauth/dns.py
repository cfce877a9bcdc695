"""DNS for sender authentication, behind one small interface (DESIGN §1, R-FORGE).

DKIM keys, SPF and DMARC policies are TXT records; SPF's ``a`` and ``mx`` mechanisms also
need addresses and mail exchangers. Everything that looks names up takes a
:class:`Resolver`: the service is given :class:`SystemResolver` (dnspython, the system's
name servers), tests an in-process table behind the same interface.

A name that does not exist or has no such records answers an empty list; a failure to get
an answer (timeout, SERVFAIL, no name servers) raises :class:`DnsError` — a temporary
error in the terms of RFC 7208 and RFC 7489.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import dns.exception
import dns.resolver

from gateway.errors import GatewayError


class DnsError(GatewayError):
    """The lookup could not be answered now (timeout, server failure): try again later."""


class Resolver(Protocol):
    """The lookups sender authentication needs; names may end with a dot or not."""

    def txt(self, name: str) -> list[str]:
        """Each TXT record of ``name``, its strings joined."""
        ...

    def addresses(self, name: str) -> list[str]:
        """The A and AAAA addresses of ``name``, as text."""
        ...

    def mx(self, name: str) -> list[str]:
        """The mail exchanger host names of ``name``, best preference first."""
        ...


class SystemResolver:
    """Real DNS through dnspython and the system's resolver configuration."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def txt(self, name: str) -> list[str]:
        records = []
        for rdata in self._query(name, "TXT"):
            strings = getattr(rdata, "strings", ())
            records.append(b"".join(strings).decode("utf-8", "replace"))
        return records

    def addresses(self, name: str) -> list[str]:
        return [str(rdata) for kind in ("A", "AAAA") for rdata in self._query(name, kind)]

    def mx(self, name: str) -> list[str]:
        found = sorted(
            (int(getattr(r, "preference", 0)), str(getattr(r, "exchange", "")))
            for r in self._query(name, "MX")
        )
        return [host.rstrip(".") for _, host in found if host not in {"", "."}]

    def _query(self, name: str, kind: str) -> list[object]:
        try:
            answer = dns.resolver.resolve(
                name, kind, lifetime=self.timeout, search=False, raise_on_no_answer=False
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsError(f"{kind} {name}: {type(exc).__name__}") from exc
        return list(answer)


def dkim_dnsfunc(resolver: Resolver) -> Callable[..., bytes | None]:
    """dkimpy's ``dnsfunc``: ``(name: bytes, timeout=…) -> the first TXT record or None``."""

    def lookup(name: bytes, timeout: float = 5.0) -> bytes | None:
        del timeout  # the resolver has its own
        records = resolver.txt(name.decode("ascii", "replace"))
        return records[0].encode("utf-8") if records else None

    return lookup
