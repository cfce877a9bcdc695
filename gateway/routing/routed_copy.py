"""The routed copy: one mail per assignment, carrying the document to its assignee (R-ASSIGN).

Subject ``[KHẨN] Văn bản đến số 2026/17 — 54/UBND-VP: V/v …``; the body (text + HTML)
says the assignee's role (chủ trì / phối hợp / để biết), the deadline in local time, the
signature verdict in plain Vietnamese and how to report progress by reply. The original
PDF and the other files of the message ride along byte for byte — except documents that
were refused or held, which are never forwarded: the copy lists them with the reason.
``Reply-To`` is the gateway address plus the assignment's token (``vanthu+TOKEN@…``),
which matches replies; ``Auto-Submitted: auto-generated`` (DESIGN §4.4). Like the
answers, the bytes are a pure function of the values: the same assignment renders the
same mail.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.answers import answer_message_id
from gateway.outbox.compose import angle, nfc, subject_header
from gateway.outbox.identity import MailKind, mark_automatic, reply_address
from mailparse import policies
from registry.drafts import OutboxDraft
from registry.models import AssignmentRecord, RegisterEntry
from registry.numbering import register_label
from templates import urgency_prefix

KIND = "routed-copy"


@dataclass(frozen=True)
class CopiedFile:
    """A file of the original message, forwarded as it arrived."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class WithheldFile:
    """A document of the same message that is never forwarded: refused, or held for a
    clerk (R-SIGN: a tampered or untrusted file must not travel on as if accepted)."""

    filename: str
    sha256: str
    reasons: tuple[str, ...]  # reason codes (DESIGN §4.5), shown in Vietnamese
    held: bool = False  # held for a clerk's decision rather than refused


@dataclass(frozen=True)
class TeamMember:
    """One unit assigned the same document, as every routed copy names it (R-LEAD)."""

    assignment_id: int
    unit_name: str
    role: str  # lead | cooperate | inform
    due_at: datetime | None = None


@dataclass(frozen=True)
class RoutedDocument:
    """The registered document, as every routed copy of it describes it."""

    incoming: str  # "2026/17"
    received_at: datetime
    document_number: str | None
    issued_on: date | None
    document_type: str | None
    summary: str | None
    issuer_name: str | None
    sender_agency_name: str | None
    urgency: str
    verdict: str | None  # the worst signature verdict; None: unsigned
    reference_only: bool
    files: tuple[CopiedFile, ...]
    instruction: str | None = None  # the leader's ý kiến chỉ đạo (R-DISTRIB)
    instructed_by: str | None = None  # the leader who gave it
    withheld: tuple[WithheldFile, ...] = ()  # the message's refused or held documents
    team: tuple[TeamMember, ...] = ()  # every unit assigned the document (R-LEAD)

    @classmethod
    def of_entry(
        cls,
        entry: RegisterEntry,
        verdict: str | None,
        files: tuple[CopiedFile, ...],
        *,
        instruction: str | None = None,
        instructed_by: str | None = None,
        withheld: tuple[WithheldFile, ...] = (),
        team: tuple[TeamMember, ...] = (),
    ) -> RoutedDocument:
        """The routed-copy view of a register entry, with the files to forward."""
        return cls(
            incoming=register_label(entry.year, entry.incoming_number),
            received_at=entry.received_at,
            document_number=entry.document_number,
            issued_on=entry.issued_on,
            document_type=entry.document_type,
            summary=entry.summary,
            issuer_name=entry.issuer_name,
            sender_agency_name=entry.sender_agency_name,
            urgency=entry.urgency,
            verdict=verdict,
            reference_only=entry.reference_only,
            files=files,
            instruction=instruction or None,
            instructed_by=instructed_by or None,
            withheld=withheld,
            team=team,
        )


@dataclass(frozen=True)
class Assignee:
    """One assignment, as its routed copy addresses it."""

    assignment_id: int
    unit_code: str
    unit_name: str
    role: str  # lead | cooperate | inform
    mailbox: str  # where the copy goes: the named officer's, else the unit's
    token: str
    due_at: datetime | None = None
    person: str | None = None

    def member(self) -> TeamMember:
        """This assignment as the other units' copies name it."""
        return TeamMember(
            self.assignment_id, self.unit_name or self.unit_code, self.role, self.due_at
        )

    @classmethod
    def of_record(cls, record: AssignmentRecord) -> Assignee:
        """The assignee of a stored (flushed) assignment row."""
        if record.id is None:
            raise ValueError("assignment has not been flushed")
        return cls(
            assignment_id=record.id,
            unit_code=record.unit_code,
            unit_name=record.unit_name,
            role=record.role,
            mailbox=record.mailbox,
            token=record.token,
            due_at=record.due_at,
            person=record.person,
        )


def thread_mark(token: str) -> str:
    """An unguessable value derived from an assignment's secret token, put in its routed
    copy's Message-ID: a reply that only threads to the copy proves it saw the copy."""
    return hashlib.sha256(f"thread:{token}".encode()).hexdigest()[:24]


