"""Routed copies rendered from values: headers, Vietnamese body, files byte for byte."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

import templates
from gateway.outbox.identity import reply_address
from gateway.routing.routed_copy import (
    Assignee,
    CopiedFile,
    RoutedDocument,
    routed_copy_draft,
    thread_mark,
)
from tests.support.pdfs import official_document_pdf

GATEWAY = "vanthu@example.gov.vn"
RECEIVED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
DUE = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 11:00 in Hà Nội
PDF = official_document_pdf()
APPENDIX = b"PK\x03\x04 not really a spreadsheet \x00\xff\x10" * 40


def document(urgency: str = "khan", *, verdict: str | None = "valid") -> RoutedDocument:
    return RoutedDocument(
        incoming="2026/17",
        received_at=RECEIVED,
        document_number="54/UBND-VP",
        issued_on=date(2026, 11, 20),
        document_type="Công văn",
        summary="chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
        issuer_name="Ủy ban nhân dân thành phố Rạch Giá",
        sender_agency_name="Văn phòng HĐND và UBND thành phố",
        urgency=urgency,
        verdict=verdict,
        reference_only=verdict is None,
        files=(
            CopiedFile("54-UBND-VP.pdf", "application/pdf", PDF),
            CopiedFile("Phụ lục số liệu.xlsx", "application/vnd.ms-excel", APPENDIX),
        ),
    )


LEAD = Assignee(
    assignment_id=5,
    unit_code="VHTT",
    unit_name="Phòng Văn hóa và Thông tin",
    role="lead",
    mailbox="vhtt@example.gov.vn",
    token="0123456789abcdef01234567",
    due_at=DUE,
)


def render(doc: RoutedDocument, assignee: Assignee = LEAD) -> tuple[bytes, EmailMessage]:
    draft = routed_copy_draft(
        doc,
        assignee,
        env=templates.environment(),
        from_address=GATEWAY,
        composed_at=RECEIVED,
        timezone="Asia/Ho_Chi_Minh",
    )
    assert draft.kind == "routed-copy"
    assert draft.recipient == assignee.mailbox
    parsed = BytesParser(policy=policy.default).parsebytes(draft.raw)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Message-ID"] == draft.message_id
    return draft.raw, parsed


def text_of(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_r_assign_routed_copy_headers_reply_token_and_subject() -> None:
    """GIVEN an urgent document assigned to a lead unit WHEN its routed copy is rendered
    THEN it is auto-generated, addressed to the unit, replies go to vanthu+TOKEN@, and the
    subject carries the urgency, incoming number, document number and summary."""
    raw, mail = render(document("khan"))
    assert mail["To"] == "vhtt@example.gov.vn"
    assert mail["From"] == GATEWAY
    assert mail["Reply-To"] == "vanthu+0123456789abcdef01234567@example.gov.vn"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Incoming-Number"] == "2026/17"
    # Not computable from the register number alone: it carries the token's thread mark.
    mark = thread_mark("0123456789abcdef01234567")
    assert mail["Message-ID"] == f"<routed-copy.2026-17.5.{mark}@example.gov.vn>"
    assert str(mail["Subject"]) == (
        "[KHẨN] Văn bản đến số 2026/17 — 54/UBND-VP: "
        "V/v chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    )
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    ("urgency", "prefix"),
    [
        ("thuong", "Văn bản đến"),
        ("khan", "[KHẨN] Văn bản đến"),
        ("thuong_khan", "[THƯỢNG KHẨN] Văn bản đến"),
        ("hoa_toc", "[HỎA TỐC] Văn bản đến"),
    ],
)
def test_r_urgent_subject_prefix(urgency: str, prefix: str) -> None:
    """GIVEN a document of each urgency WHEN routed THEN the subject starts with its tag."""
    _, mail = render(document(urgency))
    assert str(mail["Subject"]).startswith(prefix)


def test_files_are_forwarded_byte_for_byte() -> None:
    """GIVEN a document with a PDF and an appendix with a Vietnamese name
    WHEN routed THEN both files are attached with identical bytes and names."""
    _, mail = render(document())
    files = {
        part.get_filename(): hashlib.sha256(part.get_content()).hexdigest()
        for part in mail.iter_attachments()
    }
    assert files == {
        "54-UBND-VP.pdf": hashlib.sha256(PDF).hexdigest(),
        "Phụ lục số liệu.xlsx": hashlib.sha256(APPENDIX).hexdigest(),
    }


def test_files_of_any_length_are_written_as_the_email_package_writes_them() -> None:
    """GIVEN files of 0, 1, 57 (one full line), 58 and 20 000 bytes WHEN routed THEN each
    is base64 in CRLF lines of at most 76 characters, as ``email`` writes an attachment
    under the SMTP policy (the copy substitutes it after flattening), decoding to the
    file's bytes, and the mail has no line but those of its own parts."""
    blobs = [bytes(range(256))[:n] * (1 + n // 256) for n in (0, 1, 57, 58)]
    blobs.append(bytes(i * 7 % 251 for i in range(20_000)))
    files = tuple(
        CopiedFile(f"tệp {n}.bin", "application/octet-stream", b) for n, b in enumerate(blobs)
    )
    raw, mail = render(replace(document(), files=files))
    assert b"=_file_" not in raw
    reference = EmailMessage(policy=policy.SMTP)
    for blob, part in zip(blobs, mail.iter_attachments(), strict=True):
        assert part.get_content() == blob
        reference.clear_content()
        reference.set_content(blob, maintype="application", subtype="octet-stream")
        body = reference.as_bytes(policy=policy.SMTP).split(b"\r\n\r\n", 1)[1]
        assert body in raw
        assert all(len(line) <= 76 for line in body.split(b"\r\n"))


def test_body_says_role_deadline_verdict_and_how_to_report() -> None:
    """GIVEN a lead assignment due 11:00 local time WHEN routed THEN text and HTML say
    "Chủ trì", the deadline in Hà Nội time, the verdict in plain words and the keywords."""
    _, mail = render(document())
    for subtype in ("plain", "html"):
        body = text_of(mail, subtype)
        assert "Chủ trì" in body
        assert "25/11/2026 11:00" in body
        assert "Hợp lệ: chữ ký đúng" in body
        for keyword in ("đã nhận", "đang xử lý", "hoàn thành", "chuyển", "trả lại"):
            assert keyword in body
        assert reply_address(GATEWAY, LEAD.token) in body
    assert "Trích yếu: chấn chỉnh" in text_of(mail, "plain")


def test_roles_for_cooperating_and_informed_units_and_unsigned_document() -> None:
    """GIVEN an unsigned document for a cooperating unit and a unit for information
    WHEN routed THEN each body names its role, and says the document carries no signature."""
    helper = Assignee(6, "TCKH", "Phòng Tài chính - Kế hoạch", "cooperate", "tckh@x.vn", "t" * 24)
    reader = Assignee(7, "VP", "Văn phòng", "inform", "vp@x.vn", "u" * 24)
    _, cooperating = render(document(verdict=None), helper)
    _, informed = render(document(verdict=None), reader)
    assert "Vai trò của đơn vị: Phối hợp" in text_of(cooperating, "plain")
    assert "Hạn xử lý: không ấn định" in text_of(cooperating, "plain")
    assert "Vai trò của đơn vị: Để biết" in text_of(informed, "plain")
    assert "Hạn xử lý" not in text_of(informed, "plain")
    assert "không có chữ ký số, chỉ có giá trị tham khảo" in text_of(informed, "plain")


def test_the_same_assignment_renders_the_same_bytes() -> None:
    """GIVEN one assignment WHEN rendered twice THEN the bytes are identical (stable id)."""
    assert render(document())[0] == render(document())[0]
