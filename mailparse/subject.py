"""What a mail subject plainly says about the document it carries."""

from __future__ import annotations

import re
from datetime import date

from mailparse.documents.catalogue import Catalogue, default_catalogue
from mailparse.documents.document import DocumentFacts
from mailparse.documents.lines import fold_line, join
from mailparse.documents.stamps import SECRECY_BY_STAMP, URGENCY_BY_FOLDED
from mailparse.documents.text import fold, nfc, squash
from mailparse.head import NUMBER

_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|tl|tr|chuyen tiep|tra loi)\s*:\s*)+")
_DATE_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_DATE_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
# Matched on the lower-cased text, not folded: "khán" must not read as "khẩn".
_SUBJECT_URGENCY = re.compile(
    r"(?:^|[\[(])\s*(hỏa tốc hẹn giờ|hoả tốc hẹn giờ|hỏa tốc|hoả tốc|thượng khẩn|khẩn)(?!\w)"
)
_SUBJECT_SECRECY = re.compile(r"(?:^|[\[(])\s*(TUYỆT MẬT|TỐI MẬT|MẬT)(?!\w)")
_ABOUT = re.compile(r"(?:^|\s)(?:v/v|ve viec|ve)\s*:?\s+")


def facts_from_subject(subject: str, catalogue: Catalogue | None = None) -> DocumentFacts:
    """What a subject line plainly says: number, date, type, summary, urgency, secrecy.

    ``"Công văn số 54/UBND-VP ngày 18/02/2020 V/v chấn chỉnh …"`` → 54, UBND-VP, 2020-02-18,
    Công văn, "chấn chỉnh …". Urgency and secrecy count only at the start or in brackets.
    """
    catalogue = catalogue or default_catalogue()
    text = squash(nfc(subject))
    prefix = _REPLY_PREFIX.match(fold_line(text))
    text = text[prefix.end() :] if prefix else text
    folded = fold_line(text)
    number = NUMBER.search(folded)
    symbol = text[number.start(2) : number.end(2)].rstrip(".-") if number else None
    about = _ABOUT.search(folded, number.end() if number else 0)
    type_word = _type_word(catalogue).search(folded, 0, about.start() if about else len(folded))
    found = catalogue.by_title(type_word.group(1)) if type_word else None
    if found is None and symbol:
        found = catalogue.by_symbol(symbol)
    if found is None and about and "v/v" in about.group(0):
        found = catalogue.by_name("Công văn")
    if found is not None:
        found = catalogue.refine(found, symbol)
    urgency = _SUBJECT_URGENCY.search(text.lower())
    secrecy = _SUBJECT_SECRECY.search(text)
    return DocumentFacts(
        number=number.group(1) if number else None,
        symbol=symbol,
        issued_on=_subject_date(folded),
        document_type=found.name if found else None,
        catalogue_code=found.code if found else None,
        summary=join(text[about.end() :]) if about else None,
        urgency=URGENCY_BY_FOLDED[fold(urgency.group(1))] if urgency else None,
        secrecy=SECRECY_BY_STAMP[secrecy.group(1)] if secrecy else None,
    )


def _type_word(catalogue: Catalogue) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(map(re.escape, catalogue.title_words)) + r")\b")


def _subject_date(folded: str) -> date | None:
    for m in (_DATE_WORDS.search(folded), _DATE_NUMERIC.search(folded)):
        if m:
            try:
                return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
    return None
