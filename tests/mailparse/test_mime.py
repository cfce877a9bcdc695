"""Raw bytes → ParsedMessage: headers, addresses, body, attachments, defects, robustness."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailparse.errors import MalformedMessageError
from mailparse.message import ParsedMessage
from mailparse.mime import parse, parse_once
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf

PDF = official_document_pdf()


def _raw(*lines: str, body: str = "Nội dung") -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


def test_official_mail_is_read_completely() -> None:
    """GIVEN an official mail with a Vietnamese subject and a PDF named in Vietnamese
    WHEN it is parsed
    THEN headers, addresses, body and the attachment with its sha256 are all there."""
    raw = official_mail(
        attachments=[("Công văn 54-UBND-VP.pdf", PDF, "application/pdf")],
        extra_headers={"In-Reply-To": "<a@x.vn>", "References": "<z@x.vn> <a@x.vn>"},
    )
    parsed = parse(raw)
    assert parsed.subject.startswith("Công văn số 54/UBND-VP ngày 18/02/2020 V/v chấn chỉnh")
    assert parsed.sender is not None
    assert parsed.sender.address == "vanphong@rachgia.kiengiang.gov.vn"
    assert [a.address for a in parsed.to] == ["vanthu@example.gov.vn"]
    assert parsed.message_id == "<54.ubnd-vp.20261120@rachgia.kiengiang.gov.vn>"
    assert parsed.in_reply_to == "<a@x.vn>"
    assert parsed.references == ("<z@x.vn>", "<a@x.vn>")
    assert parsed.date == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert "Văn phòng HĐND và UBND thành phố Rạch Giá" in parsed.body_text
    (attachment,) = parsed.attachments
    assert attachment.filename == "Công văn 54-UBND-VP.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data == PDF
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.is_pdf
    assert parsed.defects == ()
    assert not parsed.is_automatic


def test_windows_1258_encoded_word_subject_decodes_to_nfc() -> None:
    """GIVEN a subject as windows-1258 Q encoded-words (combining tone marks)
    WHEN the message is parsed
    THEN the subject is precomposed NFC Vietnamese."""
    raw = _raw(
        "From: =?windows-1258?Q?V=E3n_pho=CCng?= <vanphong@rachgia.kiengiang.gov.vn>",
        "Subject: =?windows-1258?Q?C=F4ng_v=E3n_Vi=EA=F2t_Nam?=",
    )
    parsed = parse(raw)
    assert parsed.subject == "Công văn Việt Nam"
    assert unicodedata.is_normalized("NFC", parsed.subject)
    assert parsed.sender is not None
    assert parsed.sender.display_name == "Văn phòng"


def test_rfc2231_vietnamese_filename_in_windows_1258() -> None:
    """GIVEN an attachment named with an RFC 2231 windows-1258 continuation
    WHEN the message is parsed
    THEN the file name is decoded to NFC."""
    raw = (
        b"From: a@rachgia.kiengiang.gov.vn\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nxin ch\xc3\xa0o\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment;\r\n filename*0*=windows-1258''Vi%EA%F2t;\r\n"
        b" filename*1=.pdf\r\n\r\nJVBERi0xLjQ=\r\n--B--\r\n"
    )
    parsed = parse(raw)
    assert [a.filename for a in parsed.attachments] == ["Việt.pdf"]
    assert parsed.attachments[0].data == b"%PDF-1.4"
    assert parsed.body_text.strip() == "xin chào"


def test_rfc2047_word_inside_filename_parameter() -> None:
    """GIVEN a client that writes an encoded-word inside the quoted file name
    WHEN the message is parsed
    THEN the name is decoded anyway."""
    raw = (
        b"From: a@rachgia.kiengiang.gov.vn\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b'--B\r\nContent-Type: application/pdf;\r\n name="=?utf-8?B?Q8O0bmcgdsSDbi5wZGY=?="\r\n'
        b"Content-Disposition: attachment\r\n\r\n%PDF-1.4\r\n--B--\r\n"
    )
    assert [a.filename for a in parse(raw).attachments] == ["Công văn.pdf"]


def test_body_from_html_when_there_is_no_plain_text() -> None:
    """GIVEN a message whose only body is text/html in windows-1258
    WHEN it is parsed
    THEN the body text is the HTML's text and nothing is listed as an attachment."""
    raw = (
        _raw(
            "From: a@rachgia.kiengiang.gov.vn",
            "Content-Type: text/html; charset=windows-1258",
            "Content-Transfer-Encoding: 8bit",
            body="",
        )[:-2]
        + b"<p>Vi\xea\xf2t Nam</p><p>K&iacute;nh g&#7917;i</p>\r\n"
    )
    parsed = parse(raw)
    assert parsed.body_text == "Việt Nam\n\nKính gửi"
    assert parsed.attachments == ()


