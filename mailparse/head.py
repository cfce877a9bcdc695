"""The head part of page one (NĐ 30/2020, Phụ lục I): body, number, place and date, title.

Top left the issuing body (its parent body above it when there is one) and ``Số: 54
/UBND-VP``; top right the motto and ``Rạch Giá, ngày 18 tháng 02 năm 2020``; then a title
(QUYẾT ĐỊNH, KẾ HOẠCH…) with the summary under it, or for a công văn ``V/v …`` under the
number. Every function takes the cleaned lines and their same-length folded copies.
"""

from __future__ import annotations

import re
from datetime import date

from mailparse.documents.catalogue import Catalogue, DocumentType
from mailparse.documents.lines import bare, fold_line, is_upper, join
from mailparse.documents.stamps import stamp_secrecy, stamp_urgency

NUMBER = re.compile(
    r"(?<![\w/])(\d{1,6}[a-z]?)\s*/\s*((?:\d{4}\s*/\s*)?[a-z][a-z0-9]*(?:\s?[-.]\s?[a-z0-9]+)*)"
)
_SO_LABEL = re.compile(r"(?:^|\s)so\s*:\s*(?=\d)|^so\s+(?=\d)")
PLACE_DATE = re.compile(
    r"([^\W\d_][^,:]{0,60}?)\s*,\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})"
)
_VV = re.compile(r"^(?:v/v|ve viec)\s*:?\s*")
BODY_START = ("kinh gui", "can cu", "thuc hien", "xet de nghi", "dieu 1")
_SUMMARY_STOP = (*BODY_START, "- ", "+ ")
HEAD_LINES = 30
_LEVEL_WORDS = ("tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "thi tran ")


def split_place_date(lines: list[str]) -> list[str]:
    """Lines with the place and date cut off onto a line of their own.

    A head emitted row by row puts the left column's text and the date on one line
    ("V/v góp ý dự thảo Rạch Giá, ngày 07 tháng 11 năm 2026"): the place is the run of
    capitalised words just before the comma.
    """
    out: list[str] = []
    for line in lines:
        m = PLACE_DATE.search(fold_line(line))
        if m is None:
            out.append(line)
            continue
        words = line[: m.end(1)].split(" ")
        keep = len(words)
        while keep > 0 and _place_word(words[keep - 1]):
            keep -= 1
        head = " ".join(words[:keep]).strip()
        out += [head, line[len(" ".join(words[:keep])) :].strip()] if head else [line]
    return out


def _place_word(word: str) -> bool:
    return bool(word) and (word[0].isupper() and (word[1:].islower() or len(word) == 1))


def head_end(folded: list[str]) -> int:
    """Index of the first body line (Kính gửi, Căn cứ…), at most ``HEAD_LINES`` lines in."""
    for i, line in enumerate(folded[:HEAD_LINES]):
        if line.startswith(BODY_START[:2]):
            return i
    return min(len(folded), HEAD_LINES)


def read_number(
    lines: list[str], folded: list[str], end: int
) -> tuple[str | None, str | None, int | None]:
    """Số and ký hiệu from the ``Số:`` line (spaces inside tolerated), and the line's index."""
    for i in range(end):
        label = _SO_LABEL.search(folded[i])
        if label is None:
            continue
        m = NUMBER.match(folded[i], label.end())
        if m:
            symbol = re.sub(r"\s+", "", lines[i][m.start(2) : m.end(2)]).rstrip(".-")
            return m.group(1), symbol, i
    return None, None, None


def read_place_and_date(
    lines: list[str], folded: list[str], end: int, number_at: int | None
) -> tuple[str | None, date | None, int | None]:
    for i in range(end):
        m = PLACE_DATE.search(folded[i])
        if m is None:
            continue
        start = m.start(1)
        if i == number_at:  # "Số: 54 /UBND-VP Rạch Giá, ngày …" extracted as one line
            num = NUMBER.search(folded[i])
            start = max(start, num.end() if num else 0)
        place = lines[i][start : m.end(1)].strip(" ,")
        try:
            issued = date(int(m.group(4)), int(m.group(3)), int(m.group(2)))
        except ValueError:
            issued = None
        return place or None, issued, i
    return None, None, None


def read_type_and_summary(
    lines: list[str], folded: list[str], end: int, number_at: int | None, catalogue: Catalogue
) -> tuple[DocumentType | None, str | None]:
    """A title line (QUYẾT ĐỊNH…) and the lines under it, else ``V/v …`` → Công văn."""
    for i in range(end):
        found = catalogue.by_title(bare(lines[i]))
        if found and is_upper(lines[i]) and not lines[i].endswith(":"):
            return found, _summary(lines, folded, i + 1, end)
    for i in range(number_at or 0, end):
        m = _VV.match(folded[i])
        if m and (m.end() < len(lines[i]) or i + 1 < end):
            first = lines[i][m.end() :]
            rest = _summary(lines, folded, i + 1, end, first_done=bool(first))
            return catalogue.by_name("Công văn"), join(first, rest)
    return None, None


def _summary(
    lines: list[str], folded: list[str], start: int, end: int, *, first_done: bool = False
) -> str | None:
    """Trích yếu: the lines from ``start`` until a blank line, a stamp or the body begins."""
    parts: list[str] = []
    for i in range(start, min(end, start + 7)):
        line = lines[i]
        if not line:
            if parts or first_done:
                break
            continue
        if PLACE_DATE.search(folded[i]):
            continue  # the right column's date, met between summary lines (row order)
        continued = bool(parts) or first_done
        if (
            is_upper(line)
            or (continued and folded[i].startswith(_SUMMARY_STOP))
            or folded[i].startswith(BODY_START[:2])
            or not any(ch.isalnum() for ch in line)
        ):
            break
        parts.append(line)
    return join(*parts)


def read_issuer(lines: list[str], folded: list[str], end: int) -> tuple[str | None, str | None]:
    """(parent body, issuing body): the last two levels of the upper-case block top left.

    A level may be broken over two lines ("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ RẠCH GIÁ"): a line
    beginning with an administrative level word continues the line above it.
    """
    levels: list[str] = []
    for i in range(end):
        line = bare(lines[i])
        if not line or not is_upper(line) or stamp_urgency(folded[i]) or stamp_secrecy(line):
            continue
        if levels and _continues(fold_line(line), fold_line(levels[-1])):
            levels[-1] = f"{levels[-1]} {line}"
        else:
            levels.append(line)
    if not levels:
        return None, None
    return (levels[-2] if len(levels) > 1 else None), levels[-1]


def _continues(line: str, previous: str) -> bool:
    """A line continuing the one above: a level word begins it ("THÀNH PHỐ RẠCH GIÁ"), or
    the line above ends mid-name ("SỞ THÔNG TIN VÀ" / "TRUYỀN THÔNG")."""
    return (
        line.startswith((*_LEVEL_WORDS, "va "))
        or previous.endswith(tuple(w.strip() for w in _LEVEL_WORDS))
        or previous.endswith((" va", " -", ",", " cua"))
    )
