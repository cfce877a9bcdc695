"""Official-document facts from a document's text (NĐ 30/2020 layout) or a mail subject.

The layout of page one (R-REG, R-FORMAT): the issuing body top left (parent body above it
when there is one), the national motto top right, ``Số: 54 /UBND-VP`` under the body,
``Rạch Giá, ngày 18 tháng 02 năm 2020`` under the motto, then either a title (QUYẾT ĐỊNH,
KẾ HOẠCH…) with the summary under it, or for a công văn ``V/v …`` under the number.
Urgency (R-URGENT) and secrecy (R-SECRET) marks are stamp lines of their own in that head
part. The signature block follows the body: TM./KT./TL./TUQ. line, position, the name.

Matching is done on a diacritics-free copy of each line (:func:`_fold_line`, same length
as the line) so that spans found there can be cut from the original text.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from mailparse.document import DocumentFacts, Secrecy, Urgency
from mailparse.pdftext import DEFAULT_MAX_PAGES, read_pdf
from mailparse.text import fold, nfc, squash

# The catalogue of CV144 (annex, 24 rows): types sent electronically without paper (R-TYPES).
# The two normative rows come first; ``document_type`` is always one of these names or None.
DOCUMENT_TYPES: tuple[str, ...] = (
    "Nghị quyết (quy phạm pháp luật)",
    "Quyết định (quy phạm pháp luật)",
    "Nghị quyết",
    "Quyết định",
    "Chỉ thị",
    "Quy chế",
    "Quy định",
    "Thông cáo",
    "Thông báo",
    "Hướng dẫn",
    "Chương trình",
    "Kế hoạch",
    "Phương án",
    "Đề án",
    "Dự án",
    "Báo cáo",
    "Tờ trình",
    "Công văn",
    "Công điện",
    "Giấy ủy quyền",
    "Giấy mời",
    "Phiếu gửi",
    "Phiếu chuyển",
    "Phiếu báo",
)
NORMATIVE_TYPES: dict[str, str] = {"Nghị quyết": DOCUMENT_TYPES[0], "Quyết định": DOCUMENT_TYPES[1]}

# Abbreviations used in ký hiệu (NĐ 30/2020, appendix III), for when no title says the type.
SYMBOL_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế",
    "QYĐ": "Quy định", "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn",
    "CTr": "Chương trình", "KH": "Kế hoạch", "PA": "Phương án", "ĐA": "Đề án",
    "DA": "Dự án", "BC": "Báo cáo", "TTr": "Tờ trình", "CĐ": "Công điện",
    "GUQ": "Giấy ủy quyền", "GM": "Giấy mời", "PG": "Phiếu gửi", "PC": "Phiếu chuyển",
    "PB": "Phiếu báo",
}  # fmt: skip

_TYPE_BY_FOLDED = {fold(name): name for name in DOCUMENT_TYPES if "(" not in name}
_URGENCY_BY_FOLDED = {
    "hoa toc hen gio": Urgency.HOA_TOC_HEN_GIO,
    "hoa toc": Urgency.HOA_TOC,
    "thuong khan": Urgency.THUONG_KHAN,
    "khan": Urgency.KHAN,
}
# Secrecy is matched on the original text: folded, "MẬT" (secret) equals "MẶT" (front).
_SECRECY_BY_STAMP = {"TUYỆT MẬT": Secrecy.TUYET_MAT, "TỐI MẬT": Secrecy.TOI_MAT, "MẬT": Secrecy.MAT}
_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*-\s*tu do\s*-\s*hanh phuc")
_NUMBER = re.compile(
    r"(?<![\w/])(\d{1,6}[a-z]?)\s*/\s*((?:\d{4}/)?[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*)"
)
_SO_LABEL = re.compile(r"(?:^|\s)so\s*:\s*(?=\d)|^so\s+(?=\d)")
_PLACE_DATE = re.compile(
    r"([^\W\d_][^,:]{0,60}?)\s*,\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})"
)
_VV = re.compile(r"^(?:v/v|ve viec)\s*:?\s*")
_SIGN_MARK = re.compile(r"^(?:tm|kt|tl|tuq|q|ki|k)\.\s*\S")
_BODY_START = ("kinh gui", "can cu", "thuc hien", "xet de nghi", "dieu 1")
_SUMMARY_STOP = (*_BODY_START, "- ", "+ ")
_HEAD_LINES = 30


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded[0] if folded else ch


def _fold_line(line: str) -> str:
    """``fold(line)`` one character per character, so spans match the original line."""
    return "".join(_fold_char(ch) for ch in line)


def _is_upper(line: str) -> bool:
    return any(ch.isalpha() for ch in line) and line == line.upper()


def _bare(line: str) -> str:
    """A line without stamp boxes and punctuation around it."""
    return line.strip(" *_-–—=[](){}|.:!")


def _clean_lines(text: str) -> list[str]:
    """The text's lines, NFC, squashed, markdown emphasis and the motto removed."""
    lines = []
    for raw in nfc(text).splitlines():
        line = squash(raw.replace("**", " ").strip("*_ "))
        folded = _fold_line(line)
        for m in reversed(list(_MOTTO.finditer(folded))):
            line = line[: m.start()] + line[m.end() :]
        lines.append(squash(line))
    return lines


