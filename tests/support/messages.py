"""Test mail as raw bytes, built the way a real mail client sends it (CRLF, RFC 2047/2231).

``EmailMessage`` with ``policy.SMTP`` encodes a Vietnamese subject as RFC 2047 words and a
Vietnamese file name as an RFC 2231 ``filename*`` parameter; the bytes end lines in CRLF,
as aiosmtpd requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

DEFAULT_SUBJECT = (
    "Công văn số 54/UBND-VP ngày 18/02/2020 V/v chấn chỉnh, tăng cường việc gửi, "
    "nhận văn bản điện tử"
)
DEFAULT_BODY = (
    "Kính gửi: Văn thư cơ quan.\n\n"
    "Văn phòng HĐND và UBND thành phố Rạch Giá gửi văn bản đính kèm.\n"
    "Trân trọng.\n"
)
DEFAULT_DATE = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)

Attachment = tuple[str, bytes, str]  # (file name, content, MIME type "maintype/subtype")


def official_mail(
    *,
    sender: str = "vanphong@rachgia.kiengiang.gov.vn",
    to: str = "vanthu@example.gov.vn",
    subject: str = DEFAULT_SUBJECT,
    attachments: Sequence[Attachment] = (),
    body: str = DEFAULT_BODY,
    html_body: str | None = None,
    message_id: str | None = None,
    sent_at: datetime = DEFAULT_DATE,
    extra_headers: Mapping[str, str] | None = None,
) -> bytes:
    """One official mail as raw CRLF bytes; ``html_body`` adds a text/html alternative."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id or "<54.ubnd-vp.20261120@rachgia.kiengiang.gov.vn>"
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html_body is not None:
        msg.add_alternative(html_body, subtype="html")
    for filename, data, mimetype in attachments:
        maintype, _, subtype = mimetype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=policy.SMTP)
