"""What an assignee's reply says: a progress keyword read from its first meaningful lines.

Pure (no I/O). The reply's own words are what counts: quoted text (``> …``), the
attribution block that introduces it ("Vào ngày … đã viết:", "On … wrote:", "-----Original
Message-----") and the signature (``-- ``) are stripped first. The keyword must open one of
the first :data:`LINES_LOOKED_AT` meaningful lines, in Vietnamese with or without
diacritics (``đ`` = ``d``) or in English, any case:

========================  ==========================================================
intent                    keywords (folded)
========================  ==========================================================
acknowledged              "da nhan", "tiep nhan", "received", "acknowledged"
in progress               "dang xu ly", "in progress"
done                      "hoan thanh", "da hoan thanh", "da xu ly xong", "done",
                          "completed"
reassign <unit>           "chuyen <unit>", "forward to <unit>"
transfer request          "de nghi chuyen [<unit>:] <ly do>" (the leader — or the clerk —
                          re-decides; the unit keeps the document meanwhile)
return <reason>           "tra lai <ly do>", "return <reason>"
========================  ==========================================================

"chưa hoàn thành" does not open with a keyword, so it is not "done". Anything else → None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mailparse.documents.text import fold, nfc

LINES_LOOKED_AT = 3


class Intent(StrEnum):
    """What the assignee reports (QCVN 102 statuses 04 → 05 → 06, or a hand-over)."""

    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REASSIGN = "reassign"
    RETURN = "return"
    TRANSFER_REQUEST = "transfer_request"  # "đề nghị chuyển": asks for a re-decision


@dataclass(frozen=True)
class ReplyIntent:
    """A recognised keyword; ``argument`` is the unit (reassign), the reason (return) or
    ``[unit:] reason`` (transfer request)."""

    intent: Intent
    argument: str = ""
    line: str = ""  # the line it was read from (NFC, trimmed)


# Longest first where one keyword is a prefix of another ("da hoan thanh" before "da ...").
_KEYWORDS: tuple[tuple[str, Intent], ...] = (
    ("da hoan thanh", Intent.DONE),
    ("hoan thanh", Intent.DONE),
    ("da xu ly xong", Intent.DONE),
    ("completed", Intent.DONE),
    ("done", Intent.DONE),
    ("dang xu ly", Intent.IN_PROGRESS),
    ("in progress", Intent.IN_PROGRESS),
    ("da nhan", Intent.ACKNOWLEDGED),
    ("tiep nhan", Intent.ACKNOWLEDGED),
    ("received", Intent.ACKNOWLEDGED),
    ("acknowledged", Intent.ACKNOWLEDGED),
    ("de nghi chuyen", Intent.TRANSFER_REQUEST),
    ("chuyen cho", Intent.REASSIGN),
    ("chuyen", Intent.REASSIGN),
    ("forward to", Intent.REASSIGN),
    ("tra lai", Intent.RETURN),
    ("return", Intent.RETURN),
)
_NEEDS_ARGUMENT = frozenset({Intent.REASSIGN, Intent.TRANSFER_REQUEST})

_ATTRIBUTION_END = re.compile(r"(wrote|da viet|viet)\s*:\s*$")
_ATTRIBUTION_START = re.compile(r"^(on|vao|luc|ngay)\b")
_SEPARATOR = re.compile(r"^-{2,}\s*(original message|thu goc|forwarded message)\s*-{2,}$")
_HEADER_BLOCK = re.compile(r"^(from|tu)\s*:")
_HEADER_NEXT = re.compile(r"^(sent|date|to|gui|gui luc|ngay|den)\s*:")
_LEADING_NOISE = re.compile(r"^[\s\-*•·>:.]+")
_TRAILING_NOISE = re.compile(r"[\s.!,;:]+$")


def meaningful_lines(body: str) -> list[str]:
    """The reply's own non-empty lines, before any quotation, attribution or signature."""
    lines = nfc(body).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.rstrip() == "--":  # RFC 3676 signature separator "-- "
            break
        folded = fold(line).strip()
        if _starts_quotation(folded, lines[index + 1 : index + 3]):
            break
        if folded.startswith(">"):
            continue
        if line.strip():
            kept.append(line.strip())
    return kept


def read_intent(body: str) -> ReplyIntent | None:
    """The progress keyword of a reply body, or None when none opens its first lines."""
    for line in meaningful_lines(body)[:LINES_LOOKED_AT]:
        found = _intent_of(line)
        if found is not None:
            return found
    return None


def _starts_quotation(folded: str, following: list[str]) -> bool:
    """Does the quoted original begin at this line (separator, header block, attribution)?"""
    after = [fold(n).strip() for n in following]
    if _SEPARATOR.match(folded):
        return True
    if _HEADER_BLOCK.match(folded) and after and _HEADER_NEXT.match(after[0]):
        return True  # Outlook: "From: …" / "Sent: …" above the original
    if not _ATTRIBUTION_START.match(folded):
        return False
    # Mail clients wrap a long attribution over two or three lines.
    return any(_ATTRIBUTION_END.search(" ".join([folded, *after[:extra]])) for extra in range(3))


def _intent_of(line: str) -> ReplyIntent | None:
    words = _LEADING_NOISE.sub("", line).split()
    folded_words = [_TRAILING_NOISE.sub("", fold(w)) for w in words]
    for keyword, intent in _KEYWORDS:
        key = keyword.split()
        if folded_words[: len(key)] != key:
            continue
        # The keyword must end at a word boundary: "doner" is not "done".
        argument = _TRAILING_NOISE.sub("", " ".join(words[len(key) :]))
        argument = _LEADING_NOISE.sub("", argument)
        if intent in _NEEDS_ARGUMENT and not argument:
            return None
        return ReplyIntent(intent, argument, line)
    return None
