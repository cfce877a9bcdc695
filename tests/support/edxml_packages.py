"""edXML packages in the shape other systems write (FIELD-NOTES, "edXML as other systems
write it"): root ``<edXML>`` in the QCVN 102 namespace, children under the ``edXML:``
prefix bound to the same namespace, an unprefixed XML-DSig ``Signature`` in the header,
and the files base64-encoded in ``AttachmentEncoded/Attachment``, referenced from the
manifest by ``cid:``."""

from __future__ import annotations

import base64
from collections.abc import Sequence

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def vendor_package(
    files: Sequence[tuple[str, str, bytes]],
    *,
    number: str = "2491",
    notation: str = "STC-BCTC",
    encoded: str | None = None,
) -> bytes:
    """A package carrying ``files`` (name, content type, bytes); ``encoded`` replaces the
    first file's base64 text (to send a broken one)."""
    references, attachments = [], []
    for index, (name, content_type, data) in enumerate(files, start=1):
        cid = f"file{index}@edxml"
        text = base64.encodebytes(data).decode("ascii")
        if index == 1 and encoded is not None:
            text = encoded
        references.append(
            f'<edXML:Reference href="cid:{cid}"><edXML:AttachmentName>{name}'
            f"</edXML:AttachmentName></edXML:Reference>"
        )
        attachments.append(
            f"<edXML:Attachment><edXML:ContentId>{cid}</edXML:ContentId>"
            f"<edXML:AttachmentName>{name}</edXML:AttachmentName>"
            f"<edXML:ContentType>{content_type}</edXML:ContentType>"
            f"<edXML:ContentTransferEncoded>{text}</edXML:ContentTransferEncoded>"
            f"</edXML:Attachment>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<edXML xmlns="{NAMESPACE}" xmlns:edXML="{NAMESPACE}">'
        "<edXML:edXMLHeader><edXML:MessageHeader>"
        "<edXML:From><edXML:OrganId>000.00.11.H53</edXML:OrganId>"
        "<edXML:OrganName>Sở Tài chính</edXML:OrganName></edXML:From>"
        f"<edXML:DocumentId>000.00.11.H53,2020/10/30,{number}/{notation}</edXML:DocumentId>"
        f"<edXML:Code><edXML:CodeNumber>{number}</edXML:CodeNumber>"
        f"<edXML:CodeNotation>{notation}</edXML:CodeNotation></edXML:Code>"
        "<edXML:PromulgationInfo><edXML:Place>Kiên Giang</edXML:Place>"
        "<edXML:PromulgationDate>30/10/2020</edXML:PromulgationDate></edXML:PromulgationInfo>"
        "<edXML:Subject>V/v báo cáo công khai ngân sách</edXML:Subject>"
        "</edXML:MessageHeader>"
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>'
        "</edXML:edXMLHeader>"
        f"<edXML:edXMLBody><edXML:edXMLManifest>{''.join(references)}"
        "</edXML:edXMLManifest></edXML:edXMLBody>"
        f"<edXML:AttachmentEncoded>{''.join(attachments)}</edXML:AttachmentEncoded>"
        "</edXML>"
    )
    return xml.encode("utf-8")
