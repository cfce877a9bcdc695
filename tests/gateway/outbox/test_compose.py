"""Composing receipts (03) and rejections (02): headers, bodies, secrecy, determinism."""

from __future__ import annotations

import email
import email.policy
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage

import jinja2
import pytest

from gateway.outbox.compose import (
    AnswerContent,
    AnswerKind,
    AssignmentLine,
    RefusedDocument,
    RegisteredDocument,
    compose_answer,
)
from gateway.outbox.identity import AUTO_SUBMITTED, MailKind, mark_automatic
from templates import environment, urgency_prefix

SUBJECT = "Về việc triển khai gửi, nhận văn bản điện tử"
DOC = RegisteredDocument(
    incoming="2026/1",
    document_number="54/UBND-VP",
    issued_on=date(2026, 2, 18),
    document_type="Công văn",
    summary="Về việc triển khai gửi, nhận văn bản điện tử",
    reference_only=False,
    paper_required=False,
    assignments=(AssignmentLine("Phòng Nội vụ", "lead", datetime(2026, 2, 20, 10, 0, tzinfo=UTC)),),
)
RECEIPT = AnswerContent(
    kind="receipt",
    from_address="vanthu@rachgia.gov.vn",
    to_address="vanthu@vinhthanh.rachgia.gov.vn",
    message_id="<answer-1@gateway.rachgia.gov.vn>",
    in_reply_to="<orig-1@vinhthanh.rachgia.gov.vn>",
    references=("<thread-0@vinhthanh.rachgia.gov.vn>",),
    original_subject=SUBJECT,
    received_at=datetime(2026, 2, 18, 1, 30, tzinfo=UTC),
    composed_at=datetime(2026, 2, 18, 1, 31, tzinfo=UTC),
    urgency=None,
    secret=False,
    registered=(DOC,),
    refused=(),
    reasons=(),
    agency_name="UBND phường Vĩnh Thanh",
)
REJECTION = replace(
    RECEIPT,
    kind="rejection",
    registered=(),
    reasons=("signature-invalid", "no-document"),
)


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return environment()


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _bodies(msg: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in msg.iter_parts()}


def test_receipt_headers(env: jinja2.Environment) -> None:
    """GIVEN a message with one registered document
    WHEN its receipt is composed
    THEN the machine headers say 03 with the incoming number, it is threaded and
    auto-replied, and the subject decodes to "Biên nhận: <subject>" in NFC."""
    raw = compose_answer(RECEIPT, env)
    msg = _parse(raw)
    assert msg["X-Document-Status"] == "03"
    assert msg["X-Incoming-Number"] == "2026/1"
    assert msg["X-Reject-Reasons"] is None
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<orig-1@vinhthanh.rachgia.gov.vn>"
    # The header is folded (78 columns); compare the unfolded ids.
    assert str(msg["References"]).split() == [
        "<thread-0@vinhthanh.rachgia.gov.vn>",
        "<orig-1@vinhthanh.rachgia.gov.vn>",
    ]
    assert msg["Message-ID"] == "<answer-1@gateway.rachgia.gov.vn>"
    assert msg["From"] == "vanthu@rachgia.gov.vn"
    assert msg["To"] == "vanthu@vinhthanh.rachgia.gov.vn"
    assert msg["Date"] == "Wed, 18 Feb 2026 08:31:00 +0700"
    assert msg["Content-Language"] == "vi"
    assert msg["MIME-Version"] == "1.0"
    subject = str(msg["Subject"])
    assert subject == f"Biên nhận: {SUBJECT}"
    assert unicodedata.is_normalized("NFC", subject)
    # RFC 2047 in the raw bytes, CRLF only, 7-bit clean.
    assert b"=?utf-8?" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert max(raw) < 128


def test_receipt_several_documents_and_refusals(env: jinja2.Environment) -> None:
    """GIVEN two registered documents and one refused file in the same message
    WHEN the receipt is composed
    THEN X-Incoming-Number lists both numbers and X-Reject-Reasons the refusal codes."""
    content = replace(
        RECEIPT,
        registered=(DOC, replace(DOC, incoming="2026/2", document_number="12/BC-UBND")),
        refused=(
            RefusedDocument("phu-luc.exe", ("unsupported-attachment", "malware")),
            RefusedDocument("ban-sao.pdf", ("malware", "unsigned")),
        ),
    )
    msg = _parse(compose_answer(content, env))
    assert msg["X-Document-Status"] == "03"
    assert msg["X-Incoming-Number"] == "2026/1,2026/2"
    assert msg["X-Reject-Reasons"] == "unsupported-attachment,malware,unsigned"
    text = _bodies(msg)["text/plain"]
    assert "Số đến: 2026/2" in text
    assert "phu-luc.exe" in text


