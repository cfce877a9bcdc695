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
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gateway.reports.monthly_sections import Section, sections
from gateway.reports.register_print import FONT, draw_table, new_pdf
from gateway.reports.safe_cells import formulas_as_text
from registry.reports.exchange import EXCHANGE_NAMES, ExchangeRow
from registry.reports.reporting import (
    FIGURE_NAMES,
    Figures,
    MonthlyReport,
    ReportRow,
)
from registry.reports.values import IssueTimeliness
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
SHARE_LABEL = "Tỷ lệ chữ ký số hợp lệ"
EXCHANGE_TITLE = "Gửi, nhận văn bản điện tử theo đơn vị"
EXCHANGE_LABELS = {
    "issued": "Văn bản đã gửi đến đơn vị",
    "received": "Đơn vị đã xác nhận nhận",
    "median_hours": "Thời gian xác nhận (giờ làm việc, trung vị)",
    "refused": "Đơn vị từ chối nhận",
    "bounced": "Không chuyển được",
    "unanswered": "Chưa trả lời",
    "sent_to_us": "Văn bản điện tử đơn vị gửi đến",
}
# The chart's stacked segments (the console's, gateway.web.report_page): what became of each
# document counted in the month.
OUTCOMES = ("done_on_time", "done_late", "in_progress_within", "in_progress_overdue")
CHART_COLOURS = ("2E7D32", "EF6C00", "1565C0", "C62828")
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


def signed_share(figures: Figures) -> float:
    """Share of the documents received in the month whose signatures are all valid."""
    return figures.share(figures.signed_valid, figures.received)


def percent_text(value: float) -> str:
    """A percentage as Vietnamese write it: one decimal, decimal comma ("93,5%")."""
    return f"{value:.1f}".replace(".", ",") + "%"


def _cells(row: ReportRow | None, figures: Figures) -> list[str | int | float]:
    """A row's cells; the share as a fraction (the XLSX formats it as a percentage)."""
    head: list[str | int | float] = [row.code, row.name] if row else ["", TOTAL_LABEL]
    share = round(signed_share(figures) / 100, 3)
    return head + [getattr(figures, name) for name in FIGURE_NAMES] + [share]


def hours_text(value: float | None) -> str:
    """Working hours with a decimal comma ("1,5"); nothing confirmed: a dash."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _exchange_heading() -> list[str]:
    return ["Mã", "Đơn vị", *(EXCHANGE_LABELS[name] for name in EXCHANGE_NAMES)]


def _exchange_cells(row: ExchangeRow, *, text: bool = False) -> list[str | int | float | None]:
    """One unit's exchange; the median as a number (XLSX) or in words (CSV, PDF)."""
    values: list[str | int | float | None] = [row.code, row.name]
    for name in EXCHANGE_NAMES:
        value = getattr(row, name)
        values.append(hours_text(value) if text and name == "median_hours" else value)
    return values


def _exchange(report: MonthlyReport) -> list[ExchangeRow]:
    return [*report.exchange, *((report.exchange_total,) if report.exchange_total else ())]


def _text_cells(row: ReportRow | None, figures: Figures) -> list[str | int | float]:
    """A row's cells for text files (CSV, PDF): the share written "93,5%"."""
    return [*_cells(row, figures)[:-1], percent_text(signed_share(figures))]


def _heading(first: str) -> list[str]:
    return ["Mã", first, *(FIGURE_LABELS[name] for name in FIGURE_NAMES), SHARE_LABEL]


def _sections(report: MonthlyReport) -> list[tuple[str, str, tuple[ReportRow, ...]]]:
    return [
        ("Theo đơn vị", "Đơn vị chủ trì", report.by_unit),
        ("Theo cơ quan gửi", "Cơ quan gửi", report.by_agency),
    ]


def _lay_out(sheet: Worksheet, widths: dict[int, float]) -> None:
    """Bold title, heading and total rows; headings wrapped in a row tall enough for three
    lines (never clipped); the given column widths, 13 for the others; frozen headings."""
    bold = Font(bold=True)
    for cell in (*sheet[1], *sheet[2], *sheet[sheet.max_row]):
        cell.font = bold
    wrapped = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for cell in sheet[2]:
        cell.alignment = wrapped
    sheet.row_dimensions[2].height = 48
    for index in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(index, 13)
    sheet.freeze_panes = "C3"


