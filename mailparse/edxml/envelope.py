"""edXML (QCVN 102:2016) envelopes: the document's metadata as sent by the sending system.

The element names follow the QCVN 102:2016 package as real implementations write it, e.g.
the VPCP gateway parser (vpcp ``EdxmlParser``: namespace
``http://www.mic.gov.vn/TBT/QCVN_102_2016``; ``edXMLEnvelope/edXMLHeader/MessageHeader``
with ``From``/``To`` ``OrganId``, ``Code/CodeNumber``, ``Code/CodeNotation``,
``PromulgationInfo/Place``, ``PromulgationInfo/PromulgationDate``, ``DocumentType``,
``Subject``) and the eDoc entities (``SignerInfo/Competence|Position|FullName``,
``OtherInfo/Priority|PageAmount``, ``DueDate``, ``TraceHeaderList/Bussiness/
BussinessDocType`` 0 new, 1 recall, 2 update, 3 replace, with ``DocumentId`` and
``ReplacementInfoList/ReplacementInfo/DocumentId``). Elements are matched by local name,
so a file with or without the ``edXML:`` prefix reads the same.

Parsing uses defusedxml: a DTD, entity declarations (billion laughs) or external references
make an :class:`EdxmlFailure` value; nothing raises out of :func:`read_edxml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mailparse.documents.document import DocumentFacts, Urgency
from mailparse.documents.text import nfc, squash
from mailparse.edxml.nodes import first, local_name

MAX_EDXML_BYTES = 20 * 1024 * 1024
_VV = re.compile(r"^[Vv]/[Vv]\s*:?\s*")  # "V/v …": the register keeps the trích yếu without it
PRIORITY_URGENCY = (
    Urgency.THUONG,
    Urgency.KHAN,
    Urgency.THUONG_KHAN,
    Urgency.HOA_TOC,
    Urgency.HOA_TOC_HEN_GIO,
)


class BusinessType(StrEnum):
    """TraceHeaderList/Bussiness/BussinessDocType: what this sending does."""

    NEW = "new"  # 0: văn bản mới
    RECALL = "recall"  # 1: thu hồi
    UPDATE = "update"  # 2: cập nhật
    REPLACE = "replace"  # 3: thay thế


@dataclass(frozen=True)
class Organ:
    organ_id: str | None
    name: str | None


@dataclass(frozen=True)
class DocumentRef:
    """An edXML DocumentId, ``"<OrganId>,<date>,<number/notation>"`` where it has that shape."""

    document_id: str
    organ_id: str | None = None
    document_number: str | None = None


@dataclass(frozen=True)
class EdxmlDocument:
    sender: Organ
    recipients: tuple[Organ, ...]
    document_id: str | None
    code_number: str | None
    code_notation: str | None
    place: str | None
    promulgated_on: date | None
    document_type: str | None
    subject: str | None
    signer_name: str | None
    signer_position: str | None
    signer_competence: str | None
    due_on: date | None
    priority: int | None  # 0–4
    page_amount: int | None
    business: BusinessType
    business_reason: str | None
    references: tuple[DocumentRef, ...]  # the earlier document recalled/updated/replaced

    @property
    def document_number(self) -> str | None:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def urgency(self) -> Urgency | None:
        if self.priority is None or not 0 <= self.priority < len(PRIORITY_URGENCY):
            return None
        return PRIORITY_URGENCY[self.priority]

    def facts(self) -> DocumentFacts:
        """What the envelope states, as document facts (for cross-checking and gaps)."""
        return DocumentFacts(
            number=self.code_number,
            symbol=self.code_notation,
            issued_on=self.promulgated_on,
            place=self.place,
            document_type=self.document_type,
            summary=_VV.sub("", self.subject) if self.subject else None,
            issuer=self.sender.name,
            signer_name=self.signer_name,
            signer_position=self.signer_position,
            urgency=self.urgency,
            pages=self.page_amount,
        )


@dataclass(frozen=True)
class EdxmlFailure:
    """The file is not a readable edXML envelope; ``reason`` says why (no content quoted)."""

    reason: str


def looks_like_edxml(filename: str, content_type: str, data: bytes) -> bool:
    """An attachment that is meant to be an edXML envelope."""
    head = data[:2048].lower()
    return filename.lower().endswith((".edxml", ".xml")) and (
        b"edxml" in head or b"qcvn_102" in head or content_type.endswith("edxml")
    )


def read_edxml(data: bytes, *, max_bytes: int = MAX_EDXML_BYTES) -> EdxmlDocument | EdxmlFailure:
    """The envelope in ``data``, or why it cannot be read. Never raises."""
    if len(data) > max_bytes:
        return EdxmlFailure("edXML file too large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return EdxmlFailure("edXML with a DTD, entities or external references refused")
    except (ParseError, ValueError, UnicodeError):
        return EdxmlFailure("edXML is not well-formed XML")
    header = first(root, "MessageHeader")
    if header is None:
        return EdxmlFailure("edXML without MessageHeader")
    try:
        return _document(root, header)
    except ValueError as exc:
        return EdxmlFailure(f"edXML field not valid: {exc}")


def _document(root: Element, header: Element) -> EdxmlDocument:
    business = first(root, "Bussiness")
    business = business if business is not None else first(root, "Business")
    doc_type = first(header, "DocumentType")
    type_name = _text(doc_type, "TypeName") if doc_type is not None else None
    if doc_type is not None and type_name is None and len(doc_type) == 0:
        type_name = _clean(doc_type.text)
    refs: list[DocumentRef] = []
    if business is not None:
        ids = [_text(business, "DocumentId")]
        replaced = (e for e in business.iter() if local_name(e.tag) == "ReplacementInfo")
        ids += [_text(e, "DocumentId") for e in replaced]
        refs = [_ref(i) for i in ids if i]
    kind = _int(_text(business, "BussinessDocType"))
    return EdxmlDocument(
        sender=_organ(first(header, "From")),
        recipients=tuple(_organ(e) for e in header if local_name(e.tag) == "To"),
        document_id=_text(header, "DocumentId"),
        code_number=_text(header, "Code", "CodeNumber"),
        code_notation=_text(header, "Code", "CodeNotation"),
        place=_text(header, "PromulgationInfo", "Place"),
        promulgated_on=_date(_text(header, "PromulgationInfo", "PromulgationDate")),
        document_type=type_name,
        subject=_text(header, "Subject"),
        signer_name=_text(header, "SignerInfo", "FullName"),
        signer_position=_text(header, "SignerInfo", "Position"),
        signer_competence=_text(header, "SignerInfo", "Competence"),
        due_on=_date(_text(header, "DueDate")),
        priority=_int(_text(header, "OtherInfo", "Priority")),
        page_amount=_int(_text(header, "OtherInfo", "PageAmount")),
        business=_BUSINESS.get(kind, BusinessType.NEW) if kind is not None else BusinessType.NEW,
        business_reason=_text(business, "BussinessDocReason"),
        references=tuple(refs),
    )


_BUSINESS = dict(enumerate(BusinessType))


def _text(parent: Element | None, *path: str) -> str | None:
    node = parent
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if local_name(c.tag) == name), None)
    return _clean(node.text) if node is not None else None


def _clean(text: str | None) -> str | None:
    return squash(nfc(text)) or None if text else None


def _organ(e: Element | None) -> Organ:
    return Organ(_text(e, "OrganId"), _text(e, "OrganName"))


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise ValueError("integer expected")
    return int(text)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    head = text.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise ValueError("date expected")


def _ref(document_id: str) -> DocumentRef:
    parts = [p.strip() for p in document_id.split(",")]
    if len(parts) >= 3 and "/" in parts[-1]:
        return DocumentRef(document_id, parts[0] or None, parts[-1])
    return DocumentRef(document_id)
