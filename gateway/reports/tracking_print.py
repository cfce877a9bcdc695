"""The printed sổ theo dõi giải quyết văn bản đến (NĐ 30/2020, Phụ lục IV), 7 columns.

``gateway register track --year Y [--from --to] [--output FILE.pdf]`` (wired in
:mod:`gateway.cli.report`): an A4 landscape
PDF made with the printed register's page helpers (:mod:`gateway.reports.register_print`): the
same cover (titled for this book, same volume numbering) and a table whose heading row
repeats on every page. Columns: Số đến, Ngày đến, Trích yếu nội dung, Đơn vị hoặc người
nhận (the lead first, marked "chủ trì"), Thời hạn giải quyết (the lead's), Tiến độ giải
quyết (done on …, in progress, overdue, not assigned), Ghi chú.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from fpdf import FPDF
from sqlalchemy.engine import Engine

from gateway.config.settings import Deployment, load
from gateway.errors import UsageError
from gateway.reports.register_print import (
    PrintedRegister,
    PrintedRow,
    closing,
    cover,
    draw_table,
    entries_received,
    new_pdf,
    period,
)
from gateway.wiring import open_database
from registry.database import read_session
from registry.models import AssignmentRecord, AssignmentStatus, RegisterEntry
from templates import URGENCY_LABELS

TITLE = "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN"
COLUMNS = (
    "Số đến",
    "Ngày đến",
    "Trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Thời hạn giải quyết",
    "Tiến độ giải quyết",
    "Ghi chú",
)
WIDTHS = (16, 22, 90, 50, 25, 44, 30)  # mm; 277 mm = A4 landscape less margins


def _day(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y") if moment else ""


def _lead(assignments: list[AssignmentRecord]) -> AssignmentRecord | None:
    leads = [a for a in assignments if a.role == "lead"]
    return leads[0] if leads else None


def progress(lead: AssignmentRecord | None, now: datetime, zone: tzinfo) -> str:
    """Where the lead unit stands, in words a clerk writes in the book."""
    if lead is None:
        return "Chưa giao xử lý"
    if lead.status == AssignmentStatus.DONE:
        late = lead.due_at is not None and lead.done_at is not None and lead.done_at > lead.due_at
        done = f"Đã giải quyết ngày {_day(lead.done_at, zone)}"
        return done + (" (quá hạn)" if late else "")
    if lead.status == AssignmentStatus.RETURNED:
        return "Đơn vị trả lại văn thư"
    if lead.due_at is not None and lead.due_at < now:
        return "Đang giải quyết, đã quá hạn"
    return "Đang giải quyết"


def _row(
    entry: RegisterEntry, assignments: list[AssignmentRecord], now: datetime, zone: tzinfo
) -> PrintedRow:
    lead = _lead(assignments)
    names = [
        (a.unit_name or a.unit_code) + (" (chủ trì)" if a is lead else "")
        for a in sorted(assignments, key=lambda a: a is not lead)
    ]
    summary = " - ".join(p for p in (entry.document_number, entry.summary) if p)
    note = URGENCY_LABELS.get(entry.urgency, entry.urgency) if entry.urgency != "thuong" else ""
    cells = (
        str(entry.incoming_number),
        _day(entry.received_at, zone),
        summary,
        "; ".join(names),
        _day(lead.due_at if lead else None, zone),
        progress(lead, now, zone),
        note,
    )
    return PrintedRow(cells, entry.incoming_number)


def collect(
    engine: Engine, deployment: Deployment, year: int, dates: tuple[date, date], now: datetime
) -> PrintedRegister:
    """The entries of ``year`` received between the dates (inclusive, local time), with
    their assignments still in force (reassigned ones left out)."""
    zone = deployment.zone
    with read_session(engine) as session:
        received = entries_received(session, year, dates, zone)
    in_force = (  # a reassigned unit no longer handles the document
        (entry, [a for a in assignments if a.status != AssignmentStatus.REASSIGNED])
        for entry, assignments in received
    )
    rows = tuple(_row(entry, assignments, now, zone) for entry, assignments in in_force)
    volume = deployment.settings.web.register_volumes.get(year, 1)
    return PrintedRegister(year, volume, *dates, rows)


def render(book: PrintedRegister) -> bytes:
    pdf: FPDF = new_pdf("Sổ theo dõi giải quyết văn bản đến")
    cover(pdf, book, TITLE)
    draw_table(pdf, COLUMNS, WIDTHS, (row.cells for row in book.rows))
    closing(pdf, book)
    return bytes(pdf.output())


def cmd_track(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    year: int = args.year
    now = datetime.now(UTC)
    try:
        today = now.astimezone(deployment.zone).date()
        dates = period(year, args.date_from, args.date_to, today)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    book = collect(open_database(deployment), deployment, year, dates, now)
    output: Path = args.output or Path(f"so-theo-doi-{year}.pdf")
    output.write_bytes(render(book))
    print(
        f"đã in sổ theo dõi giải quyết văn bản đến năm {year} ({len(book.rows)} văn bản) → {output}"
    )
    return 0