def facts_from_text(text: str, pages: int | None) -> DocumentFacts:
    """The facts page one of a document states, from its text layer."""
    lines = _clean_lines(text)
    folded = [_fold_line(line) for line in lines]
    head_end = _head_end(folded)
    number, symbol, number_at = _number(lines, folded, head_end)
    place, issued_on, date_at = _place_and_date(lines, folded, head_end, number_at)
    document_type, summary = _type_and_summary(lines, folded, head_end, number_at)
    if document_type is None and symbol:
        document_type = _type_from_symbol(symbol)
    if document_type in NORMATIVE_TYPES and symbol and re.match(r"\d{4}/", symbol):
        document_type = NORMATIVE_TYPES[document_type]
    issuer_end = min(i for i in (number_at, date_at, head_end) if i is not None)
    return DocumentFacts(
        number=number,
        symbol=symbol,
        issued_on=issued_on,
        place=place,
        document_type=document_type,
        summary=summary,
        issuer=_issuer(lines, folded, issuer_end),
        signer_name=_signer(lines, folded, head_end),
        urgency=_urgency(lines, folded, head_end),
        secrecy=_secrecy(lines, head_end),
        pages=pages,
    )


def analyse_pdf(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> DocumentFacts:
    """:func:`read_pdf` then :func:`facts_from_text`; raises ``UnreadableDocumentError``."""
    pdf = read_pdf(data, max_pages=max_pages)
    return facts_from_text(pdf.text, pdf.pages)


def _head_end(folded: list[str]) -> int:
    """Index of the first body line (Kính gửi, Căn cứ…), at most ``_HEAD_LINES`` lines in."""
    for i, line in enumerate(folded[:_HEAD_LINES]):
        if line.startswith(_BODY_START[:2]):
            return i
    return min(len(folded), _HEAD_LINES)


def _number(
    lines: list[str], folded: list[str], head_end: int
) -> tuple[str | None, str | None, int | None]:
    """Số and ký hiệu from the ``Số:`` line of the head part, and that line's index."""
    for i in range(head_end):
        label = _SO_LABEL.search(folded[i])
        if label is None:
            continue
        m = _NUMBER.match(folded[i], label.end())
        if m:
            symbol = lines[i][m.start(2) : m.end(2)].rstrip(".-")
            return m.group(1), symbol, i
    return None, None, None


def _place_and_date(
    lines: list[str], folded: list[str], head_end: int, number_at: int | None
) -> tuple[str | None, date | None, int | None]:
    for i in range(head_end):
        m = _PLACE_DATE.search(folded[i])
        if m is None:
            continue
        start = m.start(1)
        if i == number_at:  # "Số: 54 /UBND-VP Rạch Giá, ngày …" extracted as one line
            num = _NUMBER.search(folded[i])
            start = max(start, num.end() if num else 0)
        place = lines[i][start : m.end(1)].strip(" ,")
        try:
            issued = date(int(m.group(4)), int(m.group(3)), int(m.group(2)))
        except ValueError:
            issued = None
        return place or None, issued, i
    return None, None, None


def _type_and_summary(
    lines: list[str], folded: list[str], head_end: int, number_at: int | None
) -> tuple[str | None, str | None]:
    """A title line (QUYẾT ĐỊNH…) and the lines under it, else ``V/v …`` → Công văn."""
    for i in range(head_end):
        name = _TYPE_BY_FOLDED.get(_bare(folded[i]))
        if name and _is_upper(lines[i]) and not lines[i].endswith(":"):
            return name, _summary(lines, folded, i + 1, head_end)
    start = number_at or 0
    for i in range(start, head_end):
        m = _VV.match(folded[i])
        if m and (m.end() < len(lines[i]) or i + 1 < head_end):
            first = lines[i][m.end() :]
            rest = _summary(lines, folded, i + 1, head_end, first_done=bool(first))
            return "Công văn", _join(first, rest)
    return None, None


def _summary(
    lines: list[str], folded: list[str], start: int, end: int, *, first_done: bool = False
) -> str | None:
    """Trích yếu: the lines from ``start`` until a blank line, a stamp or the body begins."""
    parts: list[str] = []
    for i in range(start, min(end, start + 5)):
        line = lines[i]
        if not line:
            if parts or first_done:
                break
            continue
        if (
            _is_upper(line)
            or folded[i].startswith(_SUMMARY_STOP)
            or _PLACE_DATE.search(folded[i])
            or not any(ch.isalpha() for ch in line)
        ):
            break
        parts.append(line)
    return _join(*parts)


def _join(*parts: str | None) -> str | None:
    text = squash(" ".join(p for p in parts if p)).strip(" .;,:")
    return text or None


def _type_from_symbol(symbol: str) -> str | None:
    for token in re.split(r"[-/.]", symbol):
        if token in SYMBOL_TYPES:
            return SYMBOL_TYPES[token]
    return None


def _issuer(lines: list[str], folded: list[str], end: int) -> str | None:
    """The issuing body: the last level of the upper-case block at the top left.

    A level may be broken over two lines ("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ RẠCH GIÁ"): a line
    beginning with an administrative level word continues the line above it.
    """
    levels: list[str] = []
    for i in range(end):
        line = _bare(lines[i])
        if not line or not _is_upper(line) or _stamp_urgency(folded[i]) or _stamp_secrecy(line):
            continue
        if levels and _continues(_fold_line(line), _fold_line(levels[-1])):
            levels[-1] = f"{levels[-1]} {line}"
        else:
            levels.append(line)
    return levels[-1] if levels else None


_LEVEL_WORDS = ("tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "thi tran ")


def _continues(line: str, previous: str) -> bool:
    return line.startswith(_LEVEL_WORDS) or previous.endswith(
        tuple(w.strip() for w in _LEVEL_WORDS)
    )


def _stamp_urgency(folded_line: str) -> Urgency | None:
    bare = _bare(folded_line)
    for key, urgency in _URGENCY_BY_FOLDED.items():
        if bare == key or (key == "hoa toc hen gio" and bare.startswith(key)):
            return urgency
    return None


def _stamp_secrecy(line: str) -> Secrecy | None:
    return _SECRECY_BY_STAMP.get(_bare(line))


def _urgency(lines: list[str], folded: list[str], head_end: int) -> Urgency | None:
    """An urgency stamp: an upper-case line of its own in the head part (R-URGENT)."""
    for i in range(head_end):
        found = _stamp_urgency(folded[i])
        if found and _is_upper(lines[i]):
            return found
    return None


def _secrecy(lines: list[str], head_end: int) -> Secrecy | None:
    """A secrecy stamp (R-SECRET): only an upper-case line of its own, never a word in prose."""
    for line in lines[:head_end]:
        found = _stamp_secrecy(line)
        if found:
            return found
    return None


def _signer(lines: list[str], folded: list[str], head_end: int) -> str | None:
    """The name under the first signature block (TM./KT./… line or position, then the name)."""
    start = next((i for i, f in enumerate(folded) if f.startswith("noi nhan")), head_end)
    for i in range(start, len(lines)):
        line = _bare(lines[i])
        if not (_is_upper(line) and (_SIGN_MARK.match(folded[i]) or len(line.split()) <= 6)):
            continue
        for j in range(i + 1, min(i + 10, len(lines))):
            candidate = lines[j].strip(" *_")
            if not candidate or _is_upper(candidate) or candidate.startswith(("[", "(")):
                continue
            if _is_name(candidate):
                return candidate
            break
    return None


def _is_name(line: str) -> bool:
    """``Bùi Trung Thực``: two to six capitalised words of letters only."""
    words = line.split()
    return 2 <= len(words) <= 6 and all(
        w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words
    )


# --- mail subjects -------------------------------------------------------------------------

_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|tl|tr|chuyen tiep|tra loi)\s*:\s*)+")
_DATE_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_DATE_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_TYPE_WORD = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _TYPE_BY_FOLDED), key=len, reverse=True)) + r")\b"
)
# Matched on the lower-cased text, not folded: "khán" must not read as "khẩn".
_SUBJECT_URGENCY = re.compile(
    r"(?:^|[\[(])\s*(hỏa tốc hẹn giờ|hoả tốc hẹn giờ|hỏa tốc|hoả tốc|thượng khẩn|khẩn)(?!\w)"
)
_SUBJECT_SECRECY = re.compile(r"(?:^|[\[(])\s*(TUYỆT MẬT|TỐI MẬT|MẬT)(?!\w)")
_ABOUT = re.compile(r"(?:^|\s)(?:v/v|ve viec|ve)\s*:?\s+")


