"""Official-document facts from text (the three reference documents) and from subjects."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailparse.documents.document import Secrecy, Urgency
from mailparse.documents.facts import DOCUMENT_TYPES, facts_from_subject, facts_from_text

REFERENCE = Path("/work/shared/reference/000_e3b233a2e65e7ff9.txt")

# The heads of CV54, CV144 and QD278 as the reference file has them (markdown bold kept).
CV54 = """
**ỦY BAN NHÂN DÂN
THÀNH PHỐ RẠCH GIÁ**

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc**

Số: 54 /UBND-VP

Rạch Giá, ngày 18 tháng 02 năm 2020

V/v chấn chỉnh, tăng cường
việc gửi, nhận văn bản điện tử
trong các cơ quan nhà nước
trên địa bàn thành phố

Kính gửi:

- Thủ trưởng các phòng, ban ngành thành phố;
- Chủ tịch UBND các phường, xã.

Thời gian qua, UBND thành phố đã ban hành Thông báo số 01/TB-UBND ngày 06/01/2017.

Nơi nhận:

- Như trên;
- Lưu: VT, ttam.

**KT. CHỦ TỊCH
PHÓ CHỦ TỊCH**



Bùi Trung Thực
"""

CV144 = """
**ỦY BAN NHÂN DÂN
TỈNH KIÊN GIANG**

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc**

Số: 144 /UBND-HCTC

Kiên Giang, ngày 10 tháng 02 năm 2020

V/v danh mục văn bản điện tử
không gửi kèm văn bản giấy.

Kính gửi:

- Các sở, ban, ngành cấp tỉnh (các cơ quan Đảng, Đoàn thể);
"""

QD278 = """
**ỦY BAN NHÂN DÂN
TỈNH KIÊN GIANG**

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc**

Số: 278 /QĐ-UBND

Kiên Giang, ngày 01 tháng 02 năm 2019

QUYẾT ĐỊNH

**Ban hành Quy chế ứng dụng phần mềm Quản lý văn bản và
Hồ sơ công việc trên địa bàn tỉnh Kiên Giang**

CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Quy chế.

Nơi nhận:

- Như Điều 3;
- Lưu: VT, ltram (01b).

CHỦ TỊCH
PHÓ CHỦ TỊCH



[Handwritten signature]

