"""Vietnamese in every charset mail arrives in (part 6): all text out is NFC.

RFC 2047 subjects and RFC 2231 file names in UTF-8 and windows-1258, mail labelled
ISO-8859-1 that is really UTF-8 or windows-1258, and 8-bit text with no charset at all.
windows-1258 is written here the way Vietnamese Windows writes it: base letters with their
circumflex, breve or horn precomposed, tone marks as separate combining bytes.
"""

from __future__ import annotations

import base64
import unicodedata
from urllib.parse import quote

import pytest

from mailparse.documents.text import decode_bytes, decode_header_text
from mailparse.mime import parse

SUBJECT = "Công văn số 54/UBND-VP về việc chấn chỉnh, tăng cường gửi nhận văn bản điện tử"
FILENAME = "Công văn chấn chỉnh – Ủy ban nhân dân.pdf"
BODY = "Kính gửi: Văn thư cơ quan. Đề nghị Quý cơ quan thực hiện nghiêm túc."
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258 as Vietnamese Windows writes it (tones as combining marks)."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("windows-1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out += (base + tones).encode("windows-1258")
    return out


def mail(subject: bytes, body: bytes, body_type: bytes, disposition: bytes) -> bytes:
    return (
        b"From: vanthu@vp.rachgia.example.gov.vn\r\nTo: vanthu@example.gov.vn\r\n"
        b"Subject: " + subject + b"\r\nMessage-ID: <cs@rachgia>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: "
        + body_type
        + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body
        + b"\r\n--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        + disposition
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--XX--\r\n"
    )


def encoded_word(charset: str, data: bytes) -> bytes:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?=".encode()


def rfc2231(charset: str, data: bytes) -> bytes:
    return f"filename*={charset}''{quote(data)}".encode()


CASES = {
    "utf-8 declared": mail(
        encoded_word("utf-8", SUBJECT.encode()),
        BODY.encode(),
        b"text/plain; charset=utf-8",
        rfc2231("utf-8", FILENAME.encode()),
    ),
    "windows-1258 declared": mail(
        encoded_word("windows-1258", cp1258(SUBJECT)),
        cp1258(BODY),
        b"text/plain; charset=windows-1258",
        rfc2231("windows-1258", cp1258(FILENAME)),
    ),
    "utf-8 labelled iso-8859-1": mail(
        encoded_word("iso-8859-1", SUBJECT.encode()),
        BODY.encode(),
        b"text/plain; charset=iso-8859-1",
        rfc2231("iso-8859-1", FILENAME.encode()),
    ),
    "windows-1258 labelled iso-8859-1": mail(
        encoded_word("iso-8859-1", cp1258(SUBJECT)),
        cp1258(BODY),
        b'text/plain; charset="ISO-8859-1"',
        rfc2231("iso-8859-1", cp1258(FILENAME)),
    ),
    "utf-8 undeclared (raw 8-bit headers)": mail(
        SUBJECT.encode(),
        BODY.encode(),
        b"text/plain",
        b'filename="' + FILENAME.encode() + b'"',
    ),
    "windows-1258 undeclared (raw 8-bit headers)": mail(
        cp1258(SUBJECT),
        cp1258(BODY),
        b"text/plain",
        b'filename="' + cp1258(FILENAME) + b'"',
    ),
}


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_subject_filename_and_body_decode_to_nfc_vietnamese(raw: bytes) -> None:
    """GIVEN a mail whose subject, file name and body are in this charset (declared,
    mislabelled or undeclared) WHEN parsed THEN all three read as the Vietnamese written,
    in NFC."""
    parsed = parse(raw)
    [attachment] = parsed.attachments
    assert parsed.subject == SUBJECT
    assert attachment.filename == FILENAME
    assert parsed.body_text.strip() == BODY
    for text in (parsed.subject, attachment.filename, parsed.body_text):
        assert unicodedata.is_normalized("NFC", text)


def test_latin1_label_on_real_latin1_text_is_believed() -> None:
    """GIVEN French text really in ISO-8859-1 WHEN decoded THEN it is read as declared
    (the relabelling only applies to bytes that are UTF-8 or read as Vietnamese)."""
    text = "Réunion à Genève, déjà prévue"
    assert decode_bytes(text.encode("latin-1"), "iso-8859-1") == text


def test_windows_1258_encoded_word_split_inside_a_character_is_joined() -> None:
    """GIVEN a subject split into two windows-1258 encoded-words between a base letter and
    its tone mark WHEN decoded THEN the letter is whole (NFC)."""
    data = cp1258("Việt Nam")
    split = data.index(b"\xf2") if b"\xf2" in data else 3
    header = (
        encoded_word("windows-1258", data[:split])
        + b" "
        + encoded_word("windows-1258", data[split:])
    )
    assert decode_header_text(header.decode()) == "Việt Nam"
