"""Build the answer to one inbound message: a receipt (03) or a rejection (02).

DESIGN §4.4: every answer is ``multipart/alternative`` (text + HTML, UTF-8), threaded with
``In-Reply-To``/``References``, marked ``Auto-Submitted: auto-replied`` and carries the
machine headers ``X-Document-Status``, ``X-Incoming-Number`` and ``X-Reject-Reasons``.
The result is a pure function of :class:`AnswerContent`: the same content gives the same
bytes (the MIME boundary is derived from the bodies, the date is ``composed_at``).

R-SECRET: for a secret-marked message nothing of the message is quoted — neither the
subject, nor document numbers, summaries or file names.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import jinja2

from gateway.outbox.identity import MailKind, mark_automatic
from mailparse import policies
from rules.decision import CountMismatch
from templates import urgency_prefix

AnswerKind = Literal["receipt", "rejection"]

# QCVN 102 status codes (DESIGN §4.4).
STATUS_RECEIVED = "03"
STATUS_REJECTED = "02"

_SUBJECT_PREFIX: Mapping[str, str] = {
    "receipt": "Biên nhận",
    "rejection": "Từ chối tiếp nhận",
}


@dataclass(frozen=True, slots=True)
class AssignmentLine:
    """One unit's part in handling a document (R-LEAD): role lead | cooperate | inform."""

    unit: str
    role: str
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class RegisteredDocument:
    """A document entered in the incoming register, as the receipt reports it (R-REG)."""

    incoming: str  # "2026/1"
    document_number: str | None
    issued_on: date | None
    document_type: str | None
    summary: str | None
    reference_only: bool  # R-REF
    paper_required: bool  # R-PAPER
    paper_reason: str | None = None  # why, as the register keeps it (rules.paper)
    assignments: tuple[AssignmentLine, ...] = ()
    # Set when the document was already registered (a duplicate by law): that day, local.
    registered_on: date | None = None
    link_kind: str | None = None  # duplicate | recall | update | replace (registry.links)


@dataclass(frozen=True, slots=True)
class RefusedDocument:
    """An attachment that was not registered, with its reason codes (DESIGN §4.5)."""

    filename: str
    reasons: tuple[str, ...]
    note: str = ""  # a routing rule's own wording of its refusal (Vietnamese)


@dataclass(frozen=True, slots=True)
class AnswerContent:
    """Everything an answer says; datetimes must be timezone-aware."""

    kind: AnswerKind
    from_address: str
    to_address: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    original_subject: str
    received_at: datetime
    composed_at: datetime
    urgency: str | None
    secret: bool
    registered: tuple[RegisteredDocument, ...]
    refused: tuple[RefusedDocument, ...]
    reasons: tuple[str, ...]
    agency_name: str | None  # the sending agency, for "Kính gửi: …"
    timezone: str = "Asia/Ho_Chi_Minh"
    count_mismatch: CountMismatch | None = None  # R-COUNT: declared vs found, told the sender


def compose_answer(content: AnswerContent, env: jinja2.Environment) -> bytes:
    """Render ``content`` into RFC 5322 bytes with CRLF line ends (``email.policy.SMTP``)."""
    if content.kind not in _SUBJECT_PREFIX:
        raise ValueError(f"unknown answer kind {content.kind!r}")
    for value in (content.received_at, content.composed_at):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("received_at and composed_at must be timezone-aware")
    tz = ZoneInfo(content.timezone)

    context = _template_context(content)
    text = env.get_template(f"{content.kind}.txt.j2").render(context)
    html = env.get_template(f"{content.kind}.html.j2").render(context)

    headers: list[tuple[str, str]] = []
    if content.kind == "receipt":
        headers.append(("X-Document-Status", STATUS_RECEIVED))
        numbers = [doc.incoming for doc in content.registered]
        if numbers:
            headers.append(("X-Incoming-Number", ",".join(numbers)))
    else:
        headers.append(("X-Document-Status", STATUS_REJECTED))
    reasons = reject_reasons(content)
    if reasons:
        headers.append(("X-Reject-Reasons", ",".join(reasons)))
    return compose_mail(
        MailContent(
            from_address=content.from_address,
            to_address=content.to_address,
            subject=answer_subject(content),
            message_id=content.message_id,
            composed_at=content.composed_at.astimezone(tz),
            text=text,
            html=html,
            in_reply_to=content.in_reply_to,
            references=content.references,
            headers=tuple(headers),
            kind=MailKind(content.kind),
            boundary_tag="answer",
        )
    )


@dataclass(frozen=True, slots=True)
class MailContent:
    """One automatic mail, rendered: the envelope of every mail the gateway writes."""

    from_address: str
    to_address: str
    subject: str
    message_id: str
    composed_at: datetime  # aware; the Date header, in its own offset
    text: str
    html: str
    kind: MailKind  # what it is: marks Auto-Submitted (DESIGN §4.4)
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # X-Document-Status and the like, in order
    boundary_tag: str = "mail"


