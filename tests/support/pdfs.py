"""Real PDFs with a Vietnamese text layer, laid out like an official document (NĐ 30/2020).

Made with fpdf2 and DejaVu Sans (a TrueType font with every Vietnamese letter, embedded as a
subset with a ToUnicode map, so pypdf reads the text back). The head is drawn column by
column, the way word processors emit their header table: left block (issuing body, Số,
V/v), then right block (motto, place and date). Output is deterministic.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

DEFAULT_BODY = (
    "Thực hiện Kế hoạch số 129/KH-UBND ngày 25/11/2019 về phát triển Chính phủ điện tử, "
    "UBND thành phố yêu cầu các phòng, ban ngành thành phố; UBND các phường, xã tăng cường "
    "công tác gửi, nhận văn bản điện tử trên hệ thống Thư điện tử công vụ.",
    "Quá trình thực hiện có khó khăn, vướng mắc, báo cáo về UBND thành phố để kịp thời xử lý./.",
)
RECIPIENTS = ("- Như trên;", "- Lưu: VT.")

LEFT_X, LEFT_W, RIGHT_X, RIGHT_W = 12.0, 80.0, 92.0, 110.0
LINE = 6.0


def _font_files() -> tuple[Path, Path]:
    for path in (REGULAR, BOLD):
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: install the DejaVu fonts (Debian: fonts-dejavu-core)"
            )
    return REGULAR, BOLD


def _new_pdf() -> FPDF:
    regular, bold = _font_files()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(CREATED)
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_font("DejaVu", "", 12)
    return pdf


def _centred(pdf: FPDF, x: float, width: float, y: float, text: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 12 if width > 90 else 11)
    pdf.text(x + max(0.0, (width - pdf.get_string_width(text)) / 2), y, text)


def _paragraphs(pdf: FPDF, y: float, paragraphs: Sequence[str]) -> float:
    pdf.set_font("DejaVu", "", 12)
    for paragraph in paragraphs:
        pdf.set_xy(15, y)
        pdf.multi_cell(180, LINE, "    " + paragraph)
        y = pdf.get_y() + 2
    return y


def official_document_pdf(
    *,
    issuer_parent: str | None = "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
    issuer: str = "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ",
    number: str = "54",
    symbol: str = "UBND-VP",
    place: str = "Rạch Giá",
    issued_on: date = date(2026, 11, 20),
    title: str | None = None,
    summary: str = "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử trong các cơ quan "
    "nhà nước trên địa bàn thành phố",
    urgency_stamp: str | None = None,
    secrecy_stamp: str | None = None,
    body_paragraphs: Sequence[str] = DEFAULT_BODY,
    recipient: str = "Thủ trưởng các phòng, ban ngành thành phố",
    signer_position: str = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    signer_name: str = "Bùi Trung Thực",
    pages: int = 1,
) -> bytes:
    """A công văn (``title=None``: ``V/v`` under the number) or a titled document."""
    pdf = _new_pdf()
    pdf.add_page()
    y = 18.0
    for line, bold in ((issuer_parent, False), (issuer, True)):
        if line:
            _centred(pdf, LEFT_X, LEFT_W, y, line, bold=bold)
            y += LINE
    pdf.line(LEFT_X + 28, y - 3.5, LEFT_X + LEFT_W - 28, y - 3.5)
    y += 2
    _centred(pdf, LEFT_X, LEFT_W, y, f"Số: {number} /{symbol}")
    y += LINE
    if title is None:
        for line in textwrap.wrap(f"V/v {summary}", 34):
            _centred(pdf, LEFT_X, LEFT_W, y, line)
            y += LINE - 1
    for stamp in (urgency_stamp, secrecy_stamp):
        if stamp:
            y += 2
            _centred(pdf, LEFT_X, LEFT_W, y, stamp, bold=True)
            pdf.rect(LEFT_X + 25, y - 5, LEFT_W - 50, 7)
            y += LINE
    left_bottom = y
    _centred(pdf, RIGHT_X, RIGHT_W, 18, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _centred(pdf, RIGHT_X, RIGHT_W, 18 + LINE, "Độc lập - Tự do - Hạnh phúc", bold=True)
    when = f"{place}, ngày {issued_on.day:02d} tháng {issued_on.month:02d} năm {issued_on.year}"
    _centred(pdf, RIGHT_X, RIGHT_W, 20 + 3 * LINE, when)
    y = max(left_bottom, 20 + 4 * LINE) + 4
    if title is not None:
        _centred(pdf, 15, 180, y, title, bold=True)
        y += LINE + 1
        for line in textwrap.wrap(summary, 70):
            _centred(pdf, 15, 180, y, line, bold=True)
            y += LINE
        y += 4
    else:
        _centred(pdf, 15, 180, y + 2, f"Kính gửi: {recipient}.")
        y += LINE + 6
    y = _paragraphs(pdf, y, body_paragraphs)
    for page in range(2, pages + 1):
        pdf.add_page()
        y = _paragraphs(pdf, 20, [f"Nội dung trang {page} của văn bản số {number}/{symbol}."])
    _signature_block(pdf, y + 6, signer_position, signer_name)
    return bytes(pdf.output())


def _signature_block(pdf: FPDF, y: float, position: str, name: str) -> None:
    pdf.set_font("DejaVu", "B", 11)
    pdf.text(15, y, "Nơi nhận:")
    pdf.set_font("DejaVu", "", 10)
    for i, line in enumerate(RECIPIENTS):
        pdf.text(15, y + (i + 1) * 5, line)
    lines = position.splitlines()
    for i, line in enumerate(lines):
        _centred(pdf, 100, 95, y + i * LINE, line, bold=True)
    _centred(pdf, 100, 95, y + (len(lines) + 4) * LINE, name, bold=True)


def plain_pdf(text: str, *, pages: int = 1) -> bytes:
    """A PDF carrying ``text`` on each of ``pages`` pages, no official layout."""
    pdf = _new_pdf()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_xy(15, 20)
        pdf.multi_cell(180, LINE, text)
    return bytes(pdf.output())


def with_stamp_image(
    pdf: bytes, text: str, *, x_mm: float = 37.0, y_mm: float = 52.5, framed: bool = True
) -> bytes:
    """``pdf`` with a stamp (``text`` in red capitals, in a red frame) laid on its first
    page as a picture, its top left corner ``x_mm``, ``y_mm`` from the page's top left —
    by default under the number and the V/v lines, where NĐ 30 puts a secrecy mark. The
    text layer does not contain ``text``."""
    import io

    import pypdfium2
    from PIL import Image, ImageDraw, ImageFont

    _font_files()
    width_mm, height_mm, dots_per_mm = 30.0, 6.5, 12
    image = Image.new("RGB", (int(width_mm * dots_per_mm), int(height_mm * dots_per_mm)), "white")
    draw = ImageDraw.Draw(image)
    red = (200, 0, 0)
    if framed:
        draw.rectangle((2, 2, image.width - 3, image.height - 3), outline=red, width=4)
    font = ImageFont.truetype(str(BOLD), int(height_mm * dots_per_mm * 0.55))
    left = (image.width - draw.textlength(text, font=font)) / 2
    draw.text((left, image.height * 0.18), text, font=font, fill=red)

    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    picture = pypdfium2.PdfImage.new(document)
    picture.set_bitmap(pypdfium2.PdfBitmap.from_pil(image))
    points = 72 / 25.4
    _, page_height = page.get_size()
    x, top = x_mm * points, page_height - y_mm * points
    picture.set_matrix(
        pypdfium2.PdfMatrix()
        .scale(width_mm * points, height_mm * points)
        .translate(x, top - height_mm * points)
    )
    page.insert_obj(picture)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()
