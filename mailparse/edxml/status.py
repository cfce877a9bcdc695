"""edXML status packages (QCVN 102:2016): a receiving system's answer about a document.

A status package has no body: ``MessageHeader`` with ``From`` (the answering organ),
``ResponseFor`` (``OrganId``, ``Code``, ``PromulgationDate``, ``DocumentId`` of the
document answered), ``StaffInfo``, ``StatusCode`` (``01``…``06``, ``13``, ``15``, ``16``),
``Description`` and ``Timestamp`` (FIELD-NOTES, "edXML as other systems write it").
Elements are matched by local name (with or without the ``edXML:`` prefix). Parsed with
defusedxml; never raises: anything unreadable is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mailparse.edxml.nodes import child, first, node_text

MAX_STATUS_BYTES = 1024 * 1024
_CODE = re.compile(r"\d{2}")


@dataclass(frozen=True)
class EdxmlStatus:
    """What one status package says."""

    organ_id: str | None  # From/OrganId: who answers
    organ_name: str | None
    document_id: str | None  # ResponseFor/DocumentId: "OrganId,yyyy/mm/dd,number/notation"
    document_number: str | None  # ResponseFor/Code ("54/UBND-VP"), or read from DocumentId
    status_code: str  # "03" received, "02" refused, "04".."06" later …
    description: str | None
    staff: str | None
    timestamp: str | None  # as written ("2015/09/20 11:08:36")


def read_status(data: bytes) -> EdxmlStatus | None:
    """The status package in ``data``; None when it is not one (or not readable)."""
    if len(data) > MAX_STATUS_BYTES or b"StatusCode" not in data:
        return None
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError):
        return None
    response = first(root, "ResponseFor")
    code = node_text(first(root, "StatusCode"))
    if response is None or code is None or not _CODE.fullmatch(code):
        return None
    sender = first(root, "From")
    document_id = node_text(child(response, "DocumentId"))
    return EdxmlStatus(
        organ_id=node_text(child(sender, "OrganId")),
        organ_name=node_text(child(sender, "OrganName")),
        document_id=document_id,
        document_number=_code(child(response, "Code")) or _number_of(document_id),
        status_code=code,
        description=node_text(first(root, "Description")),
        staff=_staff(first(root, "StaffInfo")),
        timestamp=node_text(first(root, "Timestamp")),
    )


def _code(node: Element | None) -> str | None:
    if node is None:
        return None
    number, notation = node_text(child(node, "CodeNumber")), node_text(child(node, "CodeNotation"))
    if number or notation:
        return f"{number}/{notation}" if number and notation else number or notation
    return node_text(node)


def _number_of(document_id: str | None) -> str | None:
    parts = [p.strip() for p in (document_id or "").split(",")]
    return parts[-1] if len(parts) >= 3 and "/" in parts[-1] else None


def _staff(node: Element | None) -> str | None:
    if node is None:
        return None
    names = [node_text(c) for c in node.iter() if c is not node and node_text(c)]
    return " ".join(n for n in names if n) or node_text(node)
