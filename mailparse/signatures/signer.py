"""The signature block (NĐ 30/2020, Điều 11 and Phụ lục I): mark, authority, position, name.

``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` / (signature) / ``Bùi Trung Thực``: the mark line names
the authority signed for (TM. on behalf of a collective body, KT. deputy for the head, TL.
and TUQ. by delegation, Q. acting), the next upper-case line is the signer's own position,
and the name follows in title case. Without a mark the one upper-case line is the position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparse.documents.lines import bare, is_upper

_MARK = re.compile(r"^(TM|KT|TL|TUQ|Q|KI|K)\s*\.\s*(?=\S)", re.IGNORECASE)
_MARK_WORD = re.compile(r"(?:TM|KT|TL|TUQ|Q|KI|K)\.")
_MARK_SPELLING = {"KI": "KT.", "K": "KT."}  # "KI." is how OCR and some files render "KT."
_MAX_POSITION_WORDS = 8


@dataclass(frozen=True)
class SignerBlock:
    mark: str | None  # "TM." | "KT." | "TL." | "TUQ." | "Q."
    authority: str | None  # what the mark signs for, e.g. "CHỦ TỊCH", "ỦY BAN NHÂN DÂN"
    position: str | None  # the signer's own position
    name: str | None


def read_signer(lines: list[str], folded: list[str], start: int) -> SignerBlock:
    """The first signature block from the "Nơi nhận" line, else from line ``start``."""
    begin = next((i for i, f in enumerate(folded) if f.startswith("noi nhan")), start)
    lines = [part for line in lines[begin:] for part in _split_columns(line)]
    for i in range(len(lines)):
        line = bare(lines[i])
        mark = _MARK.match(line)
        if not is_upper(line) or not (mark or len(line.split()) <= _MAX_POSITION_WORDS):
            continue
        block = _block_from(lines, i)
        if block.name is not None:
            return block
    return SignerBlock(None, None, None, None)


def _split_columns(line: str) -> list[str]:
    """A line holding both columns of the signature area ("Nơi nhận: KT. CHỦ TỊCH"), split
    before the upper-case run that ends it when the line begins in lower case."""
    words = line.split(" ")
    keep = len(words)
    while keep > 0 and _upper_word(words[keep - 1]):
        keep -= 1
    head, tail = " ".join(words[:keep]), " ".join(words[keep:])
    plain = len(tail) > 3 and not any(p in tail for p in ",;")  # not "Lưu: VT, HCTC."
    if keep and plain and any(ch.islower() for ch in head):
        return [head, tail]
    return [line]


def _upper_word(word: str) -> bool:
    """A word of a position or a mark ("KT."), not an abbreviation ending a phrase ("VT.")."""
    if _MARK_WORD.fullmatch(word):
        return True
    return is_upper(word) and not word.endswith((".", ",", ";", ":"))


def _block_from(lines: list[str], i: int) -> SignerBlock:
    """The block from line ``i``; with several marks ("TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ
    TỊCH" / "PHÓ CHỦ TỊCH") the signer's own is the last one."""
    uppers = [bare(lines[i])]
    for j in range(i + 1, min(i + 12, len(lines))):
        candidate = lines[j].strip(" *_")
        if not candidate or candidate.startswith(("[", "(", "-", "+")):
            continue
        if is_upper(candidate):
            if len(uppers) < 4 and len(candidate.split()) <= _MAX_POSITION_WORDS:
                uppers.append(bare(candidate))
            continue
        if _is_name(candidate):
            return _block(uppers, candidate)
        break
    return SignerBlock(None, None, None, None)


def _block(uppers: list[str], name: str) -> SignerBlock:
    marked = [(k, m) for k, m in ((k, _MARK.match(u)) for k, u in enumerate(uppers)) if m]
    if not marked:
        return SignerBlock(None, None, uppers[-1], name)
    k, mark = marked[-1]
    key = mark.group(1).upper()
    authority = uppers[k][mark.end() :]
    position = uppers[-1] if k < len(uppers) - 1 else authority
    return SignerBlock(_MARK_SPELLING.get(key, f"{key}."), authority, position, name)


def _is_name(line: str) -> bool:
    """``Bùi Trung Thực``: two to six capitalised words of letters only."""
    words = line.split()
    return 2 <= len(words) <= 6 and all(
        w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words
    )
