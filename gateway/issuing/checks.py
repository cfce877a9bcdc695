"""Checks before a document is issued (DESIGN §4.7, R-ISSUE, R-SECRET, R-FORGE).

The PDF is read exactly as an incoming document is (:mod:`gateway.pipeline.analysis`:
signatures first with the configured verifier and trust store, then the text layer or
OCR through :func:`gateway.pipeline.documents.reading.read_document`), as if it arrived now. It is
issued only when

1. it is a readable PDF;
2. it carries no secrecy mark (R-SECRET: secret documents never travel through the system);
3. at least one signature is ``valid`` and belongs to our own agency (``[outgoing]
   agency``: directory codes, whose ``signer_organizations`` and name count, or names),
   compared like the sender check of incoming mail (organisation O or certificate CN,
   NFC, casefolded), and no signature is broken (invalid, modified, revoked);
4. its số/ký hiệu can be read (the register and the recipients need it).

The duplicate check (the same số/ký hiệu twice in a year) needs the database and is made
in the issuing transaction (:mod:`gateway.issuing.issue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gateway.issuing.errors import IssueRefusedError, RefusalCode
from gateway.pipeline.analysis import Verifier
from gateway.pipeline.documents.ocr import OcrReader
from gateway.pipeline.documents.reading import DocumentReading, read_document
from gateway.pipeline.signer_policy import name_key
from mailparse.documents.document import DocumentFacts
from mailparse.errors import UnreadableDocumentError
from mailparse.signatures.verdicts import (
    PdfSignatures,
    SignatureReport,
    SignatureVerdict,
    TrustStore,
)
from registry.agencies.directory import Agency, Directory

_BROKEN = frozenset({SignatureVerdict.INVALID, SignatureVerdict.MODIFIED, SignatureVerdict.REVOKED})


@dataclass(frozen=True)
class OwnAgency:
    """Our agency as the issuing checks see it (``[outgoing] agency``)."""

    names: tuple[str, ...]  # organisation names a signature of ours may carry
    codes: tuple[str, ...]  # its directory codes (not a recipient of "all")
    agency: Agency | None  # the first directory entry named, for the edXML From

    @property
    def configured(self) -> bool:
        return bool(self.names)

    def owns(self, signature: SignatureReport) -> bool:
        keys = {name_key(n) for n in self.names}
        return any(
            value is not None and name_key(value) in keys
            for value in (signature.organization, signature.signer)
        )


def own_agency(directory: Directory, configured: Iterable[str]) -> OwnAgency:
    names: list[str] = []
    codes: list[str] = []
    first: Agency | None = None
    for item in configured:
        agency = directory.by_code(item)
        if agency is None:
            names.append(item)
            continue
        codes.append(agency.code)
        first = first or agency
        names += [agency.name, *agency.signer_organizations]
    return OwnAgency(tuple(dict.fromkeys(names)), tuple(codes), first)


@dataclass(frozen=True)
class Examined:
    """The PDF as read and verified; ``signature`` is our agency's valid one."""

    facts: DocumentFacts
    signatures: PdfSignatures
    signature: SignatureReport
    reading: DocumentReading

    @property
    def document_number(self) -> str:
        return self.facts.document_number or ""


def examine(
    pdf: bytes,
    *,
    agency: OwnAgency,
    trust: TrustStore,
    verify: Verifier,
    now: datetime,
    max_pages: int,
    ocr: OcrReader | None = None,
) -> Examined:
    """Read and verify ``pdf``; :class:`IssueRefusedError` says the first check it fails."""
    if not agency.configured:
        raise IssueRefusedError(
            RefusalCode.NO_AGENCY,
            "Chưa cấu hình cơ quan ban hành ([outgoing] agency): không phát hành được văn bản.",
        )
    try:
        signatures = verify(pdf, trust, now)
        reading = read_document(
            pdf,
            max_pages=max_pages,
            ocr=ocr,
            subject=DocumentFacts(),
            edxml=None,
            signatures=signatures,
            log_id="issue",
        )
    except UnreadableDocumentError as exc:
        raise IssueRefusedError(
            RefusalCode.UNREADABLE, "Tệp không phải văn bản PDF đọc được (hỏng hoặc mã hóa)."
        ) from exc
    facts = reading.facts
    if facts.secrecy is not None:  # R-SECRET, before anything else is said about it
        raise IssueRefusedError(
            RefusalCode.SECRET_MARK,
            "Văn bản có dấu chỉ độ mật: không được gửi qua hệ thống (văn bản mật gửi bằng "
            "đường bưu chính hoặc trực tiếp theo quy định).",
        )
    signature = _our_signature(signatures, agency)
    if not facts.document_number or not facts.number:
        raise IssueRefusedError(
            RefusalCode.NO_NUMBER,
            "Không đọc được số, ký hiệu của văn bản: hãy kiểm tra văn bản đã được cấp số chưa.",
        )
    return Examined(facts, signatures, signature, reading)


def _our_signature(signatures: PdfSignatures, agency: OwnAgency) -> SignatureReport:
    if not signatures.signed:
        raise IssueRefusedError(
            RefusalCode.UNSIGNED,
            "Văn bản chưa được ký số: chỉ phát hành văn bản đã ký số của cơ quan.",
        )
    if any(s.verdict in _BROKEN for s in signatures.signatures):
        raise IssueRefusedError(
            RefusalCode.NOT_OURS,
            "Chữ ký số trên văn bản không hợp lệ (văn bản bị sửa đổi sau khi ký hoặc chứng "
            "thư số bị thu hồi): không phát hành.",
        )
    ours = [
        s for s in signatures.signatures if s.verdict is SignatureVerdict.VALID and agency.owns(s)
    ]
    if not ours:
        raise IssueRefusedError(
            RefusalCode.NOT_OURS,
            "Văn bản không có chữ ký số hợp lệ của cơ quan ban hành "
            f"({', '.join(agency.names[:2])}): không phát hành.",
        )
    return ours[-1]
