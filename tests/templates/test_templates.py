"""The Vietnamese templates, reason texts and the jinja2 environment."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import jinja2
import pytest

from mailparse.reasons import Reason
from templates import (
    REASONS,
    TEMPLATE_DIR,
    URGENCY_PREFIXES,
    environment,
    reason_text,
    role_label,
    urgency_prefix,
    vn_date,
    vn_datetime,
)

ALL_CODES = [reason.value for reason in Reason]
TEMPLATES = ["receipt.txt.j2", "receipt.html.j2", "rejection.txt.j2", "rejection.html.j2"]


@dataclass(frozen=True)
class _Line:
    unit: str
    role: str
    due_at: datetime | None


@dataclass(frozen=True)
class _Doc:
    incoming: str = "2026/1"
    document_number: str | None = "54/UBND-VP"
    issued_on: date | None = date(2026, 2, 18)
    document_type: str | None = "Công văn"
    summary: str | None = "Về việc gửi, nhận văn bản điện tử"
    reference_only: bool = False
    paper_required: bool = False
    paper_reason: str | None = None
    assignments: tuple[_Line, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Refused:
    filename: str
    reasons: tuple[str, ...]


def _context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "kind": "receipt",
        "agency_name": "UBND phường Vĩnh Thanh",
        "subject": "Về việc gửi, nhận văn bản điện tử",
        "secret": False,
        "received_at": datetime(2026, 2, 18, 1, 30, tzinfo=UTC),
        "tz": "Asia/Ho_Chi_Minh",
        "urgency": None,
        "registered": [_Doc()],
        "refused": [],
        "reasons": [],
    }
    context.update(overrides)
    return context


@pytest.fixture
def env() -> jinja2.Environment:
    return environment()


def test_every_reason_code_has_a_vietnamese_text() -> None:
    """GIVEN the reason codes of DESIGN §4.5
    WHEN their wording is looked up
    THEN each has its own non-empty NFC summary and advice, and no text is left over."""
    assert set(REASONS) == set(ALL_CODES)
    assert len(ALL_CODES) == 17
    for code in ALL_CODES:
        text = REASONS[code]
        assert text.summary.strip()
        assert text.advice.strip()
        for part in (text.summary, text.advice):
            assert unicodedata.is_normalized("NFC", part), code
            assert any(ord(char) > 127 for char in part), code


def test_unknown_code_gets_a_generic_text() -> None:
    """GIVEN a code that has no wording yet
    WHEN it is looked up
    THEN a polite generic text naming the code comes back instead of an error."""
    text = reason_text("something-new")
    assert "something-new" in text.summary
    assert text.advice


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_files_are_nfc(name: str) -> None:
    """GIVEN a template file
    WHEN its text is read
    THEN it is UTF-8 in NFC (precomposed Vietnamese letters)."""
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("kind", ["receipt", "rejection"])
@pytest.mark.parametrize("ext", ["txt", "html"])
def test_templates_render_every_reason_code(env: jinja2.Environment, kind: str, ext: str) -> None:
    """GIVEN an answer that names every reason code, for the message and for a file
    WHEN the template renders under StrictUndefined
    THEN every code's Vietnamese summary and advice appear in the output."""
    context = _context(
        kind=kind,
        reasons=ALL_CODES if kind == "rejection" else [],
        refused=[_Refused("phu-luc.docx", tuple(ALL_CODES))],
    )
    rendered = env.get_template(f"{kind}.{ext}.j2").render(context)
    text = html.unescape(rendered) if ext == "html" else rendered
    for code in ALL_CODES:
        assert REASONS[code].summary in text
        assert REASONS[code].advice in text
    assert unicodedata.is_normalized("NFC", rendered)


