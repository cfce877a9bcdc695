"""DMARC (RFC 7489): does an authenticated domain align with the From domain, and what does
the From domain ask receivers to do when none does?

The policy record is ``_dmarc.<From domain>``, else ``_dmarc.<organizational domain>``
(then ``sp=`` applies). The organizational domain is found with a short list of public
second-level suffixes (``gov.vn``, ``com.vn`` …) instead of the whole Public Suffix List:
enough for the domains the gateway meets, and said so here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from gateway.senderauth.dns import DnsError, Resolver

# Second-level public suffixes: "<x>.gov.vn" is an organization, "gov.vn" is not.
PUBLIC_SECOND_LEVEL = frozenset(
    f"{label}.{tld}"
    for tld in ("vn", "uk", "au", "jp", "cn", "kr", "sg", "th", "my", "id", "in", "br")
    for label in ("gov", "com", "net", "org", "edu", "ac", "co", "int", "info", "biz", "name")
) | frozenset({"health.vn", "pro.vn"})


class DmarcResult(StrEnum):
    PASS = "pass"  # noqa: S105 - a DMARC result, not a password
    FAIL = "fail"
    NONE = "none"  # the domain publishes no DMARC record
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True)
class DmarcPolicy:
    """The published record: requested policy and alignment modes (``r`` relaxed, ``s``)."""

    policy: str  # none | quarantine | reject
    adkim: str = "r"
    aspf: str = "r"


@dataclass(frozen=True)
class DmarcVerdict:
    result: DmarcResult
    policy: str | None = None  # what the domain asks for; None without a record

    @property
    def forged(self) -> bool:
        """The From domain publishes DMARC and nothing authenticated aligns with it."""
        return self.result is DmarcResult.FAIL


def organizational_domain(domain: str) -> str:
    labels = domain.rstrip(".").lower().split(".")
    keep = 3 if ".".join(labels[-2:]) in PUBLIC_SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def aligned(authenticated: str, from_domain: str, mode: str = "r") -> bool:
    """Identifier alignment (RFC 7489 §3.1): exact in strict mode, same organization in
    relaxed mode."""
    a, f = authenticated.rstrip(".").lower(), from_domain.rstrip(".").lower()
    if not a or not f:
        return False
    return a == f if mode == "s" else organizational_domain(a) == organizational_domain(f)


def lookup_policy(from_domain: str, resolver: Resolver) -> DmarcPolicy | None:
    """The DMARC record for ``from_domain``; None when none is published.

    Raises :class:`DnsError` when it cannot be known now, ``ValueError`` when it is unusable.
    """
    domain = from_domain.rstrip(".").lower()
    tags = _record(f"_dmarc.{domain}", resolver)
    subdomain = False
    org = organizational_domain(domain)
    if tags is None and org != domain:
        tags, subdomain = _record(f"_dmarc.{org}", resolver), True
    if tags is None:
        return None
    policy = tags.get("p", "")
    if subdomain and tags.get("sp"):
        policy = tags["sp"]
    if policy not in {"none", "quarantine", "reject"}:
        raise ValueError(f"DMARC record of {domain} has no valid p= tag")
    return DmarcPolicy(policy, tags.get("adkim", "r")[:1], tags.get("aspf", "r")[:1])


def evaluate(
    from_domain: str,
    dkim_pass_domains: Sequence[str],
    spf_pass_domain: str | None,
    resolver: Resolver,
) -> DmarcVerdict:
    """DMARC for a message whose From domain is ``from_domain``."""
    if not from_domain:
        return DmarcVerdict(DmarcResult.NONE)
    try:
        record = lookup_policy(from_domain, resolver)
    except DnsError:
        return DmarcVerdict(DmarcResult.TEMPERROR)
    except ValueError:
        return DmarcVerdict(DmarcResult.PERMERROR)
    if record is None:
        return DmarcVerdict(DmarcResult.NONE)
    dkim_ok = any(aligned(d, from_domain, record.adkim) for d in dkim_pass_domains)
    spf_ok = spf_pass_domain is not None and aligned(spf_pass_domain, from_domain, record.aspf)
    result = DmarcResult.PASS if dkim_ok or spf_ok else DmarcResult.FAIL
    return DmarcVerdict(result, record.policy)


def _record(name: str, resolver: Resolver) -> dict[str, str] | None:
    records = [r for r in resolver.txt(name) if r.replace(" ", "").lower().startswith("v=dmarc1")]
    if len(records) != 1:  # none, or several: "no record" (RFC 7489 §6.6.3)
        return None
    tags: dict[str, str] = {}
    for part in records[0].split(";"):
        key, eq, value = part.partition("=")
        if eq:
            tags[key.strip().lower()] = value.strip().lower()
    return tags
