"""What a mail says it carries: "gồm 03 trang", "kèm theo 02 tệp", "gồm 2 văn bản" (R-COUNT).

QD278-6.1: on receipt the clerk checks the number of documents and of pages against what
the sender declared. Senders declare them in the mail body in a few set phrases; this reads
them, diacritics-insensitive (the sender's keyboard may have dropped the marks), digits
only (a number in words is too easily a word of the text: "năm" is also "year").
Pure: text in, :class:`DeclaredCounts` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparse.documents.text import fold, squash

# A number of pages: "gồm 03 trang", "văn bản gồm 2 trang", "có 5 trang", "dài 4 trang",
# "tổng cộng 10 trang", "số trang: 3".
_PAGES = re.compile(
    r"\b(?:gom|co|dai|tong cong|tong so|bao gom)\s*:?\s*(\d{1,4})\s*(?:\(\D{1,20}\)\s*)?trang\b"
    r"|\bso trang\s*:?\s*(\d{1,4})\b"
)
# A number of files: "kèm theo 02 tệp", "gồm 2 văn bản", "đính kèm 3 file", "số tệp: 2".
_FILES = re.compile(
    r"\b(?:kem theo|dinh kem|gui kem|gom|co|bao gom)\s*:?\s*(\d{1,3})\s*(?:\(\D{1,20}\)\s*)?"
    r"(?:tep|file|van ban|tai lieu)\b"
    r"|\bso (?:tep|file|van ban)\s*(?:dinh kem|kem theo)?\s*:?\s*(\d{1,3})\b"
)


@dataclass(frozen=True)
class DeclaredCounts:
    """Pages and files a message declares; ``None`` where it declares nothing (or
    contradicts itself, which is no declaration to hold it to)."""

    pages: int | None = None
    files: int | None = None

    @property
    def declared(self) -> bool:
        return self.pages is not None or self.files is not None


def declared_counts(text: str) -> DeclaredCounts:
    """The page and file counts ``text`` (a mail body) declares."""
    folded = squash(fold(text))
    return DeclaredCounts(pages=_one(_PAGES, folded), files=_one(_FILES, folded))


def _one(pattern: re.Pattern[str], folded: str) -> int | None:
    """The one number ``pattern`` finds; None when none, or several different ones."""
    found = {int(next(g for g in m.groups() if g)) for m in pattern.finditer(folded)}
    return found.pop() if len(found) == 1 else None
