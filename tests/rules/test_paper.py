"""R-PAPER and R-EXCL: which documents still need their paper copy (CV144), and why."""

from __future__ import annotations

import pytest

from rules.paper import (
    PaperTopic,
    PaperTopicsError,
    classify_paper,
    default_topics,
    parse_topics,
)


@pytest.mark.parametrize(
    ("document_type", "summary", "topic", "keyword"),
    [
        ("Quyết định", "Về việc bổ nhiệm cán bộ lãnh đạo Phòng Nội vụ", "personnel", "bổ nhiệm"),
        ("Công văn", "tham mưu dự toán ngân sách nhà nước năm 2027", "finance", "ngân sách"),
        ("Tờ trình", "Về việc quản lý tài sản công tại các đơn vị", "finance", "tài sản công"),
        ("Công văn", "góp ý dự thảo quy hoạch sử dụng đất", "planning", "quy hoạch"),
        ("Kế hoạch", "Kế hoạch đầu tư công 2026 - 2030", "planning", "kế hoạch đầu tư công"),
        ("Tờ trình", "Về việc sắp xếp tổ chức bộ máy các phòng", "organisation", "tổ chức bộ máy"),
        ("Công văn", "chế độ chính sách công chức", "civil_service_policy", "chế độ chính sách"),
        ("Công văn", "gửi bản vẽ thiết kế cơ sở công trình", "hard_to_digitise", "bản vẽ"),
        ("Quyết định", "Ve viec bo nhiem can bo", "personnel", "bổ nhiệm"),  # typed without marks
    ],
)  # fmt: skip
def test_r_paper_topics_require_the_paper_copy(
    document_type: str, summary: str, topic: str, keyword: str
) -> None:
    """GIVEN a catalogue type whose summary is on a CV144 paper topic
    WHEN classified THEN paper_required, not needs_review, and the first reason names the
    topic and the keyword (shown to the clerk, who can correct it)."""
    verdict = classify_paper(document_type=document_type, in_catalogue=True, summary=summary)
    assert verdict.paper_required
    assert not verdict.needs_review
    assert verdict.reasons[0].topic == topic
    assert verdict.reasons[0].matched == keyword
    assert verdict.reason is not None and keyword in verdict.reason


@pytest.mark.parametrize(
    "summary",
    [
        "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
        "Dự hội nghị tổng kết công tác văn thư, lưu trữ năm 2026",
        "Kiểm tra công tác cải cách hành chính năm 2026",  # "công tác", not "cán bộ"
        "Triển khai kế hoạch chuyển đổi số",  # a plan, not public-investment planning
    ],
)
def test_r_paper_ordinary_documents_go_without_paper(summary: str) -> None:
    verdict = classify_paper(document_type="Công văn", in_catalogue=True, summary=summary)
    assert verdict == classify_paper(document_type="Công văn", in_catalogue=True, summary=summary)
    assert not verdict.paper_required
    assert not verdict.needs_review
    assert verdict.reasons == ()


def test_r_excl_a_type_outside_the_catalogue_needs_paper_and_review() -> None:
    """GIVEN a Biên bản (an NĐ 30 type CV144 does not list) WHEN classified
    THEN paper_required and needs_review, the reason naming the type (R-EXCL)."""
    verdict = classify_paper(
        document_type="Biên bản", in_catalogue=False, summary="Họp hội đồng thi đua"
    )
    assert verdict.paper_required and verdict.needs_review
    assert verdict.reasons[0].topic is PaperTopic.OUTSIDE_CATALOGUE
    assert verdict.reasons[0].matched == "Biên bản"


def test_r_excl_no_readable_type_is_never_treated_as_complete() -> None:
    verdict = classify_paper(document_type=None, in_catalogue=False, summary=None)
    assert verdict.paper_required and verdict.needs_review
    assert verdict.reasons[0].topic is PaperTopic.UNKNOWN_TYPE


def test_topics_are_editable_data() -> None:
    """GIVEN topics text with one keyword WHEN used THEN it decides; broken text raises."""
    topics = parse_topics(
        "topics:\n  - {topic: planning, label: quy hoạch, keywords: [chuyển đổi số]}\n"
    )
    verdict = classify_paper(
        document_type="Kế hoạch", in_catalogue=True, summary="Chuyển đổi số", topics=topics
    )
    assert verdict.paper_required
    assert len(default_topics().topics) == 6
    with pytest.raises(PaperTopicsError):
        parse_topics("topics:\n  - {topic: weather, label: x, keywords: [mưa]}\n")
