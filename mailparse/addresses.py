"""One mail address as the parser accepts it: checked by email-validator (domain lower-cased),
or on one of a closed network's own domains that email-validator refuses (DESIGN §4.9)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from mailparse.documents.text import nfc
from mailparse.limits import MAX_ADDRESS_CHARS


def validated(addr: str) -> str | None:
    """``addr`` checked by email-validator, domain lower-cased; ``None`` when invalid."""
    if len(addr) > MAX_ADDRESS_CHARS:
        return None
    try:
        info = validate_email(nfc(addr.strip()), check_deliverability=False)
    except (EmailNotValidError, ValueError, UnicodeError):
        return None
    return f"{info.local_part}@{info.domain.lower()}"


def address_accepted(addr: str) -> bool:
    """Would the parser accept ``addr`` without being told it is a local domain?"""
    return validated(addr) is not None


def on_local_domain(addr: str, local_domains: frozenset[str]) -> str | None:
    """``addr`` on one of ``local_domains``: its local part checked by email-validator."""
    local, at, domain = addr.strip().rpartition("@")
    domain = domain.lower()
    if not at or not local_domains or domain not in local_domains:
        return None
    checked = validated(f"{local}@example.org")
    return None if checked is None else f"{checked.rpartition('@')[0]}@{domain}"