def test_plain_text_wins_over_html_alternative() -> None:
    raw = official_mail(body="Bản văn bản thường", html_body="<p>Bản HTML</p>")
    parsed = parse(raw)
    assert parsed.body_text.strip() == "Bản văn bản thường"
    assert parsed.attachments == ()


@pytest.mark.parametrize(
    ("header", "value"),
    [("Auto-Submitted", "auto-replied"), ("Precedence", "bulk"), ("Precedence", "list")],
)
def test_automatic_mail_is_recognised(header: str, value: str) -> None:
    """GIVEN a message marked automatic by Auto-Submitted or Precedence
    WHEN it is parsed
    THEN ``is_automatic`` is true (it must never be answered, RFC 3834)."""
    parsed = parse(official_mail(extra_headers={header: value}))
    assert parsed.is_automatic


def test_auto_submitted_no_is_not_automatic() -> None:
    assert not parse(official_mail(extra_headers={"Auto-Submitted": "no"})).is_automatic


def test_authentication_results_are_kept() -> None:
    raw = _raw(
        "Authentication-Results: mx.example.gov.vn; dkim=pass header.d=kiengiang.gov.vn",
        "Authentication-Results: mx.example.gov.vn;\r\n spf=pass",
        "From: a@kiengiang.gov.vn",
    )
    assert parse(raw).authentication_results == (
        "mx.example.gov.vn; dkim=pass header.d=kiengiang.gov.vn",
        "mx.example.gov.vn; spf=pass",
    )


@pytest.mark.parametrize(
    "from_value", ["not an address", "<@@>", "a@", "=?utf-8?B?////?= <x@-bad-.vn>"]
)
def test_unreadable_from_is_a_defect_not_an_exception(from_value: str) -> None:
    """GIVEN a From header that holds no valid address
    WHEN the message is parsed
    THEN the sender is None and a defect says why."""
    parsed = parse(_raw(f"From: {from_value}", "Subject: x"))
    assert parsed.sender is None
    assert "unreadable-from" in parsed.defects


def test_missing_from_with_content_is_a_defect() -> None:
    parsed = parse(_raw("Subject: văn bản", "To: a@example.gov.vn"))
    assert parsed.sender is None
    assert "missing-from" in parsed.defects


def test_address_domain_is_lower_cased_and_8bit_name_decoded() -> None:
    raw = "From: Văn thư <VanThu@RachGia.KienGiang.GOV.VN>\r\n\r\nx\r\n".encode()
    parsed = parse(raw)
    assert parsed.sender is not None
    assert parsed.sender.address == "VanThu@rachgia.kiengiang.gov.vn"
    assert parsed.sender.display_name == "Văn thư"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 18 Feb 2020 08:00:00 +0700", datetime(2020, 2, 18, 1, tzinfo=UTC)),
        ("Tue, 18 Feb 2020 08:00:00 -0000", datetime(2020, 2, 18, 8, tzinfo=UTC)),
        ("ngày 18 tháng 02", None),
    ],
)
def test_date_is_aware_or_none(value: str, expected: datetime | None) -> None:
    parsed = parse(_raw("From: a@kiengiang.gov.vn", f"Date: {value}"))
    assert parsed.date == expected
    if parsed.date is not None:
        assert parsed.date.utcoffset() is not None
    else:
        assert "invalid-date" in parsed.defects


def test_date_keeps_its_offset() -> None:
    parsed = parse(_raw("From: a@kiengiang.gov.vn", "Date: Tue, 18 Feb 2020 08:00:00 +0700"))
    assert parsed.date is not None
    assert parsed.date.tzinfo == timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"\x00\x01\x02\xff\xfe binary \x89PNG",
        "Kính gửi các đơn vị,\r\nđây không phải là thư.\r\n".encode(),
        b"%PDF-1.7\n1 0 obj\n",
        b"Subject: x\r\n\r\n",
    ],
)
def test_unreadable_structure_raises_malformed(raw: bytes) -> None:
    """GIVEN bytes with no header section, or neither a sender nor any content
    WHEN they are parsed
    THEN MalformedMessageError is raised."""
    with pytest.raises(MalformedMessageError):
        parse(raw)