def compose_mail(content: MailContent) -> bytes:
    """``multipart/alternative`` (text + HTML, UTF-8, quoted-printable), threaded, marked
    ``Auto-Submitted``; the same content gives the same bytes (CRLF, ``email.policy.SMTP``)."""
    msg = EmailMessage(policy=policies.SMTP)
    msg["From"] = Address(addr_spec=content.from_address)
    msg["To"] = Address(addr_spec=content.to_address)
    msg["Subject"] = subject_header(content.subject)
    msg["Date"] = format_datetime(content.composed_at)
    msg["Message-ID"] = angle(content.message_id)
    if content.in_reply_to:
        msg["In-Reply-To"] = angle(content.in_reply_to)
    references = _thread(content.references, content.in_reply_to)
    if references:
        msg["References"] = " ".join(references)
    mark_automatic(msg, content.kind)
    for name, value in content.headers:
        msg[name] = value
    msg["MIME-Version"] = "1.0"

    # Quoted-printable keeps the bytes 7-bit for relays without 8BITMIME.
    msg.make_alternative()
    for body, subtype in ((content.text, "plain"), (content.html, "html")):
        part = EmailMessage(policy=policies.SMTP)
        part.set_content(nfc(body), subtype=subtype, charset="utf-8", cte="quoted-printable")
        del part["MIME-Version"]  # belongs to the top level only
        msg.attach(part)
    # A boundary derived from the content keeps the output deterministic; "=_" cannot
    # occur inside a quoted-printable body.
    digest = hashlib.sha256(f"{content.text}\0{content.html}".encode()).hexdigest()[:32]
    msg.set_boundary(f"=_{content.boundary_tag}_{digest}")
    # Added last: building the multipart moves or clears every Content-* header.
    msg["Content-Language"] = "vi"
    return msg.as_bytes(policy=policies.SMTP)


def answer_subject(content: AnswerContent) -> str:
    """``[KHẨN] Biên nhận: <subject>``; without a quote when secret or the subject is empty."""
    prefix = _SUBJECT_PREFIX[content.kind]
    quoted = _quotable_subject(content)
    subject = f"{prefix}: {quoted}" if quoted is not None else f"{prefix} văn bản"
    tag = urgency_prefix(content.urgency)
    return f"{tag} {subject}" if tag else subject


def reject_reasons(content: AnswerContent) -> tuple[str, ...]:
    """The distinct reason codes of the answer in order: message-level, then per document."""
    codes: dict[str, None] = dict.fromkeys(content.reasons)
    for refused in content.refused:
        codes.update(dict.fromkeys(refused.reasons))
    return tuple(codes)


def _quotable_subject(content: AnswerContent) -> str | None:
    if content.secret:
        return None
    # One line, NFC: a decoded subject may carry folding whitespace or combining marks.
    subject = " ".join(nfc(content.original_subject).split())
    return subject or None


def _template_context(content: AnswerContent) -> dict[str, Any]:
    registered: Iterable[RegisteredDocument] = content.registered
    refused: Iterable[RefusedDocument] = content.refused
    if content.secret:
        # Defence in depth: the templates also hide these fields when ``secret`` is set.
        registered = [
            dataclasses.replace(doc, document_number=None, summary=None, document_type=None)
            for doc in registered
        ]
        refused = [dataclasses.replace(item, filename="", note="") for item in refused]
    return {
        "kind": content.kind,
        "agency_name": content.agency_name,
        "subject": _quotable_subject(content),
        "secret": content.secret,
        "received_at": content.received_at,
        "tz": content.timezone,
        "urgency": content.urgency,
        "registered": list(registered),
        "refused": list(refused),
        "reasons": list(content.reasons),
        "count_mismatch": content.count_mismatch,
    }


def _thread(references: tuple[str, ...], in_reply_to: str | None) -> list[str]:
    refs = [angle(ref) for ref in references if ref.strip()]
    if in_reply_to:
        original = angle(in_reply_to)
        if original not in refs:
            refs.append(original)
    return refs


class _EncodedSubject(str):
    """A Subject folded by :class:`email.header.Header` instead of the policy's folder.

    CPython's folder (seen on 3.11.7) can put the space between two words into the folding
    whitespace between two encoded words, where RFC 2047 decoders drop it ("văn bản
    điện tử" came back as "văn bảnđiện tử"). ``Header`` keeps spaces inside the encoded
    words. The policy uses an object with ``name`` and ``fold`` as it is.
    """

    name = "Subject"

    def fold(self, *, policy: Policy) -> str:
        encoded = Header(str(self), "utf-8", header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


def subject_header(subject: str) -> str:
    return subject if subject.isascii() else _EncodedSubject(subject)


def angle(message_id: str) -> str:
    """``<id>`` with exactly one pair of angle brackets and no surrounding whitespace."""
    return f"<{message_id.strip().strip('<>')}>"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