def facts_from_subject(subject: str) -> DocumentFacts:
    """What a subject line plainly says: number, date, type, summary, urgency, secrecy.

    ``"Công văn số 54/UBND-VP ngày 18/02/2020 V/v chấn chỉnh …"`` → 54, UBND-VP, 2020-02-18,
    Công văn, "chấn chỉnh …". Urgency and secrecy count only at the start or in brackets.
    """
    text = squash(nfc(subject))
    prefix = _REPLY_PREFIX.match(_fold_line(text))
    text = text[prefix.end() :] if prefix else text
    folded = _fold_line(text)
    number = _NUMBER.search(folded)
    symbol = text[number.start(2) : number.end(2)].rstrip(".-") if number else None
    issued_on = _subject_date(folded)
    about = _ABOUT.search(folded, number.end() if number else 0)
    type_word = _TYPE_WORD.search(folded, 0, about.start() if about else len(folded))
    document_type = _TYPE_BY_FOLDED[type_word.group(1)] if type_word else None
    if document_type is None and symbol:
        document_type = _type_from_symbol(symbol)
    if document_type is None and about and about.group(0).strip().startswith("v"):
        document_type = "Công văn" if "v/v" in about.group(0) else None
    if document_type in NORMATIVE_TYPES and symbol and re.match(r"\d{4}/", symbol):
        document_type = NORMATIVE_TYPES[document_type]
    urgency = _SUBJECT_URGENCY.search(text.lower())
    secrecy = _SUBJECT_SECRECY.search(text)
    return DocumentFacts(
        number=number.group(1) if number else None,
        symbol=symbol,
        issued_on=issued_on,
        document_type=document_type,
        summary=_join(text[about.end() :]) if about else None,
        urgency=_URGENCY_BY_FOLDED[fold(urgency.group(1))] if urgency else None,
        secrecy=_SECRECY_BY_STAMP[secrecy.group(1)] if secrecy else None,
    )


def _subject_date(folded: str) -> date | None:
    for m in (_DATE_WORDS.search(folded), _DATE_NUMERIC.search(folded)):
        if m:
            try:
                return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
    return None
