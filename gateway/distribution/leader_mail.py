"""The mail a leader gets (R-DISTRIB): the notice of one urgent document awaiting
distribution (the document attached) and the digest of a working session.

Both are ``auto-generated``, in Vietnamese (text + HTML from the ``follow_up`` templates),
with ``Reply-To: vanthu+TOKEN@…``: the leader answers "Đồng ý" or "Giao <đơn vị>"
(:mod:`rules.leader_reply`). Message-IDs are stable per document / per digest, so a notice
queued twice is delivered once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.compose import angle, nfc, subject_header
from gateway.outbox.identity import MailKind, mark_automatic, message_id, reply_address
from gateway.routing.routed_copy import CopiedFile, with_files
from mailparse import policies
from registry.drafts import OutboxDraft
from registry.models import RegisterEntry
from registry.numbering import register_label
from registry.tracking.distribution import ProposedAssignment
from templates import URGENCY_LABELS, role_label, urgency_prefix, vn_datetime

NOTICE_KIND = MailKind.DISTRIBUTION_NOTICE
DIGEST_KIND = MailKind.DISTRIBUTION_DIGEST

HOW_TO_REPLY = (
    "Để cho ý kiến phân công, đồng chí trả lời (Reply) thư này, dòng đầu ghi:",
    "• “Đồng ý”: giao xử lý theo đề xuất;",
    "• “Giao <mã đơn vị>”: giao đơn vị khác chủ trì (ví dụ: Giao TP);",
    "các dòng tiếp theo (nếu có) là ý kiến chỉ đạo, được gửi kèm văn bản tới đơn vị. "
    "Có thể viết không dấu (dong y, giao). Chỉ thư gửi từ hộp thư của đồng chí được ghi nhận.",
)


@dataclass(frozen=True)
class LeaderMail:
    """One mail to a leader, before rendering."""

    kind: str
    message_id: str
    to_address: str
    subject: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    reply_to: str
    files: tuple[CopiedFile, ...] = ()


def notice_message_id(entry_id: int, from_address: str) -> str:
    return message_id(MailKind.DISTRIBUTION_NOTICE, str(entry_id), from_address)


def digest_message_id(key: str, from_address: str) -> str:
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in key)
    return message_id(MailKind.DISTRIBUTION_DIGEST, safe, from_address)


def incoming(entry: RegisterEntry) -> str:
    return register_label(entry.year, entry.incoming_number)


def proposal_text(proposal: Sequence[ProposedAssignment], tz: str) -> str:
    """``chủ trì: Văn phòng (hạn 10/12/2026 17:00); phối hợp: Phòng Tư pháp``."""
    parts = []
    for a in proposal:
        due = f" (hạn {vn_datetime(a.due_at, tz)})" if a.due_at and a.role != "inform" else ""
        parts.append(f"{role_label(a.role)}: {a.unit_name or a.unit_code}{due}")
    return "; ".join(parts) or "(quy tắc chưa đề xuất đơn vị nào)"


def document_line(entry: RegisterEntry) -> str:
    """``Số đến 2026/17 — [KHẨN] 54/UBND-VP: <trích yếu>``."""
    tag = urgency_prefix(entry.urgency)
    described = ": ".join(p for p in (entry.document_number, entry.summary) if p)
    return " ".join(p for p in (f"Số đến {incoming(entry)} —", tag, described) if p)


def notice_mail(
    entry: RegisterEntry,
    proposal: Sequence[ProposedAssignment],
    *,
    to_address: str,
    token: str,
    from_address: str,
    files: tuple[CopiedFile, ...],
    tz: str,
) -> LeaderMail:
    """The notice of one document awaiting this leader (urgent documents: at once)."""
    number = incoming(entry)
    subject = f"Trình lãnh đạo phân công văn bản đến số {number}"
    if entry.document_number:
        subject += f" — {entry.document_number}"
    tag = urgency_prefix(entry.urgency)
    facts = [
        ("Số đến", number),
        ("Ngày đến", vn_datetime(entry.received_at, tz)),
        ("Số, ký hiệu", entry.document_number or "(chưa xác định)"),
        ("Cơ quan ban hành", entry.issuer_name or entry.sender_agency_name or "(chưa xác định)"),
        ("Trích yếu", entry.summary or "(chưa xác định)"),
        ("Độ khẩn", URGENCY_LABELS.get(entry.urgency, entry.urgency)),
        ("Đề xuất phân công", proposal_text(proposal, tz)),
    ]
    if entry.assign_by is not None:
        facts.append(("Hạn cho ý kiến phân công", vn_datetime(entry.assign_by, tz)))
    return LeaderMail(
        kind=NOTICE_KIND,
        message_id=notice_message_id(entry.id or 0, from_address),
        to_address=to_address,
        subject=f"{tag} {subject}" if tag else subject,
        paragraphs=(
            f"Văn bản đến số {number} đang chờ đồng chí cho ý kiến phân công, chỉ đạo giải "
            "quyết. Văn bản được gửi kèm thư này.",
            *HOW_TO_REPLY,
        ),
        facts=tuple(facts),
        reply_to=reply_address(from_address, token),
        files=files,
    )


def digest_mail(
    items: Sequence[tuple[RegisterEntry, Sequence[ProposedAssignment]]],
    *,
    key: str,
    to_address: str,
    token: str,
    from_address: str,
    session_label: str,
    tz: str,
) -> LeaderMail:
    """The digest of a working session: every document awaiting this leader."""
    lines = []
    for entry, proposal in items:
        due = f"; hạn phân công {vn_datetime(entry.assign_by, tz)}" if entry.assign_by else ""
        lines.append(f"• {document_line(entry)} — đề xuất {proposal_text(proposal, tz)}{due}.")
    return LeaderMail(
        kind=DIGEST_KIND,
        message_id=digest_message_id(key, from_address),
        to_address=to_address,
        subject=f"Văn bản chờ đồng chí phân công ({len(items)} văn bản) — {session_label}",
        paragraphs=(
            f"Có {len(items)} văn bản đến đang chờ đồng chí cho ý kiến phân công, chỉ đạo "
            "giải quyết (văn bản khẩn xếp trước, rồi đến văn bản đến sớm hơn):",
            *lines,
            "Để cho ý kiến, đồng chí trả lời (Reply) thư này:",
            "• dòng “Đồng ý”: đồng ý mọi đề xuất trong thư này;",
            "• dòng “2026/17 đồng ý”: đồng ý đề xuất cho một văn bản (ghi số đến);",
            "• dòng “2026/18 giao TP: <ý kiến chỉ đạo>”: giao đơn vị khác chủ trì, kèm ý kiến.",
            "Có thể viết không dấu. Chỉ thư gửi từ hộp thư của đồng chí được ghi nhận. "
            "Đồng chí cũng có thể cho ý kiến trên trang “Phân công” của hệ thống.",
        ),
        facts=(),
        reply_to=reply_address(from_address, token),
    )


def render(
    mail: LeaderMail, *, env: jinja2.Environment, from_address: str, now: datetime, tz: str
) -> OutboxDraft:
    """The outbox row of ``mail`` (text + HTML, the files attached byte for byte)."""
    context = {
        "title": mail.subject,
        "addressee": "đồng chí",
        "paragraphs": list(mail.paragraphs),
        "facts": list(mail.facts),
    }
    text = nfc(env.get_template("follow_up.txt.j2").render(context))
    html = nfc(env.get_template("follow_up.html.j2").render(context))
    msg = EmailMessage(policy=policies.SMTP)
    msg["From"] = Address(addr_spec=from_address)
    msg["To"] = Address(addr_spec=mail.to_address)
    msg["Reply-To"] = Address(addr_spec=mail.reply_to)
    msg["Subject"] = subject_header(mail.subject)
    msg["Date"] = format_datetime(now.astimezone(ZoneInfo(tz)))
    msg["Message-ID"] = angle(mail.message_id)
    mark_automatic(msg, MailKind(mail.kind))
    return OutboxDraft(
        kind=mail.kind,
        message_id=mail.message_id,
        sender=from_address,
        recipient=mail.to_address,
        raw=with_files(msg, text, html, mail.files, tag="leader"),
    )
