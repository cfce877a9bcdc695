"""The monthly report in files: XLSX, CSV, JSON and PDF (R-MONTHLY).

The figures come from :func:`registry.reports.reporting.monthly_report`; this module only lays
them out: the same rows, the same numbers, Vietnamese headings. The XLSX has one sheet per
grouping (đơn vị, cơ quan gửi) with a total row, and one for the rejections by reason.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict
from datetime import tzinfo
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.engine import Engine

from gateway.reports.register_print import FONT, draw_table, new_pdf
from registry.database import read_session
from registry.reports.reporting import (
    FIGURE_NAMES,
    Figures,
    MonthlyReport,
    ReportRow,
    monthly_report,
)
from templates import reason_text

TITLE = "Báo cáo tình hình giải quyết văn bản đến"
FIGURE_LABELS = {
    "carried_over": "Kỳ trước chuyển sang",
    "received": "Tiếp nhận trong tháng",
    "answered_same_day": "Phản hồi trong ngày",
    "registered_in_time": "Vào sổ trong 2 giờ làm việc",
    "assigned_in_time": "Giao xử lý trước sáng ngày làm việc kế tiếp",
    "done_on_time": "Giải quyết đúng hạn",
    "done_late": "Giải quyết quá hạn",
    "in_progress_within": "Đang giải quyết trong hạn",
    "in_progress_overdue": "Đang giải quyết quá hạn",
    "signed_valid": "Chữ ký số hợp lệ",
    "rejected": "Từ chối tiếp nhận",
}
SHARE_LABEL = "Tỷ lệ chữ ký số hợp lệ (%)"
TOTAL_LABEL = "Tổng cộng"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class ReportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"
    PDF = "pdf"


MEDIA_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.PDF: "application/pdf",
}


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month); ValueError with a Vietnamese message otherwise."""
    found = MONTH.match(text.strip())
    if found is None:
        raise ValueError("tháng phải có dạng YYYY-MM, ví dụ 2026-11")
    return int(found.group(1)), int(found.group(2))


def compute(engine: Engine, year: int, month: int, zone: tzinfo) -> MonthlyReport:
    with read_session(engine) as session:
        return monthly_report(session, year, month, zone)


def signed_share(figures: Figures) -> float:
    """Share of the documents received in the month whose signatures are all valid."""
    return figures.share(figures.signed_valid, figures.received)


def _cells(row: ReportRow | None, figures: Figures) -> list[str | int | float]:
    head: list[str | int | float] = [row.code, row.name] if row else ["", TOTAL_LABEL]
    return head + [getattr(figures, name) for name in FIGURE_NAMES] + [signed_share(figures)]


def _heading(first: str) -> list[str]:
    return ["Mã", first, *(FIGURE_LABELS[name] for name in FIGURE_NAMES), SHARE_LABEL]


def _sections(report: MonthlyReport) -> list[tuple[str, str, tuple[ReportRow, ...]]]:
    return [
        ("Theo đơn vị", "Đơn vị chủ trì", report.by_unit),
        ("Theo cơ quan gửi", "Cơ quan gửi", report.by_agency),
    ]


def to_xlsx(report: MonthlyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet_title, first, rows in _sections(report):
        sheet = book.create_sheet(sheet_title)
        sheet.append([f"{TITLE} — tháng {report.month:02d}/{report.year}"])
        sheet.append(_heading(first))
        for row in rows:
            sheet.append(_cells(row, row.figures))
        sheet.append(_cells(None, report.total))
        for cell in (*sheet[1], *sheet[2], *sheet[sheet.max_row]):
            cell.font = bold
        sheet.column_dimensions["B"].width = 36
    reasons = book.create_sheet("Lý do từ chối")
    reasons.append(["Mã lý do", "Lý do", "Số thư"])
    for item in report.rejections:
        reasons.append([item.reason, reason_text(item.reason).summary, item.count])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(report: MonthlyReport) -> str:
    """One table: a ``nhóm`` column (đơn vị / cơ quan gửi / tổng cộng), then the figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Nhóm", *_heading("Tên")])
    for sheet_title, _, rows in _sections(report):
        for row in rows:
            writer.writerow([sheet_title, *_cells(row, row.figures)])
    writer.writerow([TOTAL_LABEL, *_cells(None, report.total)])
    for item in report.rejections:
        writer.writerow(
            ["Lý do từ chối", item.reason, reason_text(item.reason).summary, item.count]
        )
    return out.getvalue()


def to_json(report: MonthlyReport) -> str:
    def row(item: ReportRow) -> dict[str, object]:
        return {"code": item.code, "name": item.name, **asdict(item.figures)}

    document = {
        "month": report.label,
        "by_unit": [row(r) for r in report.by_unit],
        "by_agency": [row(r) for r in report.by_agency],
        "total": asdict(report.total),
        "rejections": [asdict(r) for r in report.rejections],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_pdf(report: MonthlyReport) -> bytes:
    pdf = new_pdf(TITLE)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 10, f"{TITLE.upper()} — THÁNG {report.month:02d}/{report.year}", align="C")
    pdf.ln(12)
    widths = (14, 40, *(20,) * len(FIGURE_NAMES), 19)
    for sheet_title, first, rows in _sections(report):
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 8, sheet_title, new_x="LMARGIN", new_y="NEXT")
        lines = [_cells(r, r.figures) for r in rows] + [_cells(None, report.total)]
        text = (tuple(str(c) for c in line) for line in lines)
        draw_table(pdf, tuple(_heading(first)), widths, text, new_page=False)
        pdf.ln(6)
    if report.rejections:
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 8, "Từ chối tiếp nhận theo lý do", new_x="LMARGIN", new_y="NEXT")
        reasons = ((reason_text(r.reason).summary, str(r.count)) for r in report.rejections)
        draw_table(pdf, ("Lý do", "Số thư"), (200, 30), reasons, new_page=False)
    return bytes(pdf.output())


def render_report(report: MonthlyReport, form: ReportFormat) -> bytes:
    """The report as the bytes of a file in ``form``."""
    if form is ReportFormat.XLSX:
        return to_xlsx(report)
    if form is ReportFormat.PDF:
        return to_pdf(report)
    if form is ReportFormat.CSV:
        return ("\ufeff" + to_csv(report)).encode("utf-8")  # BOM: Excel reads it as UTF-8
    return to_json(report).encode("utf-8")


def file_name(report: MonthlyReport, form: ReportFormat) -> str:
    return f"bao-cao-van-ban-den-{report.label}.{form.value}"