def test_urgent_receipt_subject_is_prefixed(env: jinja2.Environment) -> None:
    """GIVEN an urgent ("khẩn") document (R-URGENT)
    WHEN the receipt is composed
    THEN the subject starts with [KHẨN]."""
    msg = _parse(compose_answer(replace(RECEIPT, urgency="khan"), env))
    assert str(msg["Subject"]) == f"[KHẨN] Biên nhận: {SUBJECT}"
    msg = _parse(compose_answer(replace(RECEIPT, urgency="hoa_toc_hen_gio"), env))
    assert str(msg["Subject"]).startswith("[HỎA TỐC HẸN GIỜ] Biên nhận: ")


def test_subject_from_windows_1258_is_normalised(env: jinja2.Environment) -> None:
    """GIVEN an original subject in decomposed form (as windows-1258 decodes) with folding
    WHEN the answer is composed
    THEN the quoted subject is NFC on one line."""
    decomposed = unicodedata.normalize("NFD", SUBJECT).replace(" ", "\r\n ", 1)
    msg = _parse(compose_answer(replace(RECEIPT, original_subject=decomposed), env))
    assert str(msg["Subject"]) == f"Biên nhận: {SUBJECT}"


def test_rejection_headers_and_body(env: jinja2.Environment) -> None:
    """GIVEN a message rejected for two reasons (R-REFUSE)
    WHEN the rejection is composed
    THEN it says 02, lists the codes in X-Reject-Reasons, has no incoming number,
    and explains each reason in Vietnamese in both bodies."""
    msg = _parse(compose_answer(REJECTION, env))
    assert msg["X-Document-Status"] == "02"
    assert msg["X-Reject-Reasons"] == "signature-invalid,no-document"
    assert msg["X-Incoming-Number"] is None
    assert msg["Auto-Submitted"] == "auto-replied"
    assert str(msg["Subject"]) == f"Từ chối tiếp nhận: {SUBJECT}"
    bodies = _bodies(msg)
    for body in bodies.values():
        assert "Chữ ký số trên văn bản không hợp lệ." in body
        assert "Thư không kèm theo văn bản điện tử nào." in body


def test_text_and_html_alternatives(env: jinja2.Environment) -> None:
    """GIVEN any answer
    WHEN it is composed
    THEN it is multipart/alternative with a UTF-8 text part followed by an HTML part."""
    msg = _parse(compose_answer(RECEIPT, env))
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert all(part["MIME-Version"] is None for part in parts)
    assert "Biên nhận văn bản" in _bodies(msg)["text/html"]


def test_secret_answer_quotes_nothing(env: jinja2.Environment) -> None:
    """GIVEN a secret-marked message (R-SECRET) with a refused file
    WHEN the rejection is composed
    THEN the subject is generic and neither the original subject nor the file name
    appears anywhere: not in the raw bytes, not in any decoded header or part."""
    secret_subject = "Kế hoạch phòng thủ khu vực năm 2026 (MẬT)"
    content = replace(
        REJECTION,
        original_subject=secret_subject,
        secret=True,
        reasons=("secret-document",),
        refused=(RefusedDocument("ke-hoach-mat.pdf", ("secret-document",)),),
    )
    raw = compose_answer(content, env)
    msg = _parse(raw)
    assert str(msg["Subject"]) == "Từ chối tiếp nhận văn bản"
    assert msg["X-Reject-Reasons"] == "secret-document"
    decoded = [str(value) for value in msg.values()]
    decoded += [part.get_content() for part in msg.iter_parts()]
    for needle in (secret_subject, "phòng thủ", "ke-hoach-mat"):
        assert needle.encode() not in raw
        assert all(needle not in text for text in decoded)


def test_secret_receipt_hides_document_fields(env: jinja2.Environment) -> None:
    """GIVEN a secret receipt (should not happen, but must stay safe)
    WHEN it is composed
    THEN the number, summary and subject of the document are not quoted."""
    msg = _parse(compose_answer(replace(RECEIPT, secret=True, urgency="khan"), env))
    assert str(msg["Subject"]) == "[KHẨN] Biên nhận văn bản"
    for body in _bodies(msg).values():
        assert "54/UBND-VP" not in body
        assert SUBJECT not in body
        assert "2026/1" in body


