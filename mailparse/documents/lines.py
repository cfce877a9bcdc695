"""Line helpers for reading an official document's text: cleaning and same-length folding.

Matching is done on a diacritics-free copy of each line (:func:`fold_line`, same length as
the line) so that spans found there can be cut from the original text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mailparse.documents.text import fold, nfc, squash

_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded[0] if folded else ch


def fold_line(line: str) -> str:
    """``fold(line)`` one character per character, so spans match the original line."""
    return "".join(_fold_char(ch) for ch in line)


def is_upper(line: str) -> bool:
    return any(ch.isalpha() for ch in line) and line == line.upper()


def bare(line: str) -> str:
    """A line without stamp boxes and punctuation around it."""
    return line.strip(" *_-–—=[](){}|.:!")


def clean_lines(text: str) -> list[str]:
    """The text's lines, NFC, squashed, markdown emphasis and the motto removed."""
    lines = []
    for raw in nfc(text).splitlines():
        line = squash(raw.replace("**", " ").strip("*_ "))
        folded = fold_line(line)
        for m in reversed(list(_MOTTO.finditer(folded))):
            line = line[: m.start()] + line[m.end() :]
        lines.append(squash(line))
    return lines


def join(*parts: str | None) -> str | None:
    """The parts as one line of text, outer punctuation trimmed; ``None`` when empty."""
    text = squash(" ".join(p for p in parts if p)).strip(" .;,:")
    return text or None
