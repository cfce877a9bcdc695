"""Which inbound messages only administrators may open (R-SECRET, R-VIRUS)."""

from __future__ import annotations

from gateway.clerk.restricted import Restriction, active_content, restriction

FOUND = {"findings": [{"part": "x.pdf", "sha256": "0" * 64, "signature": "Eicar-Test"}]}
JAVASCRIPT = {"findings": [], "active_content": {"js.pdf": ["javascript", "launch"]}}


def test_a_secrecy_mark_or_a_scanner_finding_is_for_administrators_only() -> None:
    """GIVEN a secret-document refusal or malware found by the scanner THEN restricted
    ("Mật" / "Mã độc"); GIVEN a hold for active content (reason ``malware`` but no
    scanner finding) THEN a clerk's to decide: not restricted, not "Mật"."""
    assert restriction(["secret-document"], {}) is Restriction.SECRET
    assert restriction(["malware"], FOUND) is Restriction.MALWARE
    assert restriction(["malware"], JAVASCRIPT) is None
    assert restriction(["malware"], None) is None
    assert restriction(["signature-indeterminate"], FOUND) is None
    assert str(Restriction.SECRET) == "Mật"


def test_active_content_is_named_in_vietnamese() -> None:
    assert active_content(JAVASCRIPT) == ("JavaScript", "lệnh mở chương trình khác")
    assert active_content(None) == ()
