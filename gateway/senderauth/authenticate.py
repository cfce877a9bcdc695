"""Sender authentication of one received message: DKIM, SPF and DMARC (R-FORGE).

Every DKIM signature is verified with dkimpy; SPF is evaluated for the envelope sender
(``postmaster@HELO`` for the null sender) and the connecting IP (only known for SMTP and
LMTP); DMARC checks that an authenticated domain aligns with the From domain. All DNS goes
through the :class:`~gateway.dns.Resolver` given. The result is a value, recorded in
``inbound_message.sender_auth`` as ``{"dkim": [...], "spf": "...", "dmarc": "..."}``.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

import dkim

from gateway.senderauth.dmarc import DmarcResult, DmarcVerdict, aligned, evaluate
from gateway.senderauth.dns import DnsError, Resolver, dkim_dnsfunc
from gateway.senderauth.spf import SpfResult, check_spf
from gateway.spool.envelope import Envelope
from mailparse.message import ParsedMessage

log = logging.getLogger(__name__)

SMTP_PROTOCOLS = frozenset({"smtp", "lmtp"})


@dataclass(frozen=True)
class DkimCheck:
    """One DKIM-Signature: its d= and s=, and pass | fail | permerror | temperror."""

    domain: str
    selector: str
    result: str

    def to_record(self) -> dict[str, str]:
        return {"domain": self.domain, "selector": self.selector, "result": self.result}


@dataclass(frozen=True)
class SenderAuth:
    dkim: tuple[DkimCheck, ...]
    spf: SpfResult
    spf_domain: str  # the domain SPF was evaluated for (envelope sender or HELO)
    dmarc: DmarcVerdict
    from_domain: str

    def to_record(self) -> dict[str, Any]:
        return {
            "dkim": [c.to_record() for c in self.dkim],
            "spf": str(self.spf),
            "spf_domain": self.spf_domain,
            "dmarc": str(self.dmarc.result),
            "dmarc_policy": self.dmarc.policy,
            "from_domain": self.from_domain,
        }

    @property
    def failed(self) -> bool:
        """What ``[auth] policy`` acts on: DMARC fails, SPF fails, or every DKIM signature
        present fails (softfail, neutral, none and temporary errors are not failures)."""
        dkim_failed = bool(self.dkim) and not any(c.result == "pass" for c in self.dkim)
        return self.dmarc.forged or self.spf is SpfResult.FAIL or dkim_failed

    def vouches_for(self, address: str) -> bool:
        """The domain of ``address`` authenticated this message: an aligned DKIM pass, or
        SPF pass for it (where a rejection may be sent without becoming backscatter)."""
        domain = address.rpartition("@")[2].lower()
        if self.spf is SpfResult.PASS and aligned(self.spf_domain, domain):
            return True
        return any(c.result == "pass" and aligned(c.domain, domain) for c in self.dkim)


def authenticate(
    raw: bytes, parsed: ParsedMessage | None, envelope: Envelope, resolver: Resolver
) -> SenderAuth:
    """DKIM, SPF and DMARC for one message; never raises for what the sender sent."""
    checks = verify_dkim(raw, resolver)
    spf_domain, spf = _spf(envelope, resolver)
    from_domain = parsed.sender.domain if parsed and parsed.sender else ""
    passing = [c.domain for c in checks if c.result == "pass"]
    spf_pass = spf_domain if spf is SpfResult.PASS else None
    verdict = evaluate(from_domain, passing, spf_pass, resolver) if from_domain else None
    return SenderAuth(
        dkim=checks,
        spf=spf,
        spf_domain=spf_domain,
        dmarc=verdict or DmarcVerdict(DmarcResult.NONE),
        from_domain=from_domain,
    )


def verify_dkim(raw: bytes, resolver: Resolver) -> tuple[DkimCheck, ...]:
    """Each DKIM-Signature of ``raw`` verified, topmost first (at most 5 looked at)."""
    try:
        verifier = dkim.DKIM(raw)
        count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    except Exception as exc:  # dkimpy raises anything on hostile input
        log.info("DKIM: message not readable for DKIM: %s", type(exc).__name__)
        return ()
    dnsfunc = dkim_dnsfunc(resolver)
    checks = []
    for index in range(min(count, 5)):
        checker = dkim.DKIM(raw, minkey=1024)
        try:
            result = "pass" if checker.verify(idx=index, dnsfunc=dnsfunc) else "fail"
        except DnsError:
            result = "temperror"
        except Exception:  # dkim.DKIMException and whatever malformed input provokes
            result = "permerror"
        fields = getattr(checker, "signature_fields", {}) or {}
        checks.append(
            DkimCheck(
                domain=_text(fields.get(b"d")).lower(),
                selector=_text(fields.get(b"s")),
                result=result,
            )
        )
    return tuple(checks)


def _spf(envelope: Envelope, resolver: Resolver) -> tuple[str, SpfResult]:
    mail_from = envelope.mail_from.strip()
    domain = mail_from.rpartition("@")[2].lower() if "@" in mail_from else envelope.helo.lower()
    if envelope.protocol not in SMTP_PROTOCOLS or not envelope.peer:
        return domain, SpfResult.NONE  # files and mailboxes: no connecting IP to judge
    return domain, check_spf(peer_ip(envelope.peer), domain, mail_from, envelope.helo, resolver)


def peer_ip(peer: str) -> str:
    """``"203.0.113.5:40000"`` or ``"2001:db8::5:40000"`` (our envelope's form) → the IP."""
    host, _, port = peer.strip().rpartition(":")
    candidate = host.strip("[]") if port.isdigit() else ""
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer.strip().strip("[]")


def _text(value: object) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else ""