Đỗ Thanh Bình
"""

LINES = tuple((CV54 + QD278).splitlines())


def test_catalogue_has_the_24_cv144_types() -> None:
    assert len(DOCUMENT_TYPES) == 24
    assert len(set(DOCUMENT_TYPES)) == 24
    assert {"Công văn", "Quyết định", "Kế hoạch", "Tờ trình", "Phiếu báo"} <= set(DOCUMENT_TYPES)


def test_cv54_head() -> None:
    """GIVEN the head of Công văn 54/UBND-VP (R-REG)
    WHEN its facts are read
    THEN number, symbol, place, date, type, trích yếu, issuer and signer are found."""
    facts = facts_from_text(CV54, pages=2)
    assert (facts.number, facts.symbol) == ("54", "UBND-VP")
    assert facts.document_number == "54/UBND-VP"
    assert facts.place == "Rạch Giá"
    assert facts.issued_on == date(2020, 2, 18)
    assert facts.document_type == "Công văn"
    assert facts.summary == (
        "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử trong các cơ quan nhà nước "
        "trên địa bàn thành phố"
    )
    assert facts.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ"
    assert facts.signer_name == "Bùi Trung Thực"
    assert facts.urgency is None
    assert facts.secrecy is None
    assert facts.pages == 2


def test_cv144_head() -> None:
    facts = facts_from_text(CV144, pages=None)
    assert facts.document_number == "144/UBND-HCTC"
    assert facts.issued_on == date(2020, 2, 10)
    assert facts.place == "Kiên Giang"
    assert facts.document_type == "Công văn"
    assert facts.summary == "danh mục văn bản điện tử không gửi kèm văn bản giấy"
    assert facts.issuer == "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG"


def test_qd278_head() -> None:
    """GIVEN the head of Quyết định 278/QĐ-UBND with its title line
    WHEN its facts are read
    THEN the type comes from the title and the summary from the lines under it."""
    facts = facts_from_text(QD278, pages=None)
    assert facts.document_number == "278/QĐ-UBND"
    assert facts.document_type == "Quyết định"
    assert facts.issued_on == date(2019, 2, 1)
    assert facts.summary == (
        "Ban hành Quy chế ứng dụng phần mềm Quản lý văn bản và Hồ sơ công việc "
        "trên địa bàn tỉnh Kiên Giang"
    )
    assert facts.signer_name == "Đỗ Thanh Bình"


def test_whole_reference_file_gives_cv54() -> None:
    facts = facts_from_text(REFERENCE.read_text(encoding="utf-8"), pages=None)
    assert facts.document_number == "54/UBND-VP"
    assert facts.signer_name == "Bùi Trung Thực"
    assert facts.secrecy is None  # "trừ những văn bản mật" in the body is not a mark


def test_two_level_issuer_keeps_the_issuing_body() -> None:
    text = "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\nSố: 12/STTTT-VP\n"
    assert facts_from_text(text, None).issuer == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"


def test_normative_decision_is_classified_as_such() -> None:
    text = "ỦY BAN NHÂN DÂN\nTỈNH KIÊN GIANG\nSố: 29/2017/QĐ-UBND\nQUYẾT ĐỊNH\nBan hành Quy chế\n"
    facts = facts_from_text(text, None)
    assert (facts.number, facts.symbol) == ("29", "2017/QĐ-UBND")
    assert facts.document_type == "Quyết định (quy phạm pháp luật)"


def test_type_falls_back_to_the_symbol() -> None:
    assert facts_from_text("UBND\nSố: 7/KH-UBND\n", None).document_type == "Kế hoạch"


@pytest.mark.parametrize(
    ("stamp", "urgency"),
    [
        ("KHẨN", Urgency.KHAN),
        ("THƯỢNG KHẨN", Urgency.THUONG_KHAN),
        ("HỎA TỐC", Urgency.HOA_TOC),
        ("HOẢ TỐC", Urgency.HOA_TOC),
        ("HỎA TỐC HẸN GIỜ", Urgency.HOA_TOC_HEN_GIO),
    ],
)
def test_urgency_stamp(stamp: str, urgency: Urgency) -> None:
    """GIVEN an urgency stamp line in the head part (R-URGENT)
    WHEN the facts are read
    THEN the urgency is reported, and the issuer is not confused with the stamp."""
    text = CV54.replace("Số: 54 /UBND-VP", f"Số: 54 /UBND-VP\n{stamp}")
    facts = facts_from_text(text, None)
    assert facts.urgency is urgency
    assert facts.issuer == "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ"


@pytest.mark.parametrize(
    ("stamp", "secrecy"),
    [("MẬT", Secrecy.MAT), ("TỐI MẬT", Secrecy.TOI_MAT), ("TUYỆT MẬT", Secrecy.TUYET_MAT)],
)
def test_secrecy_stamp(stamp: str, secrecy: Secrecy) -> None:
    """GIVEN a secrecy stamp line under the number (R-SECRET)
    WHEN the facts are read
    THEN the secrecy mark is reported."""
    text = CV54.replace("Số: 54 /UBND-VP", f"Số: 54 /UBND-VP\n{stamp}")
    assert facts_from_text(text, None).secrecy is secrecy


@pytest.mark.parametrize(
    "sentence",
    [
        "Thay đổi mật khẩu được cấp và tự bảo mật tài khoản của mình.",
        "Văn bản, hồ sơ thuộc dạng mật, tối mật, tuyệt mật theo quy định;",
        "mật",
    ],
)
def test_the_word_mat_in_prose_is_not_a_secrecy_mark(sentence: str) -> None:
    """GIVEN the word "mật" inside ordinary sentences (or a wrapped lower-case line)
    WHEN the facts are read
    THEN no secrecy mark is reported."""
    text = CV54.replace("Số: 54 /UBND-VP", f"Số: 54 /UBND-VP\n{sentence}")
    assert facts_from_text(text, None).secrecy is None


def test_front_organisation_is_not_secret() -> None:
    text = "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nTỈNH KIÊN GIANG\nMẶT\nSố: 5/MTTQ-BTT\n"
    assert facts_from_text(text, None).secrecy is None


def test_empty_text_gives_empty_facts() -> None:
    facts = facts_from_text("", pages=0)
    assert facts.document_number is None
    assert facts.issuer is None
    assert facts.pages == 0


@pytest.mark.parametrize(
    ("subject", "number", "issued_on", "doc_type", "summary"),
    [
        (
            "Công văn số 54/UBND-VP ngày 18/02/2020 V/v chấn chỉnh việc gửi nhận văn bản điện tử",
            "54/UBND-VP",
            date(2020, 2, 18),
            "Công văn",
            "chấn chỉnh việc gửi nhận văn bản điện tử",
        ),
        (
            "Gửi Quyết định 12/QĐ-UBND về ban hành quy chế",
            "12/QĐ-UBND",
            None,
            "Quyết định",
            "ban hành quy chế",
        ),
        ("Số 7/KH-UBND", "7/KH-UBND", None, "Kế hoạch", None),
        ("Fwd: V/v báo cáo tháng 11", None, None, "Công văn", "báo cáo tháng 11"),
        (
            "Quyết định số 29/2017/QĐ-UBND ngày 18 tháng 8 năm 2017",
            "29/2017/QĐ-UBND",
            date(2017, 8, 18),
            "Quyết định (quy phạm pháp luật)",
            None,
        ),
    ],
)
def test_subjects(
    subject: str, number: str | None, issued_on: date | None, doc_type: str, summary: str | None
) -> None:
    """GIVEN a subject line as agencies write them
    WHEN its facts are read
    THEN number/symbol, date, type and summary are what it plainly says."""
    facts = facts_from_subject(subject)
    assert facts.document_number == number
    assert facts.issued_on == issued_on
    assert facts.document_type == doc_type
    assert facts.summary == summary


@pytest.mark.parametrize(
    ("subject", "urgency"),
    [
        ("[KHẨN] Giấy mời họp", Urgency.KHAN),
        ("Hỏa tốc: Công điện 3/CĐ-UBND", Urgency.HOA_TOC),
        ("(Thượng khẩn) Báo cáo", Urgency.THUONG_KHAN),
        ("Khán giả dự lễ", None),
        ("Báo cáo khẩn trương", None),
    ],
)
def test_subject_urgency(subject: str, urgency: Urgency | None) -> None:
    assert facts_from_subject(subject).urgency is urgency


def test_subject_secrecy_only_when_marked() -> None:
    assert facts_from_subject("[MẬT] Báo cáo").secrecy is Secrecy.MAT
    assert facts_from_subject("Đổi mật khẩu hộp thư").secrecy is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES) | st.text(max_size=40), max_size=25))
def test_any_text_gives_facts_without_raising(lines: list[str]) -> None:
    assert facts_from_text("\n".join(lines), None).pages is None
    assert facts_from_subject(" ".join(lines)).pages is None