def _chart(sheet: Worksheet, rows: int, month: str) -> None:
    """Stacked horizontal bars per unit below the table (the data rows 3 … rows + 2)."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"Kết quả giải quyết văn bản theo đơn vị chủ trì — tháng {month}"
    chart.y_axis.title = "Số văn bản"
    chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    chart.legend.position = "b"
    for outcome, colour in zip(OUTCOMES, CHART_COLOURS, strict=True):
        column = 3 + FIGURE_NAMES.index(outcome)
        data = Reference(sheet, min_col=column, min_row=2, max_row=rows + 2)
        chart.add_data(data, titles_from_data=True)
        chart.series[-1].graphicalProperties.solidFill = colour
    chart.set_categories(Reference(sheet, min_col=2, min_row=3, max_row=rows + 2))
    chart.width = 26  # cm
    chart.height = max(8.0, 0.7 * rows + 4)
    sheet.add_chart(chart, f"B{rows + 5}")


def _exchange_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    sheet.append([f"{EXCHANGE_TITLE} — tháng {report.month:02d}/{report.year}"])
    sheet.append(_exchange_heading())
    for unit in _exchange(report):
        sheet.append(_exchange_cells(unit))
    column = 3 + EXCHANGE_NAMES.index("median_hours")
    for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
        cell.number_format = "0.0"
    _lay_out(sheet, {1: 14, 2: 40})


def _section_sheet(sheet: Worksheet, report: MonthlyReport, section: Section) -> None:
    sheet.append([f"{section.title} — tháng {report.month:02d}/{report.year}"])
    for table in section.tables:
        sheet.append([])
        sheet.append(list(table.heading))
        for row in table.rows:
            sheet.append(list(row))
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    for index in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20


def to_xlsx(report: MonthlyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    percent_column = 3 + len(FIGURE_NAMES)
    for sheet_title, first, rows in _sections(report):
        sheet = book.create_sheet(sheet_title)
        sheet.append([f"{TITLE} — tháng {report.month:02d}/{report.year}"])
        sheet.append(_heading(first))
        for row in rows:
            sheet.append(_cells(row, row.figures))
        sheet.append(_cells(None, report.total))
        for (cell,) in sheet.iter_rows(min_row=3, min_col=percent_column, max_col=percent_column):
            cell.number_format = "0.0%"
        _lay_out(sheet, {1: 9, 2: 40})
        if rows and sheet_title == "Theo đơn vị":
            _chart(sheet, len(rows), f"{report.month:02d}/{report.year}")
    if report.exchange:
        _exchange_sheet(book.create_sheet("Gửi nhận theo đơn vị"), report)
    for section in sections(report):
        _section_sheet(book.create_sheet(section.sheet), report, section)
    reasons = book.create_sheet("Lý do từ chối")
    reasons.append(["Mã lý do", "Lý do", "Số thư"])
    for item in report.rejections:
        reasons.append([item.reason, reason_text(item.reason).summary, item.count])
    reasons.column_dimensions["A"].width = 28
    reasons.column_dimensions["B"].width = 60
    reasons["A1"].font = reasons["B1"].font = reasons["C1"].font = Font(bold=True)
    formulas_as_text(book)  # unit names and reasons come from data: never live formulas
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
            writer.writerow([sheet_title, *_text_cells(row, row.figures)])
    writer.writerow([TOTAL_LABEL, *_text_cells(None, report.total)])
    for item in report.rejections:
        writer.writerow(
            ["Lý do từ chối", item.reason, reason_text(item.reason).summary, item.count]
        )
    if report.exchange:
        writer.writerow([EXCHANGE_TITLE, *_exchange_heading()])
        for unit in _exchange(report):
            writer.writerow([EXCHANGE_TITLE, *_exchange_cells(unit, text=True)])
    for section in sections(report):
        for table in section.tables:
            writer.writerow([section.title, *table.heading])
            for cells in table.rows:
                writer.writerow([section.title, *cells])
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
        "exchange": [asdict(r) for r in report.exchange],
        "exchange_total": asdict(report.exchange_total) if report.exchange_total else None,
        "issuing": _issuing_json(report.issuing),
        "leaders": [asdict(row) for row in report.leaders],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _issuing_json(issuing: IssueTimeliness | None) -> dict[str, object] | None:
    if issuing is None:
        return None
    return {
        "issued": issuing.issued,
        "in_time": issuing.in_time,
        "undated": issuing.undated,
        "late": [
            {
                "document_number": item.document_number,
                "issued_on": item.issued_on.isoformat(),
                "issued_at": item.issued_at.isoformat(),
                "limit": item.limit.isoformat(),
            }
            for item in issuing.late
        ],
    }


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
        lines = [_text_cells(r, r.figures) for r in rows] + [_text_cells(None, report.total)]
        text = (tuple(str(c) for c in line) for line in lines)
        draw_table(pdf, tuple(_heading(first)), widths, text, new_page=False)
        pdf.ln(6)
    if report.exchange:
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 8, EXCHANGE_TITLE, new_x="LMARGIN", new_y="NEXT")
        exchange = (tuple(str(c) for c in _exchange_cells(r, text=True)) for r in _exchange(report))
        exchange_widths = (24, 70, *(26,) * len(EXCHANGE_NAMES))
        draw_table(pdf, tuple(_exchange_heading()), exchange_widths, exchange, new_page=False)
        pdf.ln(6)
    for section in sections(report):
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            cells = (tuple(str(c) for c in row) for row in table.rows)
            draw_table(pdf, table.heading, table.widths, cells, new_page=False)
            pdf.ln(3)
        pdf.ln(3)
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
