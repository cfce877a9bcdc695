"""The edXML envelope (QCVN 102:2016) that travels with every issued document.

The shape other systems write (FIELD-NOTES, "edXML as other systems write it"): the
``edXML:`` prefix bound to ``http://www.mic.gov.vn/TBT/QCVN_102_2016``;
``edXMLHeader/MessageHeader`` with ``From``/``To`` (``OrganId``, ``OrganName``),
``DocumentId`` (``OrganId,yyyy/mm/dd,CodeNumber/CodeNotation``), ``Code``,
``PromulgationInfo``, ``DocumentType/TypeName``, ``Subject``, ``SignerInfo``, ``DueDate``,
``OtherInfo`` (``Priority`` 0–4, ``PageAmount``); ``TraceHeaderList`` with a
``TraceHeader`` and ``Bussiness/BussinessDocType`` 0 (a new document, spelled as the
standard's implementations spell it); ``edXMLBody/edXMLManifest/Reference`` naming each
file by ``cid:``, and the files themselves in ``AttachmentEncoded/Attachment`` (base64 in
``ContentTransferEncoded``), so that a receiving e-office system that imports the package
alone has the documents. The files also travel as MIME parts of the same mail with those
Content-IDs, byte for byte (a receiving gateway reads them there; the copies inside the
package are the same bytes, :mod:`mailparse.edxml.files`).
:mod:`mailparse.edxml.envelope` reads it back.
"""

from __future__ import annotations

import base64
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from mailparse.edxml.envelope import PRIORITY_URGENCY

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
CONTENT_TYPE = "application/edxml+xml"  # the reader also looks at the .edxml name
FILENAME = "edxml.edxml"


@dataclass(frozen=True)
class Organ:
    organ_id: str
    name: str


@dataclass(frozen=True)
class FileRef:
    content_id: str  # without angle brackets
    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class EdxmlEnvelope:
    """What the envelope says about one issued document."""

    sender: Organ
    recipients: tuple[Organ, ...]
    number: str
    symbol: str | None
    place: str | None
    issued_on: date | None
    document_type: str | None
    subject: str | None
    signer_name: str | None
    signer_position: str | None
    signer_competence: str | None
    due_on: date | None
    urgency: str | None
    pages: int | None
    files: tuple[FileRef, ...]
    sent_at: datetime  # aware, local time of the agency

    @property
    def document_number(self) -> str:
        return f"{self.number}/{self.symbol}" if self.symbol else self.number

    @property
    def document_id(self) -> str:
        day = self.issued_on.strftime("%Y/%m/%d") if self.issued_on else ""
        return f"{self.sender.organ_id},{day},{self.document_number}"


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: Element, name: str, text: str | None = None) -> Element:
    node = SubElement(parent, _tag(name))
    if text is not None:
        node.text = text
    return node


def _organ(parent: Element, name: str, organ: Organ) -> None:
    node = _add(parent, name)
    _add(node, "OrganId", organ.organ_id)
    _add(node, "OrganName", organ.name)


def write_edxml(envelope: EdxmlEnvelope) -> bytes:
    """The envelope as UTF-8 XML bytes (deterministic for the same value)."""
    register_namespace("edXML", NAMESPACE)
    root = Element(_tag("edXMLEnvelope"))
    header = _add(root, "edXMLHeader")
    message = _add(header, "MessageHeader")
    _organ(message, "From", envelope.sender)
    for organ in envelope.recipients:
        _organ(message, "To", organ)
    _add(message, "DocumentId", envelope.document_id)
    code = _add(message, "Code")
    _add(code, "CodeNumber", envelope.number)
    _add(code, "CodeNotation", envelope.symbol or "")
    info = _add(message, "PromulgationInfo")
    _add(info, "Place", envelope.place or "")
    if envelope.issued_on:
        _add(info, "PromulgationDate", envelope.issued_on.strftime("%d/%m/%Y"))
    kind = _add(message, "DocumentType")
    _add(kind, "TypeName", envelope.document_type or "")
    _add(message, "Subject", envelope.subject or "")
    signer = _add(message, "SignerInfo")
    _add(signer, "Competence", envelope.signer_competence or "")
    _add(signer, "Position", envelope.signer_position or "")
    _add(signer, "FullName", envelope.signer_name or "")
    if envelope.due_on:
        _add(message, "DueDate", envelope.due_on.isoformat())
    other = _add(message, "OtherInfo")
    _add(other, "Priority", str(_priority(envelope.urgency)))
    if envelope.pages:
        _add(other, "PageAmount", str(envelope.pages))
    trace = _add(header, "TraceHeaderList")
    hop = _add(trace, "TraceHeader")
    _add(hop, "OrganId", envelope.sender.organ_id)
    _add(hop, "Timestamp", envelope.sent_at.strftime("%Y/%m/%d %H:%M:%S"))
    business = _add(trace, "Bussiness")
    _add(business, "BussinessDocType", "0")
    _add(business, "Paper", "0")  # R-ISSUE: electronically, without paper (CV54 §2)
    manifest = _add(_add(root, "edXMLBody"), "edXMLManifest")
    for file in envelope.files:
        ref = _add(manifest, "Reference")
        ref.set("href", f"cid:{file.content_id}")
        _add(ref, "AttachmentName", file.name)
        _add(ref, "ContentType", file.content_type)
    encoded = _add(root, "AttachmentEncoded")
    for file in envelope.files:
        attachment = _add(encoded, "Attachment")
        _add(attachment, "ContentId", file.content_id)
        _add(attachment, "AttachmentName", file.name)
        _add(attachment, "ContentType", file.content_type)
        lines = textwrap.wrap(base64.b64encode(file.data).decode("ascii"), 76)
        _add(attachment, "ContentTransferEncoded", "\n".join(lines))
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _priority(urgency: str | None) -> int:
    for index, level in enumerate(PRIORITY_URGENCY):
        if level.value == urgency:
            return index
    return 0
