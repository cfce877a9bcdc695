"""Folding and squashing a large mail body: the same text, without a copy per word
(mailparse.documents.text; bench/ingest.py --large-mb)."""

from __future__ import annotations

import re
import sys
import tracemalloc
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailparse.documents import text

CHARS = st.sampled_from(list(" \t\r\n\f\vaĐđẵế\u0301x"))


def _squash_whole(s: str) -> str:
    return re.sub(r"[ \t\r\n\f\v]+", " ", s).strip()


def _fold_whole(s: str) -> str:
    bare = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


@given(s=st.lists(CHARS, max_size=80).map("".join))
def test_slices_give_the_text_of_one_pass(s: str) -> None:
    """GIVEN any text of spaces, line breaks and Vietnamese letters, cut in slices of 7
    WHEN squashed and folded THEN the result is that of one pass over the whole text."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "_FOLD_SLICE", 7)
        assert text.squash(s) == _squash_whole(s)
        assert text.fold(s) == _fold_whole(s)


def test_a_large_body_is_squashed_without_a_piece_per_word() -> None:
    """GIVEN a 4-million-character mail body of short Vietnamese words
    WHEN it is folded and squashed THEN the memory it takes stays under 4 × the text."""
    body = "Nội dung bổ sung để đạt kích thước thư.\r\n" * 100_000
    size = sys.getsizeof(body)
    tracemalloc.start()
    try:
        squashed = text.squash(text.fold(body))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert squashed.startswith("noi dung bo sung de dat kich thuoc thu. noi")
    assert peak < 4 * size


def test_a_large_body_is_folded_within_its_own_size_again() -> None:
    """GIVEN a 4-million-character mail body WHEN it is folded THEN the memory it takes
    stays under 1.5 × the text: the folded text, and a slice at a time besides (one pass
    over the whole text held the decomposed text and two copies at once: 3.9 ×)."""
    body = "Nội dung bổ sung để đạt kích thước thư.\r\n" * 100_000
    size = sys.getsizeof(body)
    tracemalloc.start()
    try:
        folded = text.fold(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert folded.startswith("noi dung bo sung de dat kich thuoc thu.\r\nnoi")
    assert peak < 1.5 * size, f"{peak / size:.1f} × the text"
