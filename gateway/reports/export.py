"""The register list as an XLSX workbook: the page's filters, the columns a person chose.

``GET /register/export.xlsx?<the register page's filters>&col=number&col=summary…``
(see :mod:`gateway.web.report_page`). Without ``col`` every column is exported. Dates are
real spreadsheet dates in the deployment's time zone; at most :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from gateway.reports.safe_cells import formulas_as_text
from registry.console.documents import units_in_force
from registry.models import RegisterEntry
from templates import URGENCY_LABELS
from templates.labels import STATUS_LABELS

MAX_ROWS = 50_000
Cell = str | int | date | datetime | None


class ExportColumn(StrEnum):
    NUMBER = "number"
    RECEIVED = "received"
    SENDER = "sender"
    DOCUMENT_NUMBER = "document_number"
    ISSUED_ON = "issued_on"
    TYPE = "type"
    SUMMARY = "summary"
    URGENCY = "urgency"
    STATUS = "status"
    UNITS = "units"


@dataclass(frozen=True)
class _Context:
    zone: tzinfo
    units: dict[int, list[str]]


def _naive_local(moment: datetime, zone: tzinfo) -> datetime:
    """Spreadsheets have no time zones: the local wall time, without offset."""
    return moment.astimezone(zone).replace(tzinfo=None)


COLUMNS: dict[ExportColumn, tuple[str, Callable[[RegisterEntry, _Context], Cell]]] = {
    ExportColumn.NUMBER: ("Số đến", lambda e, c: f"{e.incoming_number}/{e.year}"),
    ExportColumn.RECEIVED: ("Ngày đến", lambda e, c: _naive_local(e.received_at, c.zone)),
    ExportColumn.SENDER: (
        "Nơi gửi",
        lambda e, c: e.sender_agency_name or e.sender_address or "",
    ),
    ExportColumn.DOCUMENT_NUMBER: ("Số, ký hiệu", lambda e, c: e.document_number or ""),
    ExportColumn.ISSUED_ON: ("Ngày văn bản", lambda e, c: e.issued_on),
    ExportColumn.TYPE: ("Loại văn bản", lambda e, c: e.document_type or ""),
    ExportColumn.SUMMARY: ("Trích yếu", lambda e, c: e.summary or ""),
    ExportColumn.URGENCY: ("Độ khẩn", lambda e, c: URGENCY_LABELS.get(e.urgency, e.urgency)),
    ExportColumn.STATUS: ("Tình trạng", lambda e, c: STATUS_LABELS.get(e.status, e.status)),
    ExportColumn.UNITS: ("Đơn vị xử lý", lambda e, c: "; ".join(c.units.get(e.id or 0, []))),
}

EXPORT_CHOICES = tuple((column.value, heading) for column, (heading, _) in COLUMNS.items())


def parse_columns(values: Sequence[str]) -> tuple[ExportColumn, ...]:
    """The chosen columns in the canonical order; unknown names ignored; none → all."""
    chosen = set(values)
    picked = tuple(column for column in ExportColumn if column.value in chosen)
    return picked or tuple(ExportColumn)


def export_xlsx(
    session: Session,
    entries: Iterable[RegisterEntry],
    columns: Sequence[ExportColumn],
    zone: tzinfo,
) -> bytes:
    """The workbook: a bold heading row, then one row per entry in the given order."""
    rows = list(entries)[:MAX_ROWS]
    context = _Context(zone, units_in_force(session, [e.id for e in rows if e.id is not None]))
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ văn bản đến"
    sheet.append([COLUMNS[column][0] for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in rows:
        sheet.append([COLUMNS[column][1](entry, context) for column in columns])
    for index, column in enumerate(columns):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = 60 if column is ExportColumn.SUMMARY else 18
    sheet.freeze_panes = "A2"
    formulas_as_text(book)  # a summary "=HYPERLINK(…)" stays text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