def test_mbox_separator_line_is_tolerated() -> None:
    raw = b"From MAILER-DAEMON Thu Nov 20 08:00:00 2026\r\n" + _raw("From: a@kiengiang.gov.vn")
    assert parse(raw).sender is not None


def test_deep_nesting_is_cut_off_with_a_defect() -> None:
    head = b"From: a@kiengiang.gov.vn\r\n"
    inner = b"Content-Type: text/plain\r\n\r\nx\r\n"
    for depth in range(40):
        b = f"b{depth}".encode()
        inner = (
            b"Content-Type: multipart/mixed; boundary="
            + b
            + b"\r\n\r\n--"
            + b
            + b"\r\n"
            + inner
            + b"--"
            + b
            + b"--\r\n"
        )
    parsed = parse(head + inner)
    assert "nesting-too-deep" in parsed.defects


def _fastest(work: Callable[[], object], times: int = 5) -> float:
    """The fastest of ``times`` runs of ``work``, in seconds (the least disturbed by a
    loaded machine)."""
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def test_a_200_kb_message_parses_about_as_fast_as_the_standard_parser_reads_it() -> None:
    """GIVEN a 200 KB message (a six-page PDF and a long text attachment)
    WHEN parsed THEN it takes at most a few times what the standard library's parser alone
    takes on the same bytes in the same run (no wall-clock limit: machines are shared)."""
    pdf = official_document_pdf(body_paragraphs=["Nội dung dài. " * 40] * 6, pages=6)
    padding = ("Phụ lục.\n" * 20_000).encode()
    raw = official_mail(
        attachments=[("vb.pdf", pdf, "application/pdf"), ("phuluc.txt", padding, "text/plain")]
    )
    assert len(raw) > 200_000
    parse(raw)
    ours = _fastest(lambda: parse(raw))
    standard = _fastest(lambda: BytesParser(policy=policy.default).parsebytes(raw).as_bytes())
    assert ours < 4 * standard + 0.005, (ours, standard)


# --- property: parse never lets anything but MalformedMessageError escape -------------------

SEEDS = (
    official_mail(attachments=[("Công văn.pdf", PDF[:2000], "application/pdf")]),
    official_mail(html_body="<p>Kính gửi</p>", extra_headers={"Auto-Submitted": "auto-replied"}),
    _raw(
        "From: =?windows-1258?Q?V=E3n?= <a@b.vn>",
        "Content-Type: multipart/mixed; boundary=XX",
        body="--XX\r\nContent-Type: application/pdf; name*=utf-8''%C3%A1.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--",
    ),
)
TOKENS = (
    b"\r\n", b":", b";", b"=?", b"?=", b"*", b"'", b'"', b"<", b">", b"@", b",", b"=",
    b"\r\n\r\n", b"\\", b"(", b")", b"\xff", b"\x00", b" ", b"filename*0*=", b"charset=",
    b"boundary=", b"Content-Type: ", b"message/rfc822", b'multipart/x; boundary="',
    b"=?x?q?=ff?=", b"Content-Transfer-Encoding: base64", b"From: ",
)  # fmt: skip


def _parses_or_malformed(raw: bytes) -> None:
    try:
        result = parse(raw)
    except MalformedMessageError:
        return
    assert isinstance(result, ParsedMessage)
    for text in (result.subject, result.body_text, *(a.filename for a in result.attachments)):
        assert unicodedata.is_normalized("NFC", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_raise_malformed(raw: bytes) -> None:
    _parses_or_malformed(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_messages_parse_or_raise_malformed(data: st.DataObject) -> None:
    """GIVEN a real message with a few random insertions, deletions and splices
    WHEN it is parsed
    THEN the result is a ParsedMessage or MalformedMessageError, never anything else."""
    raw = bytearray(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(("token", "delete", "bytes")))
        if action == "token":
            raw[pos:pos] = data.draw(st.sampled_from(TOKENS))
        elif action == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 40))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
    _parses_or_malformed(bytes(raw))


def test_parse_once_gives_the_same_value_and_the_same_error() -> None:
    """GIVEN a message's one parse shared by several readers WHEN called twice THEN both get
    the very same value; an unreadable message raises the same error each time."""
    readable = parse_once(official_mail())
    assert readable() is readable()
    unreadable = parse_once(b"\x00\x01 not a message")
    with pytest.raises(MalformedMessageError) as first:
        unreadable()
    with pytest.raises(MalformedMessageError) as second:
        unreadable()
    assert first.value is second.value
