"""Vietnamese text helpers: NFC, diacritics-insensitive folding, charset and header decoding.

Everything that leaves this module is NFC. Vietnamese arrives in two shapes: precomposed
(``ệ`` as one code point) and decomposed (``e`` + U+0323 + U+0302), the latter from
Python's ``windows-1258`` codec and from some PDF producers; comparing them only works after
normalisation.
"""

from __future__ import annotations

import binascii
import html
import re
import unicodedata

# Tried in this order after the declared charset; latin-1 never fails, so decoding always ends.
FALLBACK_CHARSETS: tuple[str, ...] = ("utf-8", "windows-1258", "cp1252", "latin-1")

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_FOLD_SLICE = 1 << 16
_HIDDEN_HTML = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(br|p|div|tr|li|h[1-6]|table|blockquote)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def nfc(s: str) -> str:
    """``s`` in Unicode normalisation form C (precomposed Vietnamese letters)."""
    return unicodedata.normalize("NFC", s)


def fold(s: str) -> str:
    """``s`` without diacritics and case, for searching: ``"Đà Nẵng"`` → ``"da nang"``."""
    if len(s) <= _FOLD_SLICE:
        return _fold_slice(s)
    # Slice by slice, from the text as given to the folded text: each step over a whole
    # 25 MB mail body (the decomposed text, a list of its characters, each replacement's
    # copy) held five times the text at once (bench/ingest.py --large-mb). A cut anywhere
    # gives the same result: a letter decomposes on its own, and the marks dropped never
    # move past a letter.
    return "".join(_fold_slice(s[i : i + _FOLD_SLICE]) for i in range(0, len(s), _FOLD_SLICE))


def _fold_slice(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def squash(s: str) -> str:
    """``s`` with every run of whitespace (line breaks included) turned into one space.

    In slices cut after a run of whitespace, never inside one: one ``re.sub`` over a 25 MB
    mail body holds a piece per word at once — fifteen times the text (bench/ingest.py).
    """
    if len(s) <= _FOLD_SLICE:
        return _SPACES.sub(" ", s).strip()
    parts: list[str] = []
    start = 0
    while start < len(s):
        end = start + _FOLD_SLICE
        run = _SPACES.match(s, end)  # a run that starts at the cut goes with this slice
        end = run.end() if run else end
        parts.append(_SPACES.sub(" ", s[start:end]))
        start = end
    return "".join(parts).strip()


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """``data`` decoded with its declared ``charset``, else the first fallback that fits; NFC.

    An unknown or non-text charset name (``unknown-8bit``, ``hex``) is ignored, as is one the
    bytes do not fit. A Latin-1 label on Vietnamese text is a common lie (:func:`_relabel`).
    """
    if charset and charset.strip().lower() in _LATIN1_LABELS and not data.isascii():
        charset = _relabel(data, charset)
    for name in (charset, *FALLBACK_CHARSETS):
        if not name:
            continue
        try:  # a non-text codec name (hex, rot13) raises LookupError here
            return nfc(data.decode(name))
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return nfc(data.decode("latin-1"))  # pragma: no cover - latin-1 is in the fallbacks


# Labels mail clients put on text they did not look at; any byte string "fits" Latin-1.
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "windows-1252", "cp1252"}
)
# Only Vietnamese uses these: ă đ ơ ư and the tone marks windows-1258 writes as combining.
_VIETNAMESE_ONLY = frozenset("ăĂđĐơƠưƯ\u0300\u0301\u0303\u0309\u0323")


def _relabel(data: bytes, declared: str) -> str:
    """The charset of 8-bit text labelled Latin-1: UTF-8 when the bytes are valid UTF-8 (no
    Latin-1 text is), windows-1258 when they read as Vietnamese in it, else as declared."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        text = data.decode("windows-1258")
    except UnicodeDecodeError:
        return declared
    return "windows-1258" if any(ch in _VIETNAMESE_ONLY for ch in text) else declared


def decode_header_text(raw: str) -> str:
    """A raw header value as readable text: unfolded, 8-bit bytes and RFC 2047 words decoded.

    ``raw`` is what :mod:`email` keeps for a header: ASCII, with undecodable 8-bit bytes as
    surrogate escapes (clients that send UTF-8 or windows-1258 headers unencoded).
    """
    return squash(decode_encoded_words(_FOLD.sub("", raw)))


def _eight_bit(text: str) -> str:
    """``text`` with raw 8-bit bytes (surrogate escapes) decoded as UTF-8 or a fallback."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return decode_bytes(text.encode("utf-8", "surrogateescape"), "utf-8")
    return text


def decode_encoded_words(text: str) -> str:
    """``text`` with its RFC 2047 encoded-words decoded (any charset, NFC).

    Adjacent encoded-words in one charset are joined as bytes before decoding, because
    mailers split multi-byte characters across them; whitespace between them is dropped.
    A word that cannot be decoded is kept as written. Raw 8-bit bytes (surrogate escapes)
    inside a Q-encoded word belong to the word's charset; outside words they are decoded
    as UTF-8 or a fallback.
    """
    if "=?" not in text:
        return nfc(_eight_bit(text))
    out: list[str] = []
    pending = b""
    pending_charset: str | None = None
    pos = 0
    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        if pending_charset is not None and not _BETWEEN_WORDS.fullmatch(gap):
            out.append(decode_bytes(pending, pending_charset))
            pending, pending_charset = b"", None
        if pending_charset is None:
            out.append(_eight_bit(gap))
        charset = match.group(1).partition("*")[0].lower()  # RFC 2231 language suffix
        payload = _decode_word_payload(match.group(2), match.group(3), charset)
        if payload is None:
            if pending_charset is not None:
                out.append(decode_bytes(pending, pending_charset))
                pending, pending_charset = b"", None
            out.append(_eight_bit(match.group(0)))
        elif pending_charset in (None, charset):
            pending += payload
            pending_charset = charset
        else:
            out.append(decode_bytes(pending, pending_charset))
            pending, pending_charset = payload, charset
        pos = match.end()
    if pending_charset is not None:
        out.append(decode_bytes(pending, pending_charset))
    out.append(_eight_bit(text[pos:]))
    return nfc("".join(out))


def _decode_word_payload(encoding: str, payload: str, charset: str = "utf-8") -> bytes | None:
    """The bytes of one encoded-word's payload, or ``None`` when it is not valid.

    Mailers that write 8-bit text into a Q-encoded word unescaped are read as meant: the
    raw bytes are the word's own charset's bytes.
    """
    try:
        data = payload.encode("ascii")
    except UnicodeEncodeError:
        if encoding in "bB":
            return None
        try:
            data = payload.encode(charset, "surrogateescape")
        except (LookupError, UnicodeError, ValueError):
            data = payload.encode("utf-8", "surrogateescape")
    if encoding in "bB":
        padded = data + b"=" * (-len(data) % 4)
        try:
            return binascii.a2b_base64(padded, strict_mode=True)
        except binascii.Error:
            pass
        try:  # lenient: skip stray characters, as mail clients do
            decoded = binascii.a2b_base64(padded)
        except binascii.Error:
            return None
        return decoded or None
    data = data.replace(b"_", b" ")
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML body: tags dropped, block ends as line breaks, NFC."""
    text = _HIDDEN_HTML.sub(" ", markup)
    text = _BLOCK_TAG.sub("\n", text)
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return nfc(_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip())
