"""Large messages are read within a few times their size, to the same result as the stdlib
reads them (mailparse.tree: the parser fed slice by slice, well-formed base64 decoded
straight from the parsed text)."""

from __future__ import annotations

import base64
import email
import gc
import tracemalloc
from email import policy

import pytest

from mailparse import mime as mime_module
from mailparse import tree
from mailparse.mime import parse

HEAD = (
    b"From: =?utf-8?b?VsSDbiB0aMawIFBow7JuZw==?= <vanthu@vp.rachgia.example.gov.vn>\r\n"
    b"To: vanthu@example.gov.vn\r\nSubject: large\r\nMessage-ID: <large@x.gov.vn>\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BB"\r\n\r\n'
)
PART = (
    b"--BB\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="a.pdf"\r\n'
)


def _mail(body: bytes, *, charset: bytes = b"") -> bytes:
    """A text part and a base64 attachment whose encoded text is ``body`` as given."""
    kind = PART.replace(b"application/pdf", b"application/pdf" + charset)
    return (
        HEAD
        + b"--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nxem t\xe1\xbb\x87p\r\n"
        + kind
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + body
        + b"\r\n--BB--\r\n"
    )


def _lines(data: bytes, width: int = 76) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i : i + width] for i in range(0, len(text), width))


BODIES = {
    "one line, no padding": base64.b64encode(b"%PDF-1.4 abc"),
    "lines of 76, one =": _lines(b"%PDF-1.7\n" + bytes(range(256)) * 3 + b"x"),
    "lines of 76, two =": _lines(b"%PDF-1.7\n" + bytes(range(256)) * 3 + b"xy"),
    "lines of 64": _lines(bytes(range(256)) * 2, width=64),
    "LF line ends": _lines(bytes(range(200))).replace(b"\r\n", b"\n"),
    "missing padding": base64.b64encode(b"%PDF-1.4 ab").rstrip(b"="),
    "a stray character": b"JVBERi0x@LjQK",
    "padding in the middle": b"JVBE=Ri0xLjQK",
    "three padding signs": b"JVBERi0xLjQ===",
    "a line of one character": b"JVBERi0xLjQK\r\nA",
    "a byte over 127": b"JVBERi0x\xc3\xa9LjQK",
}


@pytest.mark.parametrize("name", BODIES)
def test_an_attachment_reads_as_the_stdlib_reads_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a base64 attachment, well formed or not WHEN the message is parsed THEN its
    bytes are those the stdlib decodes, and the whole reading is the one the stdlib's
    decoding alone gives (the same defects too)."""
    raw = _mail(BODIES[name])
    part = email.message_from_bytes(raw, policy=policy.default).get_payload(1)
    assert isinstance(part, email.message.Message)
    parsed = parse(raw)
    [attachment] = parsed.attachments
    assert attachment.data == part.get_payload(decode=True)
    monkeypatch.setattr(mime_module, "well_formed_base64", lambda _part: None)
    assert parse(raw) == parsed


def test_a_charset_that_could_hide_bytes_is_read_by_the_stdlib() -> None:
    """GIVEN an EBCDIC charset on a base64 part with bytes over 127 (which that charset
    decodes into letters) WHEN parsed THEN the bytes are the stdlib's, not letters."""
    raw = _mail(b"\xc1\xc2\xc3\xc4", charset=b"; charset=cp500")
    part = email.message_from_bytes(raw, policy=policy.default).get_payload(1)
    assert isinstance(part, email.message.Message)
    [attachment] = parse(raw).attachments
    assert attachment.data == part.get_payload(decode=True)


def test_a_message_is_parsed_whatever_the_slices_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a message longer than a slice WHEN it is parsed fed in slices of 1 MiB, and
    of 7 bytes (cutting CRLFs, header lines and boundaries) THEN both readings are the
    same, the attachment whole."""
    data = bytes(range(256)) * (tree.FEED_BYTES // 256 + 100)
    raw = _mail(_lines(data))
    parsed = parse(raw)
    assert parsed.attachments[0].data == data
    monkeypatch.setattr(tree, "FEED_BYTES", 7)
    assert parse(_mail(_lines(data[:5000]))) == parse_whole(_mail(_lines(data[:5000])))


def parse_whole(raw: bytes) -> object:
    """The reading with the message fed at once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tree, "FEED_BYTES", len(raw) + 1)
        return parse(raw)


def test_a_large_message_is_read_within_three_and_a_half_times_its_size() -> None:
    """GIVEN a 6 MiB message (a base64 text part and a PDF) WHEN parsed THEN the memory it
    takes at its peak stays under 3.5 × the message (the stdlib alone: 7.7 ×)."""
    text = ("Nội dung văn bản cần xử lý trong ngày.\n" * 120_000).encode()
    raw = (
        HEAD
        + b"--BB\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + _lines(text)
        + b"\r\n"
        + PART
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + _lines(b"%PDF-1.7\n" + bytes(range(256)) * 400)
        + b"\r\n--BB--\r\n"
    )
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        parsed = parse(raw)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert parsed.body_text.startswith("Nội dung văn bản")
    assert peak < 3.5 * len(raw), f"{peak / len(raw):.1f} × the message"
