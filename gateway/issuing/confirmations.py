"""Answers to the documents we issued: the first stage of the pipeline (DESIGN §4.7).

:func:`take_confirmation` has the shape of :func:`gateway.tracking.replies.take_reply` and
runs before it: a message that answers one of our issue mails — matched by
``In-Reply-To``/``References`` to its Message-ID ``<issue.ID.N@domain>``, by the returned
Message-ID of a bounce, or, for an edXML status package without threading, by the số/ký
hiệu it answers and the recipient that sends it — is recorded against that recipient
(:mod:`gateway.issuing.answers` says what it means) and never registered as an incoming
document, never answered (RFC 3834: the receipts we receive are automatic mail).

Only the recipient may answer for itself: From must be the delivery's address or an
address of the same directory agency (R-FORGE); anything else is recorded as refused and
changes nothing. A person's mail in the thread that carries a PDF is no confirmation but
a document (their answer to ours, R-RESPONSE): it goes through the pipeline and is
registered. A bounce comes from the mail system and is taken as it comes, like the bounces
of our answers (:mod:`gateway.senderauth.screening`). The inbound record, the state
change and its history commit in ONE transaction, idempotent on the spool id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.issuing.answers import (
    Said,
    edxml_status,
    from_edxml,
    from_headers,
    from_person,
    from_report,
)
from gateway.pipeline.context import IncomingMail, PipelineContext, StageOutcome
from gateway.scan.stage import Scanner
from gateway.spool.envelope import Envelope
from mailparse.dsn import DeliveryReport, header_values, parse_report
from mailparse.edxml.status import EdxmlStatus
from mailparse.errors import MailparseError
from mailparse.message import ParsedMessage
from registry.agencies.directory import Directory
from registry.database import read_session, write_session
from registry.drafts import InboundDraft
from registry.mail.imap_ledger import MoveRole, mark_committed
from registry.models import AuditEvent, Outcome
from registry.outgoing.models import OutgoingDelivery, OutgoingDocument
from registry.outgoing.queries import deliveries_of_number
from registry.outgoing.writer import (
    Answer,
    delivery_for,
    document_key,
    note_event,
    record_answer,
)
from registry.recorder import Recorder

log = logging.getLogger(__name__)

ISSUE_ID_MARK = "<issue."


@dataclass(frozen=True)
class _Matched:
    delivery_id: int
    said: Said
    trusted: bool  # from the recipient (or the mail system, for a bounce)


def take_confirmation(pipeline: PipelineContext, mail: IncomingMail) -> StageOutcome | None:
    """Record ``mail`` when it answers one of our issued documents; None when it does not."""
    spool_id, raw, envelope = mail.spool_id, mail.raw, mail.envelope
    if not _may_answer(raw):
        return None  # most mail: decided from the header section and a byte search
    report = parse_report(raw)
    try:
        parsed: ParsedMessage | None = mail.parsed()
    except MailparseError:
        parsed = None
    with read_session(pipeline.engine) as session:
        matched = _match(session, pipeline.directory, raw, parsed, report)
    if matched is None or _infected(pipeline.scanner, raw, parsed):
        return None  # malware: the ordinary pipeline rejects it, alerts, keeps it restricted
    sha256 = pipeline.archive.store(raw)
    with write_session(pipeline.engine) as session:
        recorder = Recorder(session, now=datetime.now(UTC), sign=pipeline.signer)
        earlier = recorder.find_inbound(spool_id)
        if earlier is not None:  # another worker won the race
            return StageOutcome(earlier.outcome, earlier.note)
        note = _apply(session, matched, parsed, spool_id)
        recorder.add_inbound(_inbound(spool_id, sha256, envelope, parsed, note))
        if envelope.protocol == "imap":  # the mailbox copy may move once this commits
            mark_committed(session, spool_id, MoveRole.PROCESSED)
    log.info("%s: %s", spool_id, note)
    return StageOutcome(Outcome.ACCEPTED, note)


def _infected(scanner: Scanner | None, raw: bytes, parsed: ParsedMessage | None) -> bool:
    """R-VIRUS for answers too (a scanner that is down raises, and the item waits)."""
    if scanner is None:
        return False
    parts = [raw, *(a.data for a in parsed.attachments)] if parsed else [raw]
    return any(scanner.scan(data).signature is not None for data in parts)


def _may_answer(raw: bytes) -> bool:
    """A cheap look: threaded to an issue mail, a report, or an edXML file attached."""
    found = header_values(raw, "In-Reply-To", "References", "Content-Type")
    thread = f"{found.get('in-reply-to', '')} {found.get('references', '')}".lower()
    if ISSUE_ID_MARK in thread:
        return True
    if "multipart/report" in found.get("content-type", "").lower():
        return True
    return b".edxml" in raw or b".xml" in raw


def _match(
    session: Session,
    directory: Directory,
    raw: bytes,
    parsed: ParsedMessage | None,
    report: DeliveryReport | None,
) -> _Matched | None:
    if report is not None:
        return _match_report(session, report)
    if parsed is None:
        return None
    status = edxml_status(parsed)
    thread = [parsed.in_reply_to or "", *parsed.references]
    delivery = delivery_for(session, [t for t in thread if ISSUE_ID_MARK in t.lower()])
    if delivery is None and status is not None:
        delivery = _by_document(session, directory, parsed, status)
    if delivery is None or delivery.id is None:
        return None
    said = from_headers(raw) or (from_edxml(status) if status is not None else None)
    if said is None and any(a.is_pdf for a in parsed.attachments):
        return None  # a document written in reply (their answer to ours): registered
    said = said or from_person(parsed)
    return _Matched(delivery.id, said, _from_recipient(directory, delivery, parsed))


def _match_report(session: Session, report: DeliveryReport) -> _Matched | None:
    """A bounce of one of our issue mails; None for a bounce of anything else (the
    pipeline's screening records those)."""
    if report.original_message_id is None:
        return None
    delivery = delivery_for(session, [report.original_message_id])
    if delivery is None or delivery.id is None:
        return None
    return _Matched(delivery.id, from_report(report), trusted=True)


def _by_document(
    session: Session, directory: Directory, parsed: ParsedMessage, status: EdxmlStatus
) -> OutgoingDelivery | None:
    """The delivery an unthreaded edXML status is about: our document with that số/ký hiệu
    (the latest issued), sent to the agency that answers."""
    if not status.document_number:
        return None
    sender = parsed.sender.address.lower() if parsed.sender else ""
    agency = directory.identify(sender)
    codes = {c for c in (status.organ_id, agency.code if agency else None) if c}
    for delivery in deliveries_of_number(session, document_key(status.document_number)):
        if delivery.address.lower() == sender or (delivery.code and delivery.code in codes):
            return delivery
    return None


def _from_recipient(
    directory: Directory, delivery: OutgoingDelivery, parsed: ParsedMessage
) -> bool:
    sender = parsed.sender.address.lower() if parsed.sender else ""
    if sender and sender == delivery.address.lower():
        return True
    agency = directory.identify(sender)
    return bool(agency is not None and delivery.code and agency.code == delivery.code)


def _apply(session: Session, matched: _Matched, parsed: ParsedMessage | None, spool_id: str) -> str:
    delivery = session.get_one(OutgoingDelivery, matched.delivery_id, with_for_update=True)
    document = session.get_one(OutgoingDocument, delivery.document_id)
    said = matched.said
    prefix = (
        f"answer ({said.source}) to issued document {document.year}/"
        f"{document.outgoing_number} from {delivery.code or delivery.address}"
    )
    message_id = parsed.message_id if parsed else None
    if not matched.trusted:
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                action="issue.answer-refused",
                details={
                    "delivery": delivery.id,
                    "from": parsed.sender.address if parsed and parsed.sender else "",
                    "spool_id": spool_id,
                },
            )
        )
        return f"{prefix} refused: not from the recipient; nothing changed"
    at = datetime.now(UTC)
    if said.status is None:  # kept in the history, the state stays
        note_event(
            session,
            matched.delivery_id,
            said.source,
            at,
            note=said.note,
            inbound_message_id=message_id,
        )
        return f"{prefix}: recorded ({said.note}); not registered, not answered"
    answer = Answer(
        status=said.status,
        source=said.source,
        at=at,
        status_code=said.status_code,
        their_number=said.their_number,
        reasons=said.reasons,
        note=said.note,
        inbound_message_id=message_id,
    )
    if not record_answer(session, matched.delivery_id, answer):
        return f"{prefix}: said before ({delivery.status}); not registered, not answered"
    number = f", their number {delivery.their_number}" if delivery.their_number else ""
    return f"{prefix}: {delivery.status}{number}; not registered, not answered"


def _inbound(
    spool_id: str, sha256: str, envelope: Envelope, parsed: ParsedMessage | None, note: str
) -> InboundDraft:
    return InboundDraft(
        spool_id=spool_id,
        message_id=parsed.message_id if parsed else None,
        sha256=sha256,
        fingerprint=sha256,
        received_at=envelope.received_at,
        protocol=envelope.protocol,
        envelope_from=envelope.mail_from,
        sender_address=parsed.sender.address if parsed and parsed.sender else None,
        sender_agency_code=None,
        subject=parsed.subject if parsed else "",
        outcome=Outcome.ACCEPTED,
        reasons=(),
        trace=(),
        answered=False,
        note=note,
    )
