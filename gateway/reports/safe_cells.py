"""Spreadsheet cells written as what they are: text stays text.

openpyxl stores any string that begins with "=" as a live formula. A register's summary
(trích yếu), a subject or a unit name comes from a stranger's mail: ``=HYPERLINK(…)`` or
``=WEBSERVICE(…)`` in it must reach the clerk's spreadsheet as the characters it is, never
as something Excel runs (formula injection). The workbooks we write have no formulas of
their own, so every formula cell is turned back into text before saving.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook


def formulas_as_text(book: Workbook) -> None:
    """Every cell of ``book`` that openpyxl took for a formula becomes a text cell."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
