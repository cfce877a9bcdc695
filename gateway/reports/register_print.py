"""The printed sổ đăng ký văn bản đến (NĐ 30/2020, Điều 22.3.b and Phụ lục IV).

``gateway register print --year Y [--from --to] [--output FILE.pdf]``: an A4 landscape PDF
with the cover page (the agency and its parent body top left, as NĐ 30 Phụ lục IV draws
it, then năm, từ ngày … đến ngày, từ số … đến số, quyển số), the register's ten columns
(their names and numbers (1)–(10) repeated on every page, long text wrapped, pages
numbered "Trang x/y") and a closing page to sign (pages and documents held, người lập sổ,
thủ trưởng). The volume number (quyển số) of each year comes from ``[web]
register_volumes`` (default 1), the agency from ``[web] agency_name`` / ``agency_parent``.
"Đơn vị hoặc người nhận" lists the units the document is assigned to now: a unit it was
reassigned away from is not a recipient. A cancelled paper entry keeps its line, marked.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gateway.clerk.dates import DateError, parse_day
from gateway.config.settings import Deployment, load
from gateway.errors import UsageError
from gateway.reports.arguments import iso_date
from gateway.wiring import open_database
from registry.cancellations import EntryCancellation, cancellations_of
from registry.database import read_session
from registry.models import AssignmentRecord, AssignmentStatus, RegisterEntry
from registry.queries import entries_received_between, every_assignment_of
from templates import URGENCY_LABELS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
COLUMNS = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
# mm; 277 mm = A4 landscape less margins. The summary gets the room (it is what wraps);
# dates fit "dd/mm/yyyy" on one line (16.3 mm at 8 pt + 2 mm padding), the notes column
# its short notes.
WIDTHS = (20, 12, 32, 25, 20, 72, 34, 20, 14, 28)
NUMBERS = tuple(f"({n})" for n in range(1, len(COLUMNS) + 1))
DOTS = "……………………………"


@dataclass(frozen=True)
class PrintedRow:
    """One register line as printed: already text, in the order of :data:`COLUMNS`."""

    cells: tuple[str, ...]
    number: int


@dataclass(frozen=True)
class PrintedRegister:
    year: int
    volume: int
    period_from: date
    period_to: date
    rows: tuple[PrintedRow, ...]
    agency: str = ""  # the agency keeping the register ([web] agency_name)
    parent: str = ""  # its parent body, cơ quan chủ quản ([web] agency_parent)


def _day(value: datetime | date | None, zone: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return value.strftime("%d/%m/%Y")


def _note(entry: RegisterEntry, cancelled: EntryCancellation | None = None) -> str:
    notes = []
    if cancelled is not None:
        notes.append(f"Đã hủy: {cancelled.reason}")
    if entry.urgency != "thuong":
        notes.append(URGENCY_LABELS.get(entry.urgency, entry.urgency))
    if entry.reference_only:
        notes.append("Không ký số (tham khảo)")
    if entry.paper_required:
        notes.append("Có bản giấy")
    return "; ".join(notes)


def in_force(assignments: list[AssignmentRecord]) -> list[AssignmentRecord]:
    """The assignments that still name a recipient: not reassigned to another unit."""
    return [a for a in assignments if a.status != AssignmentStatus.REASSIGNED]


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
    """The entries of ``year`` received between the two dates (inclusive, local time);
    ``agency`` is (name, parent) for the cover."""
    with read_session(engine) as session:
        received = entries_received(session, year, (period_from, period_to), zone)
        cancelled = cancellations_of(session, [e.id for e, _ in received if e.id is not None])
    rows = []
    for entry, every in received:
        assignments = in_force(every)
        kind_and_summary = " - ".join(p for p in (entry.document_type, entry.summary) if p)
        cells = (
            _day(entry.received_at, zone),
            str(entry.incoming_number),
            entry.issuer_name or entry.sender_agency_name or entry.sender_address or "",
            entry.document_number or "",
            _day(entry.issued_on, zone),
            kind_and_summary,
            "; ".join(a.unit_name or a.unit_code for a in assignments),
            _day(min(a.created_at for a in assignments), zone) if assignments else "",
            "",
            _note(entry, cancelled.get(entry.id or 0)),
        )
        rows.append(PrintedRow(cells, entry.incoming_number))
    name, parent = agency
    return PrintedRegister(year, volume, period_from, period_to, tuple(rows), name, parent)


def entries_received(
    session: Session, year: int, dates: tuple[date, date], zone: tzinfo
) -> list[tuple[RegisterEntry, list[AssignmentRecord]]]:
    """The entries of ``year`` received between the dates (inclusive, local time), in
    number order, each with all its assignments (oldest first)."""
    start, end = dates
    low = datetime.combine(start, time.min, zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    entries = entries_received_between(session, year, low, high)
    assigned = every_assignment_of(session, entries)
    return [(entry, assigned.get(entry.id or 0, [])) for entry in entries]


class _Book(FPDF):
    """A printed book: every page after the cover numbered "Trang x/y", so that a page
    taken out of the signed, closed book shows."""

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-9)
        self.set_font(FONT, "", 7)
        self.cell(0, 4, f"Trang {self.page_no()}/{{nb}}", align="R")


def new_pdf(title: str = "Sổ đăng ký văn bản đến") -> FPDF:
    """An A4 landscape document with the DejaVu font (Vietnamese diacritics)."""
    pdf = _Book(orientation="L", unit="mm", format="A4")
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    return pdf


def cover(
    pdf: FPDF,
    register: PrintedRegister,
    title: str = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    nothing: str = "Không có văn bản đến",
) -> None:
    """The cover page: the parent body and the agency top left (NĐ 30 Phụ lục IV), then
    the title, năm, từ ngày … đến ngày, từ số … đến số, quyển số."""
    pdf.add_page()
    pdf.set_font(FONT, "", 11)
    pdf.cell(120, 6, (register.parent or DOTS).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(120, 6, (register.agency or DOTS).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(pdf.l_margin + 40, pdf.get_y() + 1, pdf.l_margin + 80, pdf.get_y() + 1)
    pdf.set_y(55)
    pdf.set_font(FONT, "B", 24)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 14)
    numbers = [row.number for row in register.rows]
    lines = (
        f"Năm: {register.year}",
        f"Từ ngày {_day(register.period_from, UTC)} đến ngày {_day(register.period_to, UTC)}",
        f"Từ số {min(numbers)} đến số {max(numbers)}" if numbers else nothing,
        f"Quyển số: {register.volume}",
    )
    pdf.ln(10)
    for line in lines:
        pdf.cell(0, 10, line, align="C", new_x="LMARGIN", new_y="NEXT")


def draw_table(
    pdf: FPDF,
    columns: tuple[str, ...],
    widths: tuple[int, ...],
    rows: Iterable[tuple[str, ...]],
    *,
    new_page: bool = True,
    numbers: tuple[str, ...] = (),
) -> None:
    """A table with its heading repeated on every page and long text wrapped; ``numbers``
    (e.g. "(1)"…"(10)") is a second heading row under the column names."""
    if new_page:
        pdf.add_page()
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4,
        repeat_headings=1,
        num_heading_rows=2 if numbers else 1,
        headings_style=FontFace(emphasis="BOLD"),
        v_align="TOP",
    ) as table:
        heading = table.row()
        for title in columns:
            heading.cell(title, align="C")
        if numbers:
            numbered = table.row()
            for number in numbers:
                numbered.cell(number, align="C")
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)


def closing(pdf: FPDF, register: PrintedRegister) -> None:
    """The last page (NĐ 30 Điều 22.3.b: the printed register is signed and closed): how
    many pages and documents the book holds, and room for the signatures, dated by hand."""
    pages = pdf.page_no() + 1  # this page included
    numbers = [row.number for row in register.rows]
    held = (
        f"{len(numbers)} văn bản, từ số {min(numbers)} đến số {max(numbers)}"
        if numbers
        else "không có văn bản nào"
    )
    period_text = (
        f"từ ngày {_day(register.period_from, UTC)} đến ngày {_day(register.period_to, UTC)}"
    )
    pdf.add_page()
    pdf.set_y(40)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 10, "XÁC NHẬN KHÓA SỔ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        7,
        f"Quyển số {register.volume} năm {register.year} gồm {pages} trang (kể cả trang bìa "
        f"và trang này), ghi {held}, {period_text}; "
        "in từ sổ đăng ký văn bản điện tử.",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.cell(0, 7, "…………, ngày …… tháng …… năm ……", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(FONT, "B", 11)
    pdf.cell(half, 7, "NGƯỜI LẬP SỔ", align="C")
    pdf.cell(half, 7, "THỦ TRƯỞNG CƠ QUAN, TỔ CHỨC", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(half, 6, "(Ký, ghi rõ họ tên)", align="C")
    pdf.cell(half, 6, "(Ký tên, đóng dấu)", align="C", new_x="LMARGIN", new_y="NEXT")


def render(register: PrintedRegister) -> bytes:
    pdf = new_pdf()
    cover(pdf, register)
    draw_table(pdf, COLUMNS, WIDTHS, (p.cells for p in register.rows), numbers=NUMBERS)
    closing(pdf, register)
    return bytes(pdf.output())


def period(year: int, date_from: str | None, date_to: str | None, today: date) -> tuple[date, date]:
    """The period to print: the given dates (dd/mm/yyyy as a clerk types them, or ISO as
    scripts do), by default 1 January to today (or to 31 December for a past year);
    ValueError (Vietnamese) when a date is malformed or outside the year."""
    try:
        start = parse_day(date_from or "") or date(year, 1, 1)
        end = parse_day(date_to or "")
    except DateError as exc:
        raise ValueError(str(exc)) from exc
    end = end or min(date(year, 12, 31), max(today, date(year, 1, 1)))
    if start > end or start.year != year or end.year != year:
        raise ValueError(f"khoảng ngày phải nằm trong năm {year}, ngày đầu không sau ngày cuối")
    return start, end


def print_register(
    engine: Engine, deployment: Deployment, year: int, start: date, end: date
) -> PrintedRegister:
    """The register of ``year`` between the dates, with the year's configured volume."""
    return collect(
        engine,
        deployment.zone,
        year=year,
        period_from=start,
        period_to=end,
        volume=deployment.settings.web.register_volumes.get(year, 1),
        agency=(deployment.settings.web.agency_name, deployment.settings.web.agency_parent),
    )


def cmd_print(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    year: int = args.year
    try:
        start, end = period(
            year, args.date_from, args.date_to, datetime.now(deployment.zone).date()
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    register = print_register(open_database(deployment), deployment, year, start, end)
    output: Path = args.output or Path(f"so-den-{year}.pdf")
    output.write_bytes(render(register))
    print(f"đã in sổ đăng ký văn bản đến năm {year} ({len(register.rows)} văn bản) → {output}")
    return 0


def add_parser(register: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway register print`` wired into the main parser."""
    printing = command(register, "print", cmd_print, "the printed register (PDF, NĐ 30)")
    printing.add_argument("--year", type=int, required=True)
    printing.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=iso_date)
    printing.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=iso_date)
    printing.add_argument("--output", type=Path, metavar="FILE.pdf")