def routed_copy_message_id(
    incoming: str, assignment_id: int, from_address: str, token: str = ""
) -> str:
    """Stable per assignment row (delivery stays idempotent), unique in the register; with
    the assignment's ``token``, it carries an unguessable thread mark
    (:func:`thread_mark`) so that a reply threaded to it alone
    can be believed, never one to a Message-ID a stranger could compute."""
    suffix = f".{thread_mark(token)}" if token else ""
    key = f"{incoming.replace('/', '-')}.{assignment_id}{suffix}"
    return answer_message_id(KIND, key, from_address)


def routed_copy_subject(document: RoutedDocument) -> str:
    """``[KHẨN] Văn bản đến số 2026/17 — 54/UBND-VP: V/v <trích yếu>``."""
    subject = f"Văn bản đến số {document.incoming}"
    described = ": ".join(
        part
        for part in (
            document.document_number,
            f"V/v {document.summary}" if document.summary else None,
        )
        if part
    )
    if described:
        subject = f"{subject} — {described}"
    subject = " ".join(nfc(subject).split())
    tag = urgency_prefix(document.urgency)
    return f"{tag} {subject}" if tag else subject


def routed_copy_draft(
    document: RoutedDocument,
    assignee: Assignee,
    *,
    env: jinja2.Environment,
    from_address: str,
    composed_at: datetime,
    timezone: str,
) -> OutboxDraft:
    """The outbox row of one routed copy (kind ``routed-copy``)."""
    message_id = routed_copy_message_id(
        document.incoming, assignee.assignment_id, from_address, assignee.token
    )
    raw = compose_routed_copy(
        document,
        assignee,
        env=env,
        from_address=from_address,
        message_id=message_id,
        composed_at=composed_at,
        timezone=timezone,
    )
    return OutboxDraft(
        kind=KIND, message_id=message_id, sender=from_address, recipient=assignee.mailbox, raw=raw
    )


def compose_routed_copy(
    document: RoutedDocument,
    assignee: Assignee,
    *,
    env: jinja2.Environment,
    from_address: str,
    message_id: str,
    composed_at: datetime,
    timezone: str,
) -> bytes:
    """Render one routed copy into RFC 5322 bytes with CRLF line ends."""
    if composed_at.tzinfo is None or document.received_at.tzinfo is None:
        raise ValueError("composed_at and received_at must be timezone-aware")
    reply_to = reply_address(from_address, assignee.token)
    context = {
        "document": document,
        "assignee": assignee,
        "tz": timezone,
        "reply_to": reply_to,
    }
    text = nfc(env.get_template("routed_copy.txt.j2").render(context))
    html = nfc(env.get_template("routed_copy.html.j2").render(context))

    msg = EmailMessage(policy=policies.SMTP)
    msg["From"] = Address(addr_spec=from_address)
    msg["To"] = Address(addr_spec=assignee.mailbox)
    msg["Reply-To"] = Address(addr_spec=reply_to)
    msg["Subject"] = subject_header(routed_copy_subject(document))
    msg["Date"] = format_datetime(composed_at.astimezone(ZoneInfo(timezone)))
    msg["Message-ID"] = angle(message_id)
    mark_automatic(msg, MailKind.ROUTED_COPY)
    msg["X-Incoming-Number"] = document.incoming
    return with_files(msg, text, html, document.files, tag="routed")


def with_files(
    msg: EmailMessage, text: str, html: str, files: Sequence[CopiedFile], *, tag: str
) -> bytes:
    """``msg`` (its headers set) with the text and HTML bodies and ``files`` attached byte
    for byte; the same content gives the same bytes (boundaries derived from the content:
    "=_" cannot occur inside quoted-printable or base64 bodies)."""
    msg["MIME-Version"] = "1.0"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    encoded: dict[bytes, bytes] = {}
    for copied in files:
        maintype, _, subtype = copied.content_type.partition("/")
        msg.add_attachment(
            b"",  # the file's base64 goes in after flattening (see _base64_lines)
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=copied.filename,
        )
        marker = f"=_file_{secrets.token_hex(16)}"
        parts = msg.get_payload()
        attached = parts[-1] if isinstance(parts, list) else None
        if copied.data and isinstance(attached, EmailMessage):
            attached.set_payload(marker + "\n")
            encoded[marker.encode("ascii") + b"\r\n"] = _base64_lines(copied.data)
    digest = hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]
    alternative = msg.get_payload(0) if files else msg
    if isinstance(alternative, EmailMessage):
        alternative.set_boundary(f"=_alt_{digest}")
    if files:
        msg.set_boundary(f"=_{tag}_{digest}")
    msg["Content-Language"] = "vi"  # last: building the multipart moves Content-* headers
    flat = msg.as_bytes(policy=policies.SMTP)
    for marker_line, lines in encoded.items():
        flat = flat.replace(marker_line, lines, 1)
    return flat


def _base64_lines(data: bytes) -> bytes:
    """``data`` in base64 lines of 76 characters, CRLF-ended: what the ``email`` package
    writes for an attachment under ``policy.SMTP``, without its line-by-line work (a
    third of a routed copy's composition). The marker it replaces is random and "=_" is
    neither base64 nor quoted-printable, so no other text of the mail can match it."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")
