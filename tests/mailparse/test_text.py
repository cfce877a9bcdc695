"""Vietnamese text helpers: NFC, folding, charset fallbacks, encoded-words, HTML."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from mailparse.documents.text import (
    decode_bytes,
    decode_encoded_words,
    decode_header_text,
    fold,
    html_to_text,
    nfc,
    squash,
)


def test_fold_drops_diacritics_and_case() -> None:
    assert fold("Đà Nẵng") == "da nang"
    assert fold("HỎA TỐC") == fold("hoả tốc") == "hoa toc"
    assert fold("ỦY BAN NHÂN DÂN") == "uy ban nhan dan"


def test_nfc_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Việt Nam")
    assert decomposed != "Việt Nam"
    assert nfc(decomposed) == "Việt Nam"


def test_windows_1258_bytes_decode_to_nfc() -> None:
    """GIVEN "Việt" in windows-1258 (base letter + combining dot below)
    WHEN it is decoded with its declared charset
    THEN the result is precomposed NFC text."""
    text = decode_bytes(b"Vi\xea\xf2t Nam", "windows-1258")
    assert text == "Việt Nam"
    assert unicodedata.is_normalized("NFC", text)


def test_unknown_or_wrong_charset_falls_back() -> None:
    assert decode_bytes("Công văn".encode(), "x-unknown-charset") == "Công văn"
    assert decode_bytes("Công văn".encode(), "hex") == "Công văn"
    assert decode_bytes("Công văn".encode(), "us-ascii") == "Công văn"
    assert decode_bytes(b"\x81\x8d", "utf-8") == "\x81\x8d"  # latin-1, the last resort


def test_encoded_words_in_several_charsets_are_joined() -> None:
    """GIVEN a UTF-8 word split mid-character and a windows-1258 word
    WHEN the header is decoded
    THEN each run is decoded with its charset, whitespace between words dropped."""
    raw = "=?utf-8?B?Q8O0bmcgdsSD?= =?utf-8?B?biBz4buR?= =?windows-1258?Q?_54_Vi=EA=F2t?="
    assert decode_encoded_words(raw) == "Công văn số 54 Việt"


def test_invalid_encoded_word_is_kept_as_written() -> None:
    assert decode_encoded_words("a =?utf-8?B?###?= b") == "a =?utf-8?B?###?= b"


def test_header_with_raw_8bit_utf8_and_folding() -> None:
    raw = "Công văn\r\n số 54".encode().decode("ascii", "surrogateescape")
    assert decode_header_text(raw) == "Công văn số 54"


def test_html_to_text_keeps_lines_and_entities() -> None:
    markup = (
        "<html><head><style>p{}</style></head><body><p>Kính gửi:&nbsp;Văn thư</p>"
        "<div>Số 54/UBND-VP &amp; phụ lục</div><script>x()</script></body></html>"
    )
    assert html_to_text(markup) == "Kính gửi: Văn thư\n\nSố 54/UBND-VP & phụ lục"


def test_squash_collapses_whitespace() -> None:
    assert squash(" a\r\n\tb  c ") == "a b c"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.sampled_from([None, "utf-8", "windows-1258", "bogus", "hex"]))
def test_decode_bytes_always_returns_nfc(data: bytes, charset: str | None) -> None:
    assert unicodedata.is_normalized("NFC", decode_bytes(data, charset))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_decode_header_text_never_raises(text: str) -> None:
    assert isinstance(decode_header_text(text), str)
