"""The files an edXML package carries inside itself (QCVN 102:2016).

Other systems put the document's files in the package, base64-encoded
(``AttachmentEncoded/Attachment``: ``ContentId``, ``AttachmentName``, ``ContentType``,
``ContentTransferEncoded``, referenced from ``edXMLBody/edXMLManifest/Reference`` by
``cid:`` — FIELD-NOTES, "edXML as other systems write it"); a mail from such a system may
carry the PDF only there. When a mail carries no file but the package,
:func:`mailparse.mime.parse` adds each such file to the message's attachments, so that every
stage reads, verifies, registers and serves it like any other; a mail with files of its own
is read from those (our own issued mail carries both, the same bytes).

Never raises: a package that is not well-formed, declares a DTD or entities, or holds a
file that is not valid base64 carries nothing (that file) — the edXML itself is judged
by :func:`mailparse.edxml.read_edxml`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mailparse.edxml.envelope import MAX_EDXML_BYTES
from mailparse.edxml.nodes import child, local_name, node_text

MAX_EMBEDDED_FILES = 50


@dataclass(frozen=True)
class EmbeddedFile:
    name: str  # AttachmentName (else the ContentId), NFC; made safe by the caller
    content_type: str
    data: bytes


def embedded_files(data: bytes) -> tuple[EmbeddedFile, ...]:
    """The files inside the package ``data`` (at most :data:`MAX_EMBEDDED_FILES`)."""
    if len(data) > MAX_EDXML_BYTES:
        return ()
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeError):
        return ()
    found: list[EmbeddedFile] = []
    for node in root.iter():
        if local_name(node.tag) != "Attachment":
            continue
        encoded = child(node, "ContentTransferEncoded")
        if encoded is None or not encoded.text:
            continue
        try:
            payload = base64.b64decode("".join(encoded.text.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        name = node_text(child(node, "AttachmentName")) or node_text(child(node, "ContentId"))
        content_type = node_text(child(node, "ContentType")) or "application/octet-stream"
        found.append(EmbeddedFile(name or "tep-trong-edxml", content_type.lower(), payload))
        if len(found) == MAX_EMBEDDED_FILES:
            break
    return tuple(found)
