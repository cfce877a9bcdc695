"""edXML (QCVN 102:2016) envelopes: fields, business types, hostile XML (defusedxml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mailparse.documents.document import Urgency
from mailparse.edxml.envelope import (
    BusinessType,
    EdxmlDocument,
    EdxmlFailure,
    looks_like_edxml,
    read_edxml,
)

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "edxml"


def _read(name: str) -> EdxmlDocument:
    result = read_edxml((SAMPLES / name).read_bytes())
    assert isinstance(result, EdxmlDocument), result
    return result


def test_new_document_fields() -> None:
    """GIVEN the edXML of Công văn 54/UBND-VP (prefixed edXML: elements)
    WHEN it is read
    THEN organs, code, promulgation, type, subject, signer, due date, priority and page
    amount come out typed, and the business type is new."""
    doc = _read("new_54_ubnd_vp.edxml")
    assert doc.sender.organ_id == "000.00.12.H33"
    assert doc.sender.name == "Ủy ban nhân dân thành phố Rạch Giá"
    assert [r.organ_id for r in doc.recipients] == ["000.01.12.H33", "000.02.12.H33"]
    assert (doc.code_number, doc.code_notation) == ("54", "UBND-VP")
    assert doc.document_number == "54/UBND-VP"
    assert (doc.place, doc.promulgated_on) == ("Rạch Giá", date(2020, 2, 18))
    assert doc.document_type == "Công văn"
    assert doc.subject == "V/v chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    assert (doc.signer_name, doc.signer_position) == ("Bùi Trung Thực", "Phó Chủ tịch")
    assert doc.signer_competence == "KT. Chủ tịch"
    assert doc.due_on == date(2020, 3, 2)
    assert (doc.priority, doc.urgency, doc.page_amount) == (1, Urgency.KHAN, 2)
    assert doc.business is BusinessType.NEW
    assert doc.references == ()
    assert doc.document_id == "000.00.12.H33,2020/02/18,54/UBND-VP"


def test_recall_names_the_recalled_document() -> None:
    """GIVEN an edXML without prefixes whose Bussiness says 1 (thu hồi)
    WHEN it is read
    THEN the business type is recall and the reference is the earlier document's id,
    split into organ and number/symbol (for linking to the earlier register entry)."""
    doc = _read("recall_54_ubnd_vp.edxml")
    assert doc.business is BusinessType.RECALL
    assert doc.business_reason == "Ban hành nhầm đối tượng"
    [ref] = doc.references
    assert ref.organ_id == "000.00.12.H33"
    assert ref.document_number == "54/UBND-VP"


def test_replace_names_the_replaced_document() -> None:
    doc = _read("replace_12_qd.edxml")
    assert doc.business is BusinessType.REPLACE
    assert [r.document_number for r in doc.references] == ["12/QĐ-UBND"]
    assert doc.urgency is Urgency.HOA_TOC
    assert doc.facts().document_number == "15/QĐ-UBND"
    assert _read("new_54_ubnd_vp.edxml").facts().summary == (
        "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
    )


@pytest.mark.parametrize(
    ("code", "kind"), [("0", "new"), ("1", "recall"), ("2", "update"), ("3", "replace")]
)
def test_business_types(code: str, kind: str) -> None:
    """GIVEN BussinessDocType 0–3 WHEN read THEN new, recall, update, replace."""
    trace = f"<Bussiness><BussinessDocType>{code}</BussinessDocType></Bussiness>"
    xml = _minimal(f"<TraceHeaderList>{trace}</TraceHeaderList>")
    result = read_edxml(xml)
    assert isinstance(result, EdxmlDocument)
    assert result.business == kind


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&lol3;</Subject></MessageHeader>
</edXMLHeader></edXMLEnvelope>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&xxe;</Subject></MessageHeader>
</edXMLHeader></edXMLEnvelope>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (BILLION_LAUGHS, "refused"),
        (EXTERNAL_ENTITY, "refused"),
        (b"<edXMLEnvelope><MessageHeader>", "not well-formed"),
        (b"\xff\xfe garbage", "not well-formed"),
        (b"<other/>", "without MessageHeader"),
    ],
)
def test_hostile_or_broken_xml_is_a_failure_value(data: bytes, reason: str) -> None:
    """GIVEN entity bombs, external entities or broken XML
    WHEN read
    THEN an EdxmlFailure naming the reason comes back: nothing is expanded or fetched,
    nothing raises."""
    result = read_edxml(data)
    assert isinstance(result, EdxmlFailure)
    assert reason in result.reason
    assert "passwd" not in result.reason


def test_invalid_field_values_are_a_failure_value() -> None:
    result = read_edxml(_minimal(header="<OtherInfo><PageAmount>many</PageAmount></OtherInfo>"))
    assert isinstance(result, EdxmlFailure)
    assert read_edxml(b"x" * 100, max_bytes=10) == EdxmlFailure("edXML file too large")


def test_edxml_attachments_are_recognised() -> None:
    data = (SAMPLES / "new_54_ubnd_vp.edxml").read_bytes()
    assert looks_like_edxml("54.edxml", "application/octet-stream", data)
    assert looks_like_edxml("goi-tin.xml", "application/xml", data)
    assert not looks_like_edxml("54.pdf", "application/pdf", data)
    assert not looks_like_edxml("note.xml", "application/xml", b"<note/>")


def _minimal(trace: str = "", header: str = "") -> bytes:
    return (
        "<edXMLEnvelope><edXMLHeader><MessageHeader><Code><CodeNumber>1</CodeNumber>"
        f"</Code>{header}</MessageHeader>{trace}</edXMLHeader></edXMLEnvelope>"
    ).encode()
