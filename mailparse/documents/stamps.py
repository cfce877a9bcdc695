"""Urgency (R-URGENT) and secrecy (R-SECRET) stamps: upper-case lines of their own."""

from __future__ import annotations

import re

from mailparse.documents.document import Secrecy, Urgency
from mailparse.documents.lines import bare, is_upper

URGENCY_BY_FOLDED = {
    "hoa toc hen gio": Urgency.HOA_TOC_HEN_GIO,
    "hoa toc": Urgency.HOA_TOC,
    "thuong khan": Urgency.THUONG_KHAN,
    "khan": Urgency.KHAN,
}
# Secrecy is matched on the original text: folded, "MẬT" (secret) equals "MẶT" (front).
SECRECY_BY_STAMP = {"TUYỆT MẬT": Secrecy.TUYET_MAT, "TỐI MẬT": Secrecy.TOI_MAT, "MẬT": Secrecy.MAT}
_HOAN_GIO = re.compile(r"^hoa toc hen gio\b")


def stamp_urgency(folded_line: str) -> Urgency | None:
    """The urgency a folded stamp line states ("hỏa tốc hẹn giờ 14 giờ…" counts too)."""
    text = bare(folded_line)
    if _HOAN_GIO.match(text):
        return Urgency.HOA_TOC_HEN_GIO
    return URGENCY_BY_FOLDED.get(text)


def stamp_secrecy(line: str) -> Secrecy | None:
    return SECRECY_BY_STAMP.get(bare(line))


def find_urgency(lines: list[str], folded: list[str], head_end: int) -> Urgency | None:
    """An urgency stamp: an upper-case line of its own in the head part (R-URGENT)."""
    for i in range(head_end):
        found = stamp_urgency(folded[i])
        if found and is_upper(lines[i]):
            return found
    return None


def find_secrecy(lines: list[str], head_end: int) -> Secrecy | None:
    """A secrecy stamp (R-SECRET): only an upper-case line of its own, never a word in prose."""
    for line in lines[:head_end]:
        found = stamp_secrecy(line)
        if found:
            return found
    return None
