"""Issuing one document (DESIGN §4.7; R-ISSUE, R-OUTREG, R-RESPONSE, R-DELIVERY).

Check (:mod:`gateway.issuing.checks`, recipients, the incoming entry answered) → keep the
files in the archive → ONE transaction: the duplicate check (the same số/ký hiệu in the
same year), the outgoing register entry with its number, and per recipient a delivery
row (``queued``) and its outbox row (the mail, DKIM-signed when configured). A refusal
writes nothing but one audit line (``issue.refused``, with the reason code).

Urgent documents go first (R-URGENT): their outbox rows are due a little earlier than
now, ahead of every ordinary mail waiting, since the outbox takes the earliest due first.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gateway.issuing.checks import Examined, OwnAgency, examine, own_agency
from gateway.issuing.compose import (
    KIND,
    IssuedFile,
    IssueMail,
    compose_issue,
    edxml_for,
    issue_message_id,
)
from gateway.issuing.edxml import Organ
from gateway.issuing.errors import IssueRefusedError, RefusalCode
from gateway.issuing.recipients import Recipient, resolve
from gateway.pipeline.analysis import Verifier
from gateway.pipeline.documents.ocr import OcrReader
from gateway.routing.in_force import calendar_for
from gateway.storage.archive import ByteStore
from mailparse.documents.document import Urgency
from mailparse.signatures.verdicts import TrustStore
from registry.agencies.directory import Directory
from registry.database import write_session
from registry.models import AuditEvent, OutboxMessage
from registry.numbering import register_label
from registry.outgoing.models import OutgoingDocument
from registry.outgoing.writer import (
    DeliveryDraft,
    OutgoingDraft,
    add_delivery,
    add_document,
    already_issued,
)
from registry.queries import entry_id_of
from rules.calendar import WorkingCalendar

if TYPE_CHECKING:
    from gateway.wiring import Components

log = logging.getLogger(__name__)

# How far ahead of ordinary mail an urgent document's mails are due (R-URGENT).
URGENT_HEAD_START = {
    Urgency.KHAN: timedelta(hours=1),
    Urgency.THUONG_KHAN: timedelta(hours=2),
    Urgency.HOA_TOC: timedelta(hours=3),
    Urgency.HOA_TOC_HEN_GIO: timedelta(hours=3),
}


@dataclass(frozen=True)
class IssueRequest:
    """What a clerk asks: this signed PDF, to these recipients."""

    pdf: bytes
    filename: str
    recipients: tuple[str, ...]  # directory codes, groups, "all", addresses
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes), byte for byte
    answers: str | None = None  # "YEAR/NUMBER" of the incoming entry answered (R-RESPONSE)
    respond_by: date | None = None  # the answer this document asks for, by then
    actor: str = "cli"  # who issues (console user name; "cli" from a shell)


@dataclass(frozen=True)
class IssueResult:
    """What was registered and queued."""

    document_id: int
    year: int
    outgoing_number: int
    document_number: str
    recipients: tuple[Recipient, ...]
    message_ids: tuple[str, ...]

    @property
    def outgoing(self) -> str:
        return register_label(self.year, self.outgoing_number)


@dataclass(frozen=True)
class Issuer:
    """Everything issuing needs, built once (explicit wiring, :func:`issuer_for`)."""

    engine: Engine
    archive: ByteStore
    directory: Directory
    trust: TrustStore
    verify: Verifier
    templates: jinja2.Environment
    from_address: str
    zone: ZoneInfo
    calendar: WorkingCalendar
    agency: OwnAgency
    confirm_within: float = 4.0
    signer: Callable[[bytes], bytes] | None = None
    max_pages: int = 500
    ocr: OcrReader | None = None

    def check(self, pdf: bytes, now: datetime | None = None) -> Examined:
        """Read and verify ``pdf`` as :func:`issue` would (the console's preview)."""
        return examine(
            pdf,
            agency=self.agency,
            trust=self.trust,
            verify=self.verify,
            now=now or datetime.now(UTC),
            max_pages=self.max_pages,
            ocr=self.ocr,
        )

    def issue(self, request: IssueRequest, now: datetime | None = None) -> IssueResult:
        """Issue ``request``; :class:`IssueRefusedError` (audited) when a check fails."""
        now = now or datetime.now(UTC)
        try:
            recipients = resolve(self.directory, request.recipients, own_codes=self.agency.codes)
            examined = self.check(request.pdf, now)
            return self._register(request, examined, recipients, now)
        except IssueRefusedError as refusal:
            self._audit_refusal(request, refusal, now)
            raise

    def _register(
        self,
        request: IssueRequest,
        examined: Examined,
        recipients: tuple[Recipient, ...],
        now: datetime,
    ) -> IssueResult:
        facts = examined.facts
        year = now.astimezone(self.zone).year
        files = (
            IssuedFile(request.filename, "application/pdf", request.pdf),
            *(IssuedFile(name, _content_type(name), data) for name, data in request.attachments),
        )
        for file in files:  # durable before the register says it was issued
            self.archive.store(file.data)
        with write_session(self.engine) as session:
            if already_issued(session, year, examined.document_number) is not None:
                raise IssueRefusedError(
                    RefusalCode.ISSUED_BEFORE,
                    f"Văn bản số {examined.document_number} đã được phát hành trong năm {year}: "
                    "không phát hành lại cùng số, ký hiệu.",
                )
            entry_id = _answered_entry(session, request.answers)
            document = add_document(
                session,
                OutgoingDraft(
                    year=year,
                    document_number=examined.document_number,
                    number=facts.number,
                    symbol=facts.symbol,
                    issued_on=facts.issued_on,
                    document_type=facts.document_type,
                    summary=facts.summary,
                    urgency=str(facts.urgency or Urgency.THUONG),
                    pages=facts.pages,
                    signer_name=facts.signer_name or examined.signature.signer,
                    issuer_name=facts.issuer,
                    filename=request.filename,
                    document_sha256=hashlib.sha256(request.pdf).hexdigest(),
                    issued_at=now,
                    issued_by=request.actor,
                    attachments=tuple(
                        {
                            "filename": f.filename,
                            "content_type": f.content_type,
                            "size": len(f.data),
                            "sha256": hashlib.sha256(f.data).hexdigest(),
                        }
                        for f in files[1:]
                    ),
                    answers_entry_id=entry_id,
                    answers=request.answers if entry_id is not None else None,
                    respond_by=request.respond_by,
                ),
                recipients_text=[f"{r.code or ''} {r.name} {r.address}" for r in recipients],
            )
            message_ids = self._queue(
                session,
                document=document,
                examined=examined,
                recipients=recipients,
                files=files,
                now=now,
            )
            session.add(
                AuditEvent(
                    at=now,
                    actor=request.actor,
                    action="issue.registered",
                    entry_id=entry_id,
                    details={
                        "outgoing": register_label(document.year, document.outgoing_number),
                        "document_number": document.document_number,
                        "recipients": [r.address for r in recipients],
                        "answers": document.answers,
                    },
                )
            )
        log.info(
            "issue %s/%s (%s): %d recipient(s) queued",
            document.year,
            document.outgoing_number,
            document.document_number,
            len(recipients),
        )
        return IssueResult(
            document_id=document.id or 0,
            year=document.year,
            outgoing_number=document.outgoing_number,
            document_number=document.document_number,
            recipients=recipients,
            message_ids=tuple(message_ids),
        )

    def _queue(
        self,
        session: Session,
        *,
        document: OutgoingDocument,
        examined: Examined,
        recipients: tuple[Recipient, ...],
        files: tuple[IssuedFile, ...],
        now: datetime,
    ) -> list[str]:
        local = now.astimezone(self.zone)
        confirm_by = self.calendar.add_working_hours(now, self.confirm_within)
        due = now - URGENT_HEAD_START.get(Urgency(document.urgency), timedelta())
        sender = self._organ()
        message_ids = []
        for position, recipient in enumerate(recipients, start=1):
            message_id = issue_message_id(document.id or 0, position, self.from_address)
            raw = compose_issue(
                IssueMail(
                    from_address=self.from_address,
                    to_address=recipient.address,
                    addressee=recipient.name,
                    agency_name=sender.name,
                    message_id=message_id,
                    composed_at=local,
                    document_type=document.document_type,
                    document_number=document.document_number,
                    issued_on=document.issued_on,
                    summary=document.summary,
                    urgency=document.urgency,
                    outgoing=register_label(document.year, document.outgoing_number),
                    answers=document.answers,
                    respond_by=document.respond_by,
                    document=files[0],
                    attachments=files[1:],
                    edxml=edxml_for(
                        document=document,
                        facts=examined.facts,
                        sender=sender,
                        recipient=Organ(recipient.code or "", recipient.name),
                        files=files,
                        message_id=message_id,
                        sent_at=local,
                    ),
                ),
                self.templates,
            )
            session.add(
                OutboxMessage(
                    kind=KIND,
                    message_id=message_id,
                    sender=self.from_address,
                    recipient=recipient.address,
                    raw=raw if self.signer is None else self.signer(raw),
                    created_at=now,
                    next_attempt_at=due,
                )
            )
            add_delivery(
                session,
                document,
                DeliveryDraft(
                    position=position,
                    code=recipient.code,
                    name=recipient.name,
                    address=recipient.address,
                    message_id=message_id,
                    confirm_by=confirm_by,
                ),
            )
            message_ids.append(message_id)
        return message_ids

    def _organ(self) -> Organ:
        agency = self.agency.agency
        if agency is not None:
            return Organ(agency.code, agency.name)
        return Organ("", self.agency.names[0] if self.agency.names else "")

    def _audit_refusal(
        self, request: IssueRequest, refusal: IssueRefusedError, now: datetime
    ) -> None:
        log.warning("issue refused (%s): %s", refusal.code, request.filename)
        with write_session(self.engine) as session:
            session.add(
                AuditEvent(
                    at=now,
                    actor=request.actor,
                    action="issue.refused",
                    details={
                        "code": str(refusal.code),
                        "filename": request.filename,
                        "sha256": hashlib.sha256(request.pdf).hexdigest(),
                    },
                )
            )


def _answered_entry(session: Session, answers: str | None) -> int | None:
    """The register entry ``YEAR/NUMBER`` this document answers (R-RESPONSE)."""
    if not answers:
        return None
    year, sep, number = answers.partition("/")
    entry_id = None
    if sep and year.isdigit() and number.isdigit():
        entry_id = entry_id_of(session, int(year), int(number))
    if entry_id is None:
        raise IssueRefusedError(
            RefusalCode.UNKNOWN_ENTRY,
            f"Không có văn bản đến số {answers} trong sổ đăng ký văn bản đến.",
        )
    return int(entry_id)


def _content_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def issuer_for(components: Components) -> Issuer:
    """The issuer of a running deployment (``gateway issue``, the console)."""
    pipeline = components.pipeline
    settings = components.deployment.settings
    return Issuer(
        engine=components.engine,
        archive=pipeline.archive,
        directory=pipeline.directory,
        trust=pipeline.trust,
        verify=pipeline.verify,
        templates=pipeline.templates,
        from_address=pipeline.from_address,
        zone=pipeline.zone,
        calendar=components.router.calendar
        if components.router is not None
        else calendar_for(components.deployment),
        agency=own_agency(pipeline.directory, settings.outgoing.agency),
        confirm_within=settings.outgoing.confirm_within,
        signer=pipeline.signer,
        max_pages=pipeline.limits.max_pages,
        ocr=pipeline.ocr,
    )
