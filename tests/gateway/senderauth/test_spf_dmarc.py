"""SPF evaluation (RFC 7208) and DMARC alignment (RFC 7489) against an in-process DNS."""

from __future__ import annotations

import pytest

from gateway.senderauth.authenticate import peer_ip
from gateway.senderauth.dmarc import DmarcResult, evaluate, organizational_domain
from gateway.senderauth.spf import SpfResult, check_spf
from tests.support.fakedns import FakeResolver

DNS = FakeResolver(
    txt={
        "agency.gov.vn": ["v=spf1 a mx include:relay.example.net ip6:2001:db8::/32 ~all"],
        "relay.example.net": ["v=spf1 ip4:192.0.2.0/24 -all"],
        "redirected.gov.vn": ["v=spf1 redirect=agency.gov.vn"],
        "loop.gov.vn": ["v=spf1 include:loop.gov.vn -all"],
        "two.gov.vn": ["v=spf1 -all", "v=spf1 +all"],
        "broken-include.gov.vn": ["v=spf1 include:nothing.example -all"],
        "macro.gov.vn": ["v=spf1 exists:%{i}.allow.macro.gov.vn -all"],
        "_dmarc.agency.gov.vn": ["v=DMARC1; p=quarantine; adkim=s"],
        "_dmarc.example.gov.vn": ["v=DMARC1; p=reject; sp=none"],
    },
    addresses={
        "agency.gov.vn": ["203.0.113.1"],
        "mx1.agency.gov.vn": ["203.0.113.2", "2001:db9::2"],
        "198.51.100.9.allow.macro.gov.vn": ["127.0.0.2"],
    },
    mx={"agency.gov.vn": ["mx1.agency.gov.vn"]},
    failing=["temp.gov.vn"],
)


@pytest.mark.parametrize(
    ("ip", "domain", "expected"),
    [
        ("203.0.113.1", "agency.gov.vn", SpfResult.PASS),  # a
        ("203.0.113.2", "agency.gov.vn", SpfResult.PASS),  # mx
        ("192.0.2.77", "agency.gov.vn", SpfResult.PASS),  # include
        ("2001:db8::1", "agency.gov.vn", SpfResult.PASS),  # ip6
        ("::ffff:192.0.2.77", "agency.gov.vn", SpfResult.PASS),  # v4-mapped
        ("198.51.100.9", "agency.gov.vn", SpfResult.SOFTFAIL),  # ~all
        ("192.0.2.77", "redirected.gov.vn", SpfResult.PASS),  # redirect
        ("198.51.100.9", "relay.example.net", SpfResult.FAIL),
        ("198.51.100.9", "nothing.example", SpfResult.NONE),
        ("198.51.100.9", "loop.gov.vn", SpfResult.PERMERROR),  # lookup limit
        ("198.51.100.9", "two.gov.vn", SpfResult.PERMERROR),
        ("198.51.100.9", "broken-include.gov.vn", SpfResult.PERMERROR),
        ("198.51.100.9", "temp.gov.vn", SpfResult.TEMPERROR),
        ("198.51.100.9", "macro.gov.vn", SpfResult.PASS),  # exists:%{i}
        ("198.51.100.10", "macro.gov.vn", SpfResult.FAIL),
    ],
)
def test_spf_mechanisms(ip: str, domain: str, expected: SpfResult) -> None:
    """GIVEN the published records WHEN mail for DOMAIN comes from IP THEN SPF says so."""
    assert check_spf(ip, domain, f"vanthu@{domain}", "mx.example", DNS) is expected


def test_dmarc_alignment_and_policy() -> None:
    """GIVEN DMARC records (strict DKIM alignment; an organizational record with sp=)
    WHEN evaluated THEN alignment and the applicable policy follow RFC 7489."""
    strict = evaluate("agency.gov.vn", ["sub.agency.gov.vn"], None, DNS)
    assert (strict.result, strict.policy) == (DmarcResult.FAIL, "quarantine")
    assert evaluate("agency.gov.vn", ["agency.gov.vn"], None, DNS).result is DmarcResult.PASS
    relaxed_spf = evaluate("vp.example.gov.vn", [], "bounces.example.gov.vn", DNS)
    assert (relaxed_spf.result, relaxed_spf.policy) == (DmarcResult.PASS, "none")
    assert evaluate("other.gov.vn", [], None, DNS).result is DmarcResult.NONE
    assert organizational_domain("vp.rachgia.example.gov.vn") == "example.gov.vn"
    assert organizational_domain("mail.example.com") == "example.com"


def test_peer_text_gives_the_ip() -> None:
    assert peer_ip("203.0.113.5:40000") == "203.0.113.5"
    assert peer_ip("2001:db8::5:40000") == "2001:db8::5"
