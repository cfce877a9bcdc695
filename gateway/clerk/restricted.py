"""Which inbound messages only administrators may open (R-SECRET, R-VIRUS).

Two kinds, and only these: a message refused for a secrecy mark (``secret-document``) and
one in which the virus scanner found malware (the ``malware`` reason with scanner findings
in ``inbound_message.scan``). A message held for *active content* (JavaScript, a launch
action, an embedded file…) also carries the ``malware`` reason, but nothing was found by
the scanner and nothing in it is secret: a clerk must see it and decide it — it is neither
labelled "Mật" nor hidden (DESIGN §4.4: held items are decided by a clerk).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from mailparse.reasons import Reason
from templates.labels import ACTIVE_CONTENT_LABELS


class Restriction(StrEnum):
    """Why a message is for administrators only; its label as the console shows it."""

    SECRET = "Mật"  # noqa: S105 - a label, not a password
    MALWARE = "Mã độc"


def restriction(reasons: Iterable[str], scan: Mapping[str, Any] | None) -> Restriction | None:
    """SECRET for a secrecy mark, MALWARE for a scanner finding, None otherwise."""
    codes = set(reasons)
    if str(Reason.SECRET_DOCUMENT) in codes:
        return Restriction.SECRET
    findings = (scan or {}).get("findings") or []
    if str(Reason.MALWARE) in codes and findings:
        return Restriction.MALWARE
    return None


def active_content(scan: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The active content found in the message's PDFs, in Vietnamese ("JavaScript", "tệp
    nhúng"…), each kind once."""
    found: dict[str, None] = {}
    for kinds in ((scan or {}).get("active_content") or {}).values():
        for kind in kinds:
            found[ACTIVE_CONTENT_LABELS.get(str(kind), str(kind))] = None
    return tuple(found)