def test_receipt_text_reports_register_entry(env: jinja2.Environment) -> None:
    """GIVEN a registered unsigned document with an assignment (R-REG, R-REF, R-PAPER, R-LEAD)
    WHEN the text receipt renders
    THEN it gives the local receipt time, the incoming number, the document fields,
    the reference-only and paper notes and the assignment with its deadline."""
    doc = _Doc(
        reference_only=True,
        paper_required=True,
        paper_reason="nhân sự: bổ nhiệm",
        assignments=(
            _Line("Phòng Nội vụ", "lead", datetime(2026, 2, 20, 10, 0, tzinfo=UTC)),
            _Line("Phòng Tài chính - Kế hoạch", "cooperate", None),
            _Line("Văn phòng", "inform", None),
        ),
    )
    text = env.get_template("receipt.txt.j2").render(_context(registered=[doc]))
    assert "18/02/2026 08:30" in text
    assert "Số đến: 2026/1" in text
    assert "54/UBND-VP" in text
    assert "Ngày ban hành: 18/02/2026" in text
    assert "Loại văn bản: Công văn" in text
    assert "Trích yếu: Về việc gửi, nhận văn bản điện tử" in text
    assert "chỉ có giá trị tham khảo" in text
    assert "cần gửi kèm bản giấy (nhân sự: bổ nhiệm)" in text
    assert "- Phòng Nội vụ: Chủ trì, hạn xử lý: 20/02/2026 17:00\n" in text
    assert "- Phòng Tài chính - Kế hoạch: Phối hợp\n" in text
    assert "- Văn phòng: Để biết\n" in text
    assert "sổ đăng ký văn bản đến" in text


def test_html_escapes_and_text_does_not(env: jinja2.Environment) -> None:
    """GIVEN a subject containing markup
    WHEN both receipt templates render
    THEN the HTML escapes it and the plain text keeps it verbatim."""
    context = _context(subject='<script>alert("x")</script> & co')
    rendered_html = env.get_template("receipt.html.j2").render(context)
    rendered_text = env.get_template("receipt.txt.j2").render(context)
    assert "<script>" not in rendered_html
    assert "&lt;script&gt;" in rendered_html
    assert '<script>alert("x")</script> & co' in rendered_text


def test_missing_variable_is_an_error(env: jinja2.Environment) -> None:
    """GIVEN a context without ``received_at``
    WHEN a template renders
    THEN StrictUndefined raises instead of printing an empty string."""
    context = _context()
    del context["received_at"]
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("receipt.txt.j2").render(context)


def test_secret_hides_document_fields(env: jinja2.Environment) -> None:
    """GIVEN a secret answer whose documents still carry fields (R-SECRET)
    WHEN the templates render
    THEN neither number, summary nor file name appears."""
    context = _context(
        secret=True,
        subject=None,
        refused=[_Refused("bao-cao-mat.pdf", ("secret-document",))],
    )
    for name in TEMPLATES:
        out = env.get_template(name).render({**context, "kind": name.split(".")[0]})
        assert "54/UBND-VP" not in out
        assert "Về việc gửi" not in out
        assert "bao-cao-mat" not in out


def test_urgency_prefixes() -> None:
    """GIVEN the urgency levels of DESIGN §4.3 (R-URGENT)
    WHEN their subject tags are looked up
    THEN ordinary mail has none and urgent levels have the bracketed Vietnamese tag."""
    assert set(URGENCY_PREFIXES) == {"thuong", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"}
    assert urgency_prefix(None) == ""
    assert urgency_prefix("thuong") == ""
    assert urgency_prefix("khan") == "[KHẨN]"
    assert urgency_prefix("thuong_khan") == "[THƯỢNG KHẨN]"
    assert urgency_prefix("hoa_toc") == "[HỎA TỐC]"
    assert urgency_prefix("hoa_toc_hen_gio") == "[HỎA TỐC HẸN GIỜ]"
    assert all(unicodedata.is_normalized("NFC", tag) for tag in URGENCY_PREFIXES.values())


def test_date_filters_and_roles() -> None:
    """GIVEN dates, an aware datetime and assignment roles
    WHEN they are formatted
    THEN dates read dd/mm/yyyy, times are in Asia/Ho_Chi_Minh, naive times are refused."""
    assert vn_date(date(2026, 3, 2)) == "02/03/2026"
    assert vn_datetime(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "01/01/2027 00:30"
    with pytest.raises(ValueError, match="aware"):
        vn_datetime(datetime(2026, 1, 1, 8, 0))
    assert role_label("lead") == "Chủ trì"
    assert role_label("cooperate") == "Phối hợp"
    assert role_label("inform") == "Để biết"
    assert role_label("other") == "other"
