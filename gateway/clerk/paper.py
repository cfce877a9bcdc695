"""Registering a paper document by hand (NĐ 30/2020 Điều 22.2: paper and electronic
documents share one sequence of incoming numbers per year).

The clerk types the register fields (nơi gửi, người ký and độ mật included) and may
attach the scan; the console shows what will be entered and takes a number only when the
clerk confirms (the scan waits in the archive in between, see :func:`stage_scan`).

A secret document (độ mật Mật, Tối mật, Tuyệt mật) is refused with guidance: NĐ 30/2020
keeps secret documents in a register of their own, and the system must never carry them
(R-SECRET; docs/decisions/secret-paper-documents.md). The scan is kept in the
archive inside a small MIME message (the same form as a mailed document, so the document
page serves it byte for byte like any attachment). One transaction writes an ``inbound``
record (protocol ``paper``, nothing to answer), the entry under the next number of the year
(the register is locked as the pipeline locks it), and the audit event with the clerk.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from gateway.clerk.actions import ActionError
from gateway.errors import ScannerUnavailableError
from gateway.scan.stage import ScanReport
from gateway.wiring import Components
from mailparse.documents.document import Secrecy
from registry.database import write_session
from registry.drafts import AttachmentDraft, EntryDraft, InboundDraft, RegisteredNumber
from registry.links import document_key, find_registered, lock_register
from registry.models import Outcome
from registry.recorder import Recorder
from registry.search import searchable_text
from rules.acceptance_words import paper_registered
from rules.decision import TraceStep
from templates import URGENCY_LABELS

PROTOCOL = "paper"
MAX_SCAN_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Scan:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class PaperDocument:
    """The register fields of a paper document, as the clerk reads them off the paper."""

    document_number: str
    issued_on: date | None
    issuer_name: str
    document_type: str
    summary: str
    urgency: str = "thuong"
    pages: int | None = None
    scan: Scan | None = None
    sender_name: str = ""  # nơi gửi, when it is not the issuing body itself
    signer_name: str = ""  # người ký
    secrecy: str = ""  # độ mật: "" (none) or a mailparse Secrecy value, refused by check()


SECRECY_CHOICES = ("", *(str(s) for s in Secrecy))
SECRECY_GUIDANCE = (
    "Văn bản mật (Mật, Tối mật, Tuyệt mật) không được vào sổ chung trên hệ thống này: hãy "
    "đăng ký vào sổ đăng ký văn bản mật đến (sổ riêng, theo Nghị định 30/2020/NĐ-CP và pháp "
    "luật về bảo vệ bí mật nhà nước) và chuyển bản giấy theo quy trình văn bản mật. Không "
    "quét, không đính kèm văn bản mật lên hệ thống."
)


def check(paper: PaperDocument) -> None:
    """ActionError (Vietnamese, for the form) when ``paper`` cannot be entered as typed."""
    if paper.secrecy:
        raise ActionError(SECRECY_GUIDANCE)  # R-SECRET, before anything is kept
    if not paper.summary.strip():
        raise ActionError("Trích yếu không được để trống.")
    if paper.urgency not in URGENCY_LABELS:
        raise ActionError("Độ khẩn không hợp lệ.")


def stage_scan(components: Components, scan: Scan) -> str:
    """Scan for viruses, then keep the scan in the archive until the clerk confirms; its
    sha256. The archive is the storage every instance reads (DESIGN §3), so the
    confirmation may reach another instance."""
    _scanned(components, scan)
    return components.pipeline.archive.store(scan.data)


def register_paper(components: Components, paper: PaperDocument, actor: str) -> RegisteredNumber:
    """Give ``paper`` the next incoming number of the year; ActionError when the same
    document (issuer, number, date) is already in the register."""
    check(paper)
    scan_record = _scanned(components, paper.scan)  # R-VIRUS before anything is kept
    now = datetime.now(UTC)
    year = now.astimezone(components.deployment.zone).year
    raw = _kept_message(paper, now)
    sha256 = components.pipeline.archive.store(raw)
    scan_sha = hashlib.sha256(paper.scan.data).hexdigest() if paper.scan else sha256
    key = document_key(paper.document_number, paper.issuer_name, paper.issued_on)
    with write_session(components.engine) as session:
        lock_register(session, year)
        if key is not None:
            earlier = find_registered(session, key)
            if earlier is not None:
                raise ActionError(
                    f"Văn bản này đã vào sổ, số đến {earlier.incoming_number}/{earlier.year}."
                )
        recorder = Recorder(session, now=now)
        why = paper_registered(actor)
        inbound = recorder.add_inbound(
            InboundDraft(
                spool_id=f"{PROTOCOL}-{secrets.token_hex(8)}",
                message_id=None,
                sha256=sha256,
                fingerprint=sha256,
                received_at=now,
                protocol=PROTOCOL,
                envelope_from="",
                sender_address=None,
                sender_agency_code=None,
                subject=paper.summary[:500],
                outcome=Outcome.ACCEPTED,
                reasons=(),
                trace=(TraceStep("clerk", True, why).as_row(),),
                answered=False,
                note=why,
                scan=scan_record,
            )
        )
        attachments = (
            (
                AttachmentDraft(
                    paper.scan.filename,
                    paper.scan.content_type,
                    len(paper.scan.data),
                    scan_sha,
                    "document",
                ),
            )
            if paper.scan
            else ()
        )
        number = recorder.add_entry(
            inbound,
            EntryDraft(
                received_at=now,
                year=year,
                sender_address=None,
                sender_agency_code=None,
                sender_agency_name=paper.sender_name or None,
                document_number=paper.document_number or None,
                issued_on=paper.issued_on,
                document_type=paper.document_type or None,
                summary=paper.summary,
                issuer_code=None,
                issuer_name=paper.issuer_name or None,
                signer_name=paper.signer_name or None,
                urgency=paper.urgency,
                reference_only=False,
                paper_required=False,
                needs_review=False,
                pages=paper.pages,
                message_id=None,
                sha256=sha256,
                filename=paper.scan.filename if paper.scan else "",
                document_sha256=scan_sha,
                search_text=searchable_text(
                    paper.document_number,
                    paper.document_type,
                    paper.summary,
                    paper.issuer_name,
                    paper.sender_name or None,
                    paper.signer_name or None,
                    paper.scan.filename if paper.scan else None,
                ),
                attachments=attachments,
                document_key=key,
                text_source="none",
            ),
        )
        recorder.audit("entry.paper", inbound=inbound, actor=actor, number=str(number))
    return number


def _scanned(components: Components, scan: Scan | None) -> dict[str, Any]:
    """The scan through clamd when scanning is on: an infected file is refused, a scanner
    that is down refuses for now (the clerk tries again); the record for ``inbound.scan``."""
    scanner = components.pipeline.scanner
    if scan is None:
        return {}  # nothing was handed over but paper
    if scanner is None:
        return ScanReport(None).as_json()  # scanning is off (said loudly at start-up)
    try:
        verdict = scanner.scan(scan.data)
    except ScannerUnavailableError as exc:
        raise ActionError("Chưa kiểm tra được virus cho tệp quét; vui lòng thử lại sau.") from exc
    if verdict.signature is not None:
        raise ActionError(f"Tệp quét có mã độc ({verdict.signature}); không vào sổ.")
    return ScanReport(scanner.name, scanned=1).as_json()


def _kept_message(paper: PaperDocument, now: datetime) -> bytes:
    """What the archive keeps: the fields as text and the scan, byte for byte, attached."""
    message = EmailMessage()
    message["Subject"] = f"Văn bản giấy: {paper.document_number}"
    message["Date"] = format_datetime(now)
    message["X-Gateway-Source"] = PROTOCOL
    message.set_content(
        "\n".join(
            (
                f"Số, ký hiệu: {paper.document_number}",
                f"Ngày văn bản: {paper.issued_on.strftime('%d/%m/%Y') if paper.issued_on else ''}",
                f"Cơ quan ban hành: {paper.issuer_name}",
                f"Nơi gửi: {paper.sender_name}",
                f"Người ký: {paper.signer_name}",
                f"Loại văn bản: {paper.document_type}",
                f"Trích yếu: {paper.summary}",
            )
        )
    )
    if paper.scan is not None:
        maintype, _, subtype = paper.scan.content_type.partition("/")
        message.add_attachment(
            paper.scan.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=paper.scan.filename,
        )
    return message.as_bytes()