def test_html_escapes_subject(env: jinja2.Environment) -> None:
    """GIVEN an original subject containing <script>
    WHEN the answer is composed
    THEN the HTML part escapes it and the text part quotes it verbatim."""
    content = replace(RECEIPT, original_subject="Báo cáo <script>alert(1)</script>")
    bodies = _bodies(_parse(compose_answer(content, env)))
    assert "<script>" not in bodies["text/html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies["text/html"]
    assert "Báo cáo <script>alert(1)</script>" in bodies["text/plain"]


def test_compose_is_deterministic(env: jinja2.Environment) -> None:
    """GIVEN the same content composed twice (and with a fresh environment)
    WHEN the bytes are compared
    THEN they are identical, while another Message-ID gives other bytes."""
    first = compose_answer(RECEIPT, env)
    assert compose_answer(RECEIPT, environment()) == first
    assert compose_answer(replace(RECEIPT, message_id="<answer-2@gw>"), env) != first


def test_naive_datetimes_are_refused(env: jinja2.Environment) -> None:
    """GIVEN a content whose receipt time has no time zone
    WHEN it is composed
    THEN ValueError is raised rather than guessing the zone."""
    naive = replace(RECEIPT, received_at=datetime(2026, 2, 18, 8, 30))
    with pytest.raises(ValueError, match="timezone-aware"):
        compose_answer(naive, env)


def test_threading_without_duplicates(env: jinja2.Environment) -> None:
    """GIVEN an original message whose id is already in References, or no In-Reply-To
    WHEN the answer is composed
    THEN the id appears once in References, and without ids no threading header is set."""
    content = replace(RECEIPT, references=("thread-0@x", "<orig-1@vinhthanh.rachgia.gov.vn>"))
    msg = _parse(compose_answer(content, env))
    assert str(msg["References"]).split() == [
        "<thread-0@x>",
        "<orig-1@vinhthanh.rachgia.gov.vn>",
    ]
    msg = _parse(compose_answer(replace(RECEIPT, in_reply_to=None, references=()), env))
    assert msg["In-Reply-To"] is None
    assert msg["References"] is None


@pytest.mark.parametrize("urgency", [None, "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"])
@pytest.mark.parametrize("kind", ["receipt", "rejection"])
def test_long_subjects_keep_every_space(
    env: jinja2.Environment, kind: AnswerKind, urgency: str | None
) -> None:
    """GIVEN long Vietnamese subjects that must be folded over several encoded words
    WHEN the answer is composed and parsed back
    THEN the subject reads exactly as written (no space lost between encoded words)
    and no header line exceeds 78 characters."""
    for length in range(20, len(LONG_SUBJECT), 7):
        original = LONG_SUBJECT[:length].strip()
        content = replace(RECEIPT, kind=kind, urgency=urgency, original_subject=original)
        raw = compose_answer(content, env)
        msg = _parse(raw)
        assert str(msg["Subject"]).endswith(f": {original}")
        assert str(msg["Subject"]).startswith(urgency_prefix(urgency))
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert max(len(line) for line in head.split(b"\r\n")) <= 78


LONG_SUBJECT = (
    "Về việc triển khai gửi, nhận văn bản điện tử giữa các cơ quan hành chính nhà nước"
    " trên địa bàn thành phố Rạch Giá, tỉnh Kiên Giang năm 2026"
)


@pytest.mark.parametrize(
    ("content", "expected"), [(RECEIPT, "auto-replied"), (REJECTION, "auto-replied")]
)
def test_answers_are_marked_as_identity_says(content: AnswerContent, expected: str) -> None:
    """GIVEN a receipt or a rejection WHEN composed THEN ``Auto-Submitted`` is the value the
    one table of mail kinds gives (RFC 3834: answers are auto-replied)."""
    assert AUTO_SUBMITTED[MailKind(content.kind)] == expected
    parsed = email.message_from_bytes(compose_answer(content, environment()))
    assert parsed["Auto-Submitted"] == expected


def test_an_issued_document_is_never_marked_automatic() -> None:
    """GIVEN the kinds of mail we send WHEN marked THEN only an issued document (a person's
    act, which the receiving gateway must answer) carries no ``Auto-Submitted``; a routed
    copy and an alert are auto-generated (DESIGN §4.4)."""
    marks: dict[MailKind, str | None] = {}
    for kind in MailKind:
        msg = EmailMessage()
        mark_automatic(msg, kind)
        marks[kind] = msg["Auto-Submitted"]
    assert marks[MailKind.ISSUE] is None
    assert marks[MailKind.ROUTED_COPY] == "auto-generated"
    assert marks[MailKind.ALERT] == "auto-generated"
    assert marks[MailKind.STATUS] == "auto-replied"
    assert all(marks[k] for k in MailKind if k is not MailKind.ISSUE)
