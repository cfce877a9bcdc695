"""NĐ 30/2020 layout details: parent body, row-ordered heads, signer blocks, cross-checks."""

from __future__ import annotations

from datetime import date

import pytest

from mailparse.documents.crosscheck import cross_check
from mailparse.documents.document import DocumentFacts, FieldConflict, Urgency
from mailparse.documents.facts import facts_from_text

ROW_ORDER = """ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ TÀI CHÍNH Độc lập - Tự do - Hạnh phúc
Số: 12 / STC-NS
V/v tham mưu dự toán ngân Kiên Giang, ngày 06 tháng 10 năm 2026
sách nhà nước năm 2027
HỎA TỐC HẸN GIỜ
Kính gửi: Ủy ban nhân dân tỉnh.
Nội dung.
Nơi nhận: KT. GIÁM ĐỐC
- Như trên; PHÓ GIÁM ĐỐC
- Lưu: VT, NS.
Võ Minh Tuấn
"""


def test_a_head_read_row_by_row_is_taken_apart() -> None:
    """GIVEN text where each line of the left column runs into the right column's line
    (as a word processor's header table reads row by row, or OCR)
    WHEN the facts are read
    THEN the date is cut from the V/v line, the summary joins across it, the parent body
    and the body are told apart, and the signer block is split from "Nơi nhận"."""
    facts = facts_from_text(ROW_ORDER, 1)
    assert (facts.number, facts.symbol) == ("12", "STC-NS")
    assert (facts.place, facts.issued_on) == ("Kiên Giang", date(2026, 10, 6))
    assert facts.summary == "tham mưu dự toán ngân sách nhà nước năm 2027"
    assert facts.document_type == "Công văn" and facts.catalogue_code == "20"
    assert (facts.issuer_parent, facts.issuer) == (
        "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        "SỞ TÀI CHÍNH",
    )
    assert facts.urgency is Urgency.HOA_TOC_HEN_GIO
    assert (facts.signer_mark, facts.signer_position) == ("KT.", "PHÓ GIÁM ĐỐC")
    assert facts.signer_name == "Võ Minh Tuấn"


@pytest.mark.parametrize(
    ("block", "mark", "position"),
    [
        ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "TM.", "CHỦ TỊCH"),
        ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "KT.", "PHÓ CHỦ TỊCH"),
        ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "TL.", "CHÁNH VĂN PHÒNG"),
        ("TUQ. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "TUQ.", "CHÁNH VĂN PHÒNG"),
        ("Q. GIÁM ĐỐC", "Q.", "GIÁM ĐỐC"),
        ("KI. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "KT.", "PHÓ CHỦ TỊCH"),  # CV144 as the reference has it
        ("GIÁM ĐỐC", None, "GIÁM ĐỐC"),
    ],
)
def test_signer_blocks(block: str, mark: str | None, position: str) -> None:
    """GIVEN a signature block of NĐ 30 (TM./KT./TL./TUQ./Q. or none)
    WHEN read THEN the mark, the signer's own position and the name come out."""
    text = f"Số: 1/UBND-VP\nKính gửi: A.\nNội dung.\nNơi nhận:\n- Như trên;\n{block}\n\nLê Văn Bé\n"
    facts = facts_from_text(text, 1)
    assert (facts.signer_mark, facts.signer_position, facts.signer_name) == (
        mark,
        position,
        "Lê Văn Bé",
    )


def test_a_normative_decision_is_classified_as_such() -> None:
    text = "Số: 12/2026/QĐ-UBND\nKiên Giang, ngày 5 tháng 3 năm 2026\nQUYẾT ĐỊNH\nBan hành quy chế"
    facts = facts_from_text(text, 1)
    assert facts.symbol == "2026/QĐ-UBND"
    assert (facts.document_type, facts.catalogue_code) == ("Quyết định (quy phạm pháp luật)", "2")
    assert facts.issued_on == date(2026, 3, 5)


DOCUMENT = DocumentFacts(
    number="54",
    symbol="UBND-VP",
    issued_on=date(2020, 2, 18),
    document_type="Công văn",
    summary="chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
    signer_name="Bùi Trung Thực",
    pages=2,
)


def test_cross_check_keeps_the_documents_values_and_records_conflicts() -> None:
    """GIVEN a document, an edXML that says another date and page count, a subject that
    shortens the summary, and a certificate of another person
    WHEN cross-checked
    THEN the document's values stay, each disagreement is a FieldConflict naming the other
    source, a shortened summary is no conflict, and gaps are filled (edXML first)."""
    edxml = DocumentFacts(number="54", symbol="UBND-VP", issued_on=date(2020, 2, 19), pages=3,
                          urgency=Urgency.KHAN, place="Rạch Giá")  # fmt: skip
    subject = DocumentFacts(number="54", symbol="ubnd-vp", summary="chấn chỉnh", place="Hà Nội")
    checked = cross_check(
        DOCUMENT, [("edxml", edxml), ("subject", subject)], signer_names=["Nguyễn Văn An"]
    )
    assert checked.issued_on == date(2020, 2, 18) and checked.pages == 2
    assert checked.conflicts == (
        FieldConflict("issued_on", "2020-02-18", "edxml", "2020-02-19"),
        FieldConflict("pages", "2", "edxml", "3"),
        FieldConflict("signer_name", "Bùi Trung Thực", "certificate", "Nguyễn Văn An"),
    )
    assert checked.urgency is Urgency.KHAN  # a gap, filled from the edXML
    assert checked.place == "Rạch Giá"  # edXML before the subject


def test_cross_check_agreeing_sources_leave_no_conflict() -> None:
    same = cross_check(
        DOCUMENT,
        [("subject", DocumentFacts(number="54", symbol="UBND-VP", document_type="công văn"))],
        signer_names=["BÙI TRUNG THỰC", "Ủy ban nhân dân thành phố Rạch Giá"],
    )
    assert same.conflicts == ()
    assert same == DOCUMENT
