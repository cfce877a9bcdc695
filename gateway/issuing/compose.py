"""The mail that carries one issued document to one recipient (DESIGN §4.7, R-ISSUE).

``multipart/mixed``: a Vietnamese cover note (text + HTML), the signed PDF and the extra
files byte for byte (base64), and the edXML envelope (QCVN 102:2016). Subject ``<type> số
<số/ký hiệu>: <summary>`` with the urgency prefix of the answers (``[KHẨN] …``, R-URGENT);
``X-Document-Number``; the stable Message-ID ``<issue.ID.N@domain>``, so a retry through
the relay carries the same identity (at-least-once) and every answer threads to it.

Not ``Auto-Submitted``: a clerk issues the document, and the receiving gateway must answer
it (RFC 3834 forbids answering automatic mail). Pure: the same values give the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import jinja2

from gateway.issuing.edxml import EdxmlEnvelope, FileRef, Organ, write_edxml
from gateway.outbox.compose import angle, nfc, subject_header
from gateway.outbox.identity import MailKind, message_id
from mailparse import policies
from mailparse.documents.document import DocumentFacts
from registry.outgoing.models import OutgoingDocument
from templates import urgency_prefix

KIND = MailKind.ISSUE  # the outbox row's kind


@dataclass(frozen=True)
class IssuedFile:
    """A file carried byte for byte."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class IssueMail:
    """Everything one issued mail says."""

    from_address: str
    to_address: str
    addressee: str  # "Phòng Nội vụ thành phố", for "Kính gửi: …"
    agency_name: str  # ours, for the cover note
    message_id: str
    composed_at: datetime  # aware, local
    document_type: str | None
    document_number: str
    issued_on: date | None
    summary: str | None
    urgency: str | None
    outgoing: str  # our outgoing number "2026/3"
    answers: str | None
    respond_by: date | None
    document: IssuedFile
    attachments: tuple[IssuedFile, ...]
    edxml: bytes


def issue_message_id(document_id: int, position: int, from_address: str) -> str:
    """``<issue.ID.N@domain>`` (DESIGN §4.7)."""
    return message_id(MailKind.ISSUE, f"{document_id}.{position}", from_address)


def content_id(message_id: str, index: int) -> str:
    """The Content-ID of the ``index``-th file of the mail, without angle brackets."""
    local, _, domain = message_id.strip("<>").partition("@")
    return f"file{index}.{local}@{domain}"


def issue_subject(
    document_type: str | None, number: str, summary: str | None, urgency: str | None
) -> str:
    """``[KHẨN] Công văn số 12/UBND-VP: trích yếu`` on one line."""
    subject = f"{document_type or 'Văn bản'} số {number}"
    if summary:
        subject = f"{subject}: {summary}"
    subject = " ".join(nfc(subject).split())
    tag = urgency_prefix(urgency)
    return f"{tag} {subject}" if tag else subject


def compose_issue(mail: IssueMail, env: jinja2.Environment) -> bytes:
    """RFC 5322 bytes with CRLF line ends (``email.policy.SMTP``)."""
    files = (mail.document, *mail.attachments)
    subject = issue_subject(mail.document_type, mail.document_number, mail.summary, mail.urgency)
    context = {
        "title": subject,
        "addressee": mail.addressee,
        "agency_name": mail.agency_name,
        "document_type": mail.document_type,
        "document_number": mail.document_number,
        "issued_on": mail.issued_on,
        "summary": mail.summary,
        "urgency": mail.urgency,
        "answers": mail.answers,
        "respond_by": mail.respond_by,
        "files": [f.filename for f in files],
    }
    text = env.get_template("issue.txt.j2").render(context)
    html = env.get_template("issue.html.j2").render(context)

    msg = EmailMessage(policy=policies.SMTP)
    msg["From"] = Address(addr_spec=mail.from_address)
    msg["To"] = Address(addr_spec=mail.to_address)
    msg["Subject"] = subject_header(subject)
    msg["Date"] = format_datetime(mail.composed_at)
    msg["Message-ID"] = angle(mail.message_id)
    msg["X-Document-Number"] = mail.document_number
    msg["X-Outgoing-Number"] = mail.outgoing
    if mail.urgency and urgency_prefix(mail.urgency):
        msg["Importance"] = "high"  # R-URGENT: mail readers show it too
    msg["MIME-Version"] = "1.0"
    msg.make_mixed()
    cover = EmailMessage(policy=policies.SMTP)
    cover.make_alternative()
    for body, subtype in ((text, "plain"), (html, "html")):
        part = EmailMessage(policy=policies.SMTP)
        part.set_content(nfc(body), subtype=subtype, charset="utf-8", cte="quoted-printable")
        del part["MIME-Version"]
        cover.attach(part)
    cover.set_boundary(f"=_cover_{_digest(text.encode(), html.encode())}")
    del cover["MIME-Version"]
    msg.attach(cover)
    for index, file in enumerate(files, start=1):
        msg.attach(_file_part(file, content_id(mail.message_id, index)))
    msg.attach(
        _file_part(
            IssuedFile("edxml.edxml", "application/edxml+xml", mail.edxml),
            content_id(mail.message_id, 0),
        )
    )
    msg.set_boundary(f"=_issue_{_digest(text.encode(), *(f.data for f in files), mail.edxml)}")
    msg["Content-Language"] = "vi"
    return msg.as_bytes(policy=policies.SMTP)


def _file_part(file: IssuedFile, cid: str) -> EmailMessage:
    part = EmailMessage(policy=policies.SMTP)
    maintype, _, subtype = file.content_type.partition("/")
    part.set_content(
        file.data,
        maintype=maintype or "application",
        subtype=subtype or "octet-stream",
        disposition="attachment",
        filename=nfc(file.filename),
        cid=f"<{cid}>",
    )
    del part["MIME-Version"]
    return part


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def edxml_for(
    *,
    document: OutgoingDocument,
    facts: DocumentFacts,
    sender: Organ,
    recipient: Organ,
    files: tuple[IssuedFile, ...],
    message_id: str,
    sent_at: datetime,
) -> bytes:
    """The edXML envelope of one recipient's mail (:mod:`gateway.issuing.edxml`); its
    manifest names the mail's files by the Content-IDs :func:`compose_issue` gives them."""
    return write_edxml(
        EdxmlEnvelope(
            sender=sender,
            recipients=(recipient,),
            number=facts.number or document.document_number,
            symbol=facts.symbol,
            place=facts.place,
            issued_on=facts.issued_on,
            document_type=facts.document_type,
            subject=facts.summary,
            signer_name=document.signer_name,
            signer_position=facts.signer_position,
            signer_competence=facts.signer_mark,
            due_on=document.respond_by,
            urgency=document.urgency,
            pages=facts.pages,
            files=tuple(
                FileRef(content_id(message_id, i), f.filename, f.content_type, f.data)
                for i, f in enumerate(files, start=1)
            ),
            sent_at=sent_at,
        )
    )
