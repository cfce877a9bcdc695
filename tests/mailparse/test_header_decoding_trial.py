"""Messages from other projects' public corpora that the parser once misread."""

from __future__ import annotations

from mailparse.mime import parse
from tests.support.messages import official_mail

SENDER = "vanphong@rachgia.kiengiang.gov.vn"


def _raw(subject_bytes: bytes) -> bytes:
    return (
        b"From: " + SENDER.encode() + b"\r\nTo: vanthu@example.gov.vn\r\n"
        b"Subject: " + subject_bytes + b"\r\nMessage-ID: <x@rachgia.kiengiang.gov.vn>\r\n"
        b"\r\nKinh gui.\r\n"
    )


def test_utf8_byte_order_mark_before_the_headers_is_not_malformed() -> None:
    """GIVEN a message saved as a UTF-8 text file, a byte-order mark before its headers
    WHEN parsed THEN it is read normally (sender, subject, attachments), the mark noted
    as a defect, not refused as malformed-message."""
    raw = b"\xef\xbb\xbf" + official_mail(
        sender=SENDER, attachments=[("cv.pdf", b"%PDF-1.7 x", "application/pdf")]
    )

    parsed = parse(raw)

    assert parsed.sender is not None and parsed.sender.address == SENDER
    assert parsed.subject.startswith("Công văn số 54/UBND-VP")
    assert [a.filename for a in parsed.attachments] == ["cv.pdf"]
    assert "byte-order-mark-before-headers" in parsed.defects


def test_raw_8bit_inside_an_rfc2047_word_is_decoded_per_its_charset() -> None:
    """GIVEN Subjects whose Q-encoded words carry raw 8-bit characters (UTF-8 and
    windows-1258), as some mailers write them WHEN parsed
    THEN each is decoded as its charset says, not left as =?…?= text."""
    utf8 = _raw("=?UTF-8?Q?C=C3=B4ng_văn_số_54/UBND-VP?=".encode())
    cp1258 = _raw(b"=?windows-1258?Q?C=F4ng_v" + "ă".encode("windows-1258") + b"n_kh=E1n?=")

    assert parse(utf8).subject == "Công văn số 54/UBND-VP"
    assert parse(cp1258).subject == "Công văn khán"


def test_raw_8bit_outside_encoded_words_is_still_decoded() -> None:
    """GIVEN a Subject mixing an unencoded UTF-8 part and an encoded word WHEN parsed
    THEN both parts are decoded."""
    raw = _raw("Công văn =?UTF-8?B?c+G7kSA1NA==?=".encode())

    assert parse(raw).subject == "Công văn số 54"
