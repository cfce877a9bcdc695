"""The monthly report's sections beyond the register's figures (R-MONTHLY): whether our
own documents were issued in time (R-ISSUE) and each leader's distributions (R-DISTRIB).

Each is a :class:`Section` of plain tables — a heading and rows of text and numbers — that
every form lays out the same way: one XLSX sheet, CSV rows headed by the section's title,
PDF tables, the console's tables (:mod:`gateway.reports.monthly`,
:mod:`gateway.web.report_page`).
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.reports.values import (
    LEADER_FIGURES,
    IssueTimeliness,
    LateIssue,
    LeaderRow,
    MonthlyReport,
)

Cell = str | int


@dataclass(frozen=True)
class Table:
    heading: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...]  # PDF column widths, mm


@dataclass(frozen=True)
class Section:
    key: str  # the console's anchor
    sheet: str  # the XLSX sheet's name (at most 31 characters)
    title: str
    note: str  # where the rule comes from, for the console
    tables: tuple[Table, ...]


ISSUE_TITLE = "Phát hành văn bản đi (trong ngày, chậm nhất sáng ngày làm việc kế tiếp)"
ISSUE_LABELS = {
    "issued": "Văn bản đã phát hành",
    "in_time": "Phát hành đúng hạn",
    "late": "Phát hành muộn",
    "undated": "Không đọc được ngày văn bản (không xét)",
}
LATE_HEADING = ("Số, ký hiệu", "Ngày văn bản", "Phát hành lúc", "Hạn phát hành")
LEADERS_TITLE = "Ý kiến phân công của lãnh đạo"
LEADER_LABELS = {
    "proposed": "Văn bản trình",
    "decided_in_time": "Phân công trong hạn",
    "decided_late": "Phân công quá hạn",
    "waiting": "Chờ phân công, còn hạn",
    "waiting_overdue": "Chờ phân công, quá hạn",
}
NO_LEADER = "Chưa có lãnh đạo được chỉ định"


def late_cells(item: LateIssue) -> tuple[str, str, str, str]:
    """A late document's number, date, issue time and limit (local times, dd/mm/yyyy)."""
    return (
        item.document_number,
        item.issued_on.strftime("%d/%m/%Y"),
        item.issued_at.strftime("%H:%M %d/%m/%Y"),
        item.limit.strftime("%H:%M %d/%m/%Y"),
    )


def issuing_section(issuing: IssueTimeliness) -> Section:
    counts = {
        "issued": issuing.issued,
        "in_time": issuing.in_time,
        "late": len(issuing.late),
        "undated": issuing.undated,
    }
    figures = Table(
        ("Chỉ tiêu", "Số văn bản"),
        tuple((ISSUE_LABELS[name], value) for name, value in counts.items()),
        (200, 30),
    )
    tables = [figures]
    if issuing.late:
        tables.append(
            Table(LATE_HEADING, tuple(late_cells(item) for item in issuing.late), (80, 40, 50, 50))
        )
    return Section(
        "phat-hanh",
        "Phát hành văn bản đi",
        ISSUE_TITLE,
        "Theo Quyết định 278/QĐ-UBND, mục 3.3: văn bản đi được đăng ký và phát hành trong ngày "
        "ghi trên văn bản, chậm nhất sáng ngày làm việc kế tiếp; văn bản khẩn phát hành ngay "
        "trong ngày.",
        tuple(tables),
    )


def leaders_section(rows: tuple[LeaderRow, ...]) -> Section:
    heading = ("Lãnh đạo", *(LEADER_LABELS[name] for name in LEADER_FIGURES))
    cells = tuple(
        (row.leader or NO_LEADER, *(getattr(row, name) for name in LEADER_FIGURES)) for row in rows
    )
    return Section(
        "phan-cong",
        "Ý kiến phân công",
        LEADERS_TITLE,
        "Văn bản đến trong tháng trình lãnh đạo cho ý kiến phân công; hạn là sáng ngày làm "
        "việc kế tiếp sau khi nhận (văn bản khẩn: 1 giờ làm việc), như chỉ tiêu giao xử lý.",
        (Table(heading, cells, (70, *(32,) * len(LEADER_FIGURES))),),
    )


def sections(report: MonthlyReport) -> list[Section]:
    found = []
    if report.issuing is not None:
        found.append(issuing_section(report.issuing))
    if report.leaders:
        found.append(leaders_section(report.leaders))
    return found
