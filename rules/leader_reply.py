"""What a leader's reply says about documents awaiting distribution (R-DISTRIB). Pure.

The reply's own lines are read as an assignee's are (:func:`rules.progress.meaningful_lines`:
quotation, attribution and signature stripped). A line may open with an incoming number
(``2026/17``) naming one document of a digest; without one it is about every document the
mail it answers is about. Keywords, with or without diacritics, any case:

========================  ==========================================================
intent                    keywords (folded)
========================  ==========================================================
accept                    "dong y", "nhat tri", "duyet", "accept", "approve(d)"
assign <unit>             "giao <unit>", "giao cho <unit>", "chuyen <unit>",
                          "chuyen cho <unit>", "assign to <unit>"
========================  ==========================================================

What follows ``:`` on the keyword's line, and the reply's other lines (a line that opens
with a keyword again for a document already decided in the reply included: "Giao phòng Nội
vụ chủ trì, …" under "Giao NV") are the instruction (ý kiến chỉ đạo) sent with the
document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mailparse.documents.text import fold
from rules.progress import meaningful_lines

LINES_LOOKED_AT = 30
NOTE_CHARS = 2000


class LeaderIntent(StrEnum):
    ACCEPT = "accept"  # đồng ý: as proposed
    ASSIGN = "assign"  # giao <đơn vị>: another lead unit


@dataclass(frozen=True)
class LeaderWord:
    """One decision read from a reply; ``incoming`` (``YEAR/NUMBER``) None: every document
    the answered mail is about."""

    intent: LeaderIntent
    unit: str = ""
    incoming: str | None = None
    note: str = ""


@dataclass(frozen=True)
class LeaderReply:
    words: tuple[LeaderWord, ...]
    note: str  # the lines without a keyword: the instruction for every decision


_KEYWORDS: tuple[tuple[str, LeaderIntent], ...] = (
    ("dong y", LeaderIntent.ACCEPT),
    ("nhat tri", LeaderIntent.ACCEPT),
    ("duyet", LeaderIntent.ACCEPT),
    ("approved", LeaderIntent.ACCEPT),
    ("approve", LeaderIntent.ACCEPT),
    ("accept", LeaderIntent.ACCEPT),
    ("giao cho", LeaderIntent.ASSIGN),
    ("giao", LeaderIntent.ASSIGN),
    ("chuyen cho", LeaderIntent.ASSIGN),
    ("chuyen", LeaderIntent.ASSIGN),
    ("assign to", LeaderIntent.ASSIGN),
)
_NUMBER = re.compile(r"^\s*(?:so\s+den\s+|số\s+đến\s+)?(\d{4})\s*/\s*(\d{1,7})\b[\s:.,;-]*", re.I)
_TRAILING_NUMBER = re.compile(r"[\s:,;-]+(\d{4})\s*/\s*(\d{1,7})\s*[.!]?$")
_LEADING_NOISE = re.compile(r"^[\s\-*•·>:.]+")
_TRAILING_NOISE = re.compile(r"[\s.!,;:]+$")


def read_leader_reply(body: str) -> LeaderReply:
    """The decisions of a reply body (none when no line opens with a keyword)."""
    words: list[LeaderWord] = []
    other: list[str] = []
    for line in meaningful_lines(body)[:LINES_LOOKED_AT]:
        found = _word_of(line)
        named = {w.incoming for w in words}
        if found is None or found.incoming in named:  # one decision per document: the first
            other.append(line)
        else:
            words.append(found)
    note = " ".join(other)[:NOTE_CHARS] if words else ""
    return LeaderReply(tuple(words), note)


def _word_of(line: str) -> LeaderWord | None:
    text = _LEADING_NOISE.sub("", line)
    incoming = None
    if match := _NUMBER.match(text):
        incoming = f"{int(match.group(1))}/{int(match.group(2))}"
        text = text[match.end() :]
    head, colon, note = text.partition(":")
    if not incoming and (match := _TRAILING_NUMBER.search(head)):
        incoming = f"{int(match.group(1))}/{int(match.group(2))}"
        head = head[: match.start()]
    words = head.split()
    folded = [_TRAILING_NOISE.sub("", fold(w)) for w in words]
    for keyword, intent in _KEYWORDS:
        key = keyword.split()
        if folded[: len(key)] != key:
            continue
        argument = _TRAILING_NOISE.sub("", " ".join(words[len(key) :])).strip()
        if intent is LeaderIntent.ASSIGN and not argument:
            return None
        if intent is LeaderIntent.ACCEPT and argument and not colon:
            # "Đồng ý, giao Văn phòng chủ trì" is not a plain acceptance: keep it as a note
            note = argument
        return LeaderWord(
            intent,
            unit=argument if intent is LeaderIntent.ASSIGN else "",
            incoming=incoming,
            note=note.strip()[:NOTE_CHARS],
        )
    return None
