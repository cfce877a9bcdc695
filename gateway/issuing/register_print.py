"""The printed sổ đăng ký văn bản đi (NĐ 30/2020 Phụ lục IV; R-OUTREG).

``gateway outgoing print --year Y [--from --to] [--output FILE.pdf]``: A4 landscape, made
like the printed incoming register (:mod:`gateway.reports.register_print`, whose book,
table and closing page it reuses): a cover (năm, từ ngày … đến ngày, từ số … đến số, quyển
số), the ten columns of the outgoing register with the heading row on every page, pages
numbered "Trang x/y", and the closing page to sign. Rows are in outgoing-number order.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from gateway.config.settings import load
from gateway.errors import UsageError
from gateway.reports.arguments import iso_date
from gateway.reports.register_print import (
    PrintedRegister,
    PrintedRow,
    closing,
    cover,
    draw_table,
    new_pdf,
    period,
)
from gateway.wiring import open_database
from registry.database import read_session
from registry.outgoing.queries import issued_between
from registry.outgoing.views import OutgoingView
from templates import URGENCY_LABELS

TITLE = "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
COLUMNS = (
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
WIDTHS = (26, 20, 62, 26, 50, 22, 14, 20, 15, 22)  # mm; 277 mm = A4 landscape less margins


def _day(value: datetime | date | None, zone: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return value.strftime("%d/%m/%Y")


def row_of(view: OutgoingView, zone: tzinfo) -> PrintedRow:
    """One document as printed, in the order of :data:`COLUMNS`."""
    notes = []
    if view.urgency != "thuong":
        notes.append(URGENCY_LABELS.get(view.urgency, view.urgency))
    if view.answers:
        notes.append(f"Trả lời văn bản đến số {view.answers}")
    if view.respond_by:
        notes.append(f"Hạn trả lời {_day(view.respond_by, zone)}")
    cells = (
        view.document_number,
        _day(view.issued_on, zone),
        " - ".join(p for p in (view.document_type, view.summary) if p),
        view.signer_name or "",
        "; ".join(r.name for r in view.recipients),
        "Văn thư (lưu)",
        str(len(view.recipients)),
        _day(view.issued_at, zone),
        "",
        "; ".join(notes),
    )
    return PrintedRow(cells, view.outgoing_number)


def collect(
    engine: Engine,
    zone: tzinfo,
    *,
    year: int,
    period_from: date,
    period_to: date,
    volume: int,
    agency: tuple[str, str] = ("", ""),
) -> PrintedRegister:
    """The documents of ``year`` issued between the two dates (inclusive, local time)."""
    low = datetime.combine(period_from, time.min, zone).astimezone(UTC)
    high = datetime.combine(period_to + timedelta(days=1), time.min, zone).astimezone(UTC)
    with read_session(engine) as session:
        views = [v for v in issued_between(session, low, high) if v.year == year]
    views.sort(key=lambda v: v.outgoing_number)
    rows = tuple(row_of(v, zone) for v in views)
    name, parent = agency  # ours and our parent body, on the cover (NĐ 30 Phụ lục IV)
    return PrintedRegister(year, volume, period_from, period_to, rows, name, parent)


def render(register: PrintedRegister) -> bytes:
    pdf = new_pdf("Sổ đăng ký văn bản đi")
    cover(pdf, register, TITLE, nothing="Không có văn bản đi")
    draw_table(pdf, COLUMNS, WIDTHS, (row.cells for row in register.rows))
    closing(pdf, register)
    return bytes(pdf.output())


def cmd_print(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    year: int = args.year
    try:
        start, end = period(
            year, args.date_from, args.date_to, datetime.now(deployment.zone).date()
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    engine = open_database(deployment)
    try:
        register = collect(
            engine,
            deployment.zone,
            year=year,
            period_from=start,
            period_to=end,
            volume=deployment.settings.web.register_volumes.get(year, 1),
            agency=(deployment.settings.web.agency_name, deployment.settings.web.agency_parent),
        )
    finally:
        engine.dispose()
    output: Path = args.output or Path(f"so-di-{year}.pdf")
    output.write_bytes(render(register))
    print(f"đã in sổ đăng ký văn bản đi năm {year} ({len(register.rows)} văn bản) → {output}")
    return 0


def add_parser(outgoing: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway outgoing print``."""
    printing = command(outgoing, "print", cmd_print, "the printed outgoing register (PDF)")
    printing.add_argument("--year", type=int, required=True)
    printing.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=iso_date)
    printing.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=iso_date)
    printing.add_argument("--output", type=Path, metavar="FILE.pdf")
