"""Reply keywords (R-TRACK): table-driven cases and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailparse.documents.text import fold
from rules.progress import Intent, ReplyIntent, meaningful_lines, read_intent

GMAIL_QUOTE = (
    "\n\nVào Th 4, 25 thg 11, 2026 vào lúc 09:00 Văn thư <\n"
    "vanthu@example.gov.vn> đã viết:\n> Đề nghị chuyển TC xử lý\n> hoàn thành trước 17:00\n"
)
ENGLISH_QUOTE = (
    "\n\nOn Wed, Nov 25, 2026 at 9:00 AM Van thu <vanthu@example.gov.vn> wrote:\n> done\n"
)
OUTLOOK_QUOTE = "\n\nFrom: Văn thư <vanthu@example.gov.vn>\nSent: Wednesday\n\ntrả lại\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Đã nhận", ReplyIntent(Intent.ACKNOWLEDGED, "", "Đã nhận")),
        (
            "tiếp nhận, sẽ xử lý ngay",
            ReplyIntent(Intent.ACKNOWLEDGED, "sẽ xử lý ngay", "tiếp nhận, sẽ xử lý ngay"),
        ),
        ("Received.", ReplyIntent(Intent.ACKNOWLEDGED, "", "Received.")),
        ("Đang xử lý", ReplyIntent(Intent.IN_PROGRESS, "", "Đang xử lý")),
        ("IN PROGRESS", ReplyIntent(Intent.IN_PROGRESS, "", "IN PROGRESS")),
        ("Hoàn thành.", ReplyIntent(Intent.DONE, "", "Hoàn thành.")),
        ("hoan thanh", ReplyIntent(Intent.DONE, "", "hoan thanh")),
        ("Đã hoàn thành", ReplyIntent(Intent.DONE, "", "Đã hoàn thành")),
        ("Completed", ReplyIntent(Intent.DONE, "", "Completed")),
        ("done!", ReplyIntent(Intent.DONE, "", "done!")),
        ("chuyển TC", ReplyIntent(Intent.REASSIGN, "TC", "chuyển TC")),
        (
            "Chuyen Phong Tai chinh.",
            ReplyIntent(Intent.REASSIGN, "Phong Tai chinh", "Chuyen Phong Tai chinh."),
        ),
        ("forward to NV", ReplyIntent(Intent.REASSIGN, "NV", "forward to NV")),
        (
            "Trả lại: không thuộc thẩm quyền",
            ReplyIntent(Intent.RETURN, "không thuộc thẩm quyền", "Trả lại: không thuộc thẩm quyền"),
        ),
        ("return wrong unit", ReplyIntent(Intent.RETURN, "wrong unit", "return wrong unit")),
    ],
)
def test_each_keyword_is_read(body: str, expected: ReplyIntent) -> None:
    """GIVEN a reply opening with a keyword WHEN read THEN the intent and its argument."""
    assert read_intent(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "Cảm ơn anh",
        "chưa hoàn thành, cần thêm thời gian",  # a negation is not a keyword
        "doner",  # a keyword must end at a word boundary
        "chuyển",  # reassignment without a unit
        "> hoàn thành",  # quoted text is not the reply
        "Xin chào" + GMAIL_QUOTE,  # the keyword is only in the quoted original
        "Thanks" + ENGLISH_QUOTE,
        "Ok" + OUTLOOK_QUOTE,
        "Vâng\n-- \nhoàn thành",  # the signature is not the reply
        "a\nb\nc\nhoàn thành",  # past the first three meaningful lines
    ],
)
def test_unrecognised_replies_are_none(body: str) -> None:
    """GIVEN a reply without a keyword of its own WHEN read THEN None."""
    assert read_intent(body) is None


def test_keyword_above_a_quoted_original_is_read() -> None:
    """GIVEN "hoàn thành" above a Gmail quotation that says "chuyển TC"
    WHEN read THEN done (the quotation does not count)."""
    assert read_intent("Hoàn thành." + GMAIL_QUOTE) == ReplyIntent(Intent.DONE, "", "Hoàn thành.")
    assert meaningful_lines("Kính gửi văn thư,\nĐang xử lý" + ENGLISH_QUOTE) == [
        "Kính gửi văn thư,",
        "Đang xử lý",
    ]


def test_a_greeting_line_before_the_keyword_is_skipped() -> None:
    """GIVEN a greeting on the first line WHEN read THEN the keyword of the second line."""
    found = read_intent("Chào chị,\n\nĐÃ NHẬN\n")
    assert found is not None and found.intent is Intent.ACKNOWLEDGED


KEYWORDS = {
    "đã nhận": Intent.ACKNOWLEDGED,
    "tiếp nhận": Intent.ACKNOWLEDGED,
    "đang xử lý": Intent.IN_PROGRESS,
    "hoàn thành": Intent.DONE,
    "đã hoàn thành": Intent.DONE,
}


def _spellings(keyword: str) -> st.SearchStrategy[str]:
    """Any mix of case, with or without diacritics, composed or decomposed."""
    variants = st.sampled_from(
        [keyword, fold(keyword), unicodedata.normalize("NFD", keyword), keyword.upper()]
    )
    return variants.flatmap(
        lambda text: st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
            lambda flags: "".join(c.upper() if up else c for c, up in zip(text, flags, strict=True))
        )
    )


@given(
    st.sampled_from(sorted(KEYWORDS)).flatmap(lambda k: st.tuples(st.just(k), _spellings(k))),
    st.sampled_from(["", ".", "!", " ạ", ", cảm ơn"]),
    st.sampled_from(["", GMAIL_QUOTE, ENGLISH_QUOTE, "\n-- \nNguyễn Văn A\n"]),
)
def test_keyword_in_any_spelling_is_read(keyword: tuple[str, str], tail: str, quote: str) -> None:
    """GIVEN a keyword in any case, with or without diacritics, followed by punctuation and
    a quotation WHEN read THEN its intent."""
    original, spelled = keyword
    found = read_intent(spelled + tail + quote)
    assert found is not None
    assert found.intent is KEYWORDS[original]


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200))
def test_reading_never_fails(body: str) -> None:
    """GIVEN any text WHEN read THEN an intent or None, never an exception."""
    found = read_intent(body)
    assert found is None or isinstance(found.intent, Intent)
