"""The phiếu giải quyết văn bản đến (NĐ 30/2020, Phụ lục IV; R-DISTRIB): one A4 page per
document with its identification, the leader's instruction with who gave it and when, the
lead, cooperating and informed units with their deadlines, and the handling record so far.

``gateway register slip YEAR/NUMBER [--output F.pdf]`` and the console's button
(``/register/YEAR/NUMBER/slip``) print it; fpdf2 with the DejaVu font, as the printed
register (:mod:`gateway.reports.register_print`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session

from gateway.reports.register_print import FONT, FONT_DIR
from registry.console.documents import events_of_entry
from registry.models import AssignmentRecord, AuditEvent, RegisterEntry
from registry.numbering import register_label
from registry.queries import every_assignment_of, get_entry
from registry.tracking.distribution import (
    Distribution,
    ProposedAssignment,
    distribution_of,
    proposal_of,
)
from registry.tracking.results import results_of
from templates import URGENCY_LABELS, role_label

ASSIGNMENT_STATES = {
    "assigned": "Đã giao",
    "in_progress": "Đang xử lý",
    "done": "Đã hoàn thành",
    "returned": "Trả lại văn thư",
    "reassigned": "Đã chuyển đơn vị khác",
}
HANDLING = {
    "entry.registered": "Vào sổ văn bản đến",
    "entry.proposed": "Trình lãnh đạo phân công (theo đề xuất của quy tắc)",
    "entry.distributed": "Lãnh đạo cho ý kiến phân công",
    "entry.assigned": "Chuyển đơn vị xử lý theo quy tắc",
    "assignment.assigned": "Văn thư phân công xử lý",
    "assignment.reassigned": "Chuyển đơn vị xử lý",
    "assignment.acknowledged": "Đơn vị đã nhận",
    "assignment.in_progress": "Đơn vị đang xử lý",
    "assignment.done": "Đơn vị báo hoàn thành",
    "assignment.return": "Đơn vị trả lại văn thư",
    "assignment.transfer_requested": "Đơn vị đề nghị chuyển",
    "assignment.transfer_decided": "Quyết định về đề nghị chuyển",
    "assignment.result_file": "Đơn vị gửi tệp kết quả",
    "entry.note": "Ghi chú",
}


@dataclass(frozen=True)
class Slip:
    """Everything the slip prints, already text."""

    incoming: str
    identification: tuple[tuple[str, str], ...]
    instruction: str
    decided: str  # "Nguyễn Văn A, 09:30 ngày 07/12/2026" or why not yet
    units: tuple[tuple[str, str, str, str], ...]  # role, unit, deadline, state
    record: tuple[tuple[str, str, str], ...]  # time, who, what
    results: tuple[str, ...] = ()  # "Phòng Tư pháp: ket-qua.pdf (09:30 ngày 07/12/2026)"


def _when(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%H:%M ngày %d/%m/%Y") if value else ""


def collect(session: Session, year: int, number: int, zone: tzinfo) -> Slip:
    entry = get_entry(session, year, number)  # NotFoundError
    row = distribution_of(session, entry.id or 0)
    assignments = every_assignment_of(session, [entry]).get(entry.id or 0, [])
    events = events_of_entry(session, entry.id or 0, list(HANDLING))
    names = {a.id: a.unit_name or a.unit_code for a in assignments}
    results = tuple(
        f"{names.get(r.assignment_id, '')}: {r.filename} ({_when(r.uploaded_at, zone)})"
        for r in results_of(session, entry.id or 0)
    )
    return Slip(
        results=results,
        incoming=register_label(entry.year, entry.incoming_number),
        identification=_identification(entry, zone),
        instruction=_instruction(row),
        decided=_decided(row, zone),
        units=_units(row, assignments, zone),
        record=tuple(
            (
                e.at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
                "Hệ thống" if e.actor == "system" else e.actor,
                _event_text(e),
            )
            for e in events
        ),
    )


def _identification(entry: RegisterEntry, zone: tzinfo) -> tuple[tuple[str, str], ...]:
    return (
        ("Số đến", f"{entry.incoming_number}/{entry.year}"),
        ("Ngày đến", _when(entry.received_at, zone)),
        ("Số, ký hiệu", entry.document_number or ""),
        ("Ngày tháng văn bản", entry.issued_on.strftime("%d/%m/%Y") if entry.issued_on else ""),
        ("Cơ quan ban hành", entry.issuer_name or entry.sender_agency_name or ""),
        ("Tên loại, trích yếu", " - ".join(p for p in (entry.document_type, entry.summary) if p)),
        ("Độ khẩn", URGENCY_LABELS.get(entry.urgency, entry.urgency)),
    )


def _instruction(row: Distribution | None) -> str:
    if row is None:
        return "Văn bản được chuyển xử lý theo quy chế làm việc (không trình lãnh đạo)."
    if row.decided_at is None:
        return "Đang chờ lãnh đạo cho ý kiến phân công, chỉ đạo giải quyết."
    return row.note or "Đồng ý giao xử lý như dưới đây."


def _decided(row: Distribution | None, zone: tzinfo) -> str:
    if row is None or row.decided_at is None:
        return ""
    who = row.decided_by or ""
    if row.leader_name and who in {row.leader_account, row.leader_mailbox}:
        who = row.leader_name
    if row.on_behalf_of:  # a delegate decided (§4.8)
        who = f"{who}, thay {row.on_behalf_of} theo ủy quyền"
    return f"{who}, {_when(row.decided_at, zone)}"


def _units(
    row: Distribution | None, assignments: list[AssignmentRecord], zone: tzinfo
) -> tuple[tuple[str, str, str, str], ...]:
    if assignments:
        return tuple(
            (
                role_label(a.role).capitalize(),
                a.unit_name or a.unit_code,
                _when(a.due_at, zone),
                ASSIGNMENT_STATES.get(a.status, a.status),
            )
            for a in assignments
        )
    proposal: list[ProposedAssignment] = proposal_of(row) if row is not None else []
    return tuple(
        (role_label(a.role).capitalize(), a.unit_name, _when(a.due_at, zone), "Đề xuất")
        for a in proposal
    )


def _event_text(event: AuditEvent) -> str:
    text = HANDLING.get(event.action, event.action)
    details = event.details
    if event.action == "assignment.transfer_decided":
        text = (
            f"Đồng ý chuyển cho đơn vị khác ({details.get('to_unit')})"
            if details.get("outcome") == "transferred"
            else "Giữ nguyên phân công, không chuyển"
        )
    behalf = details.get("on_behalf_of")
    if isinstance(behalf, str) and behalf:
        text = f"{text} (thay {behalf}, theo ủy quyền)"
    for key in ("note", "argument", "text", "reason"):
        value = details.get(key)
        if isinstance(value, str) and value:
            return f"{text}: {value}"
    unit = details.get("to_unit") or details.get("unit")
    return f"{text} ({unit})" if isinstance(unit, str) and unit else text


def render(slip: Slip) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Phiếu giải quyết văn bản đến số {slip.incoming}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width * 0.4, 5, "TÊN CƠ QUAN, TỔ CHỨC", align="C")
    pdf.cell(
        width * 0.6,
        5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "", 10)
    pdf.cell(width * 0.4, 5, "……………………", align="C")
    pdf.cell(
        width * 0.6, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(45, 130), text_align="LEFT", line_height=5, first_row_as_headings=False
    ) as table:
        for label, value in slip.identification:
            cells = table.row()
            cells.cell(label, style=FontFace(emphasis="BOLD"))
            cells.cell(value)
    pdf.ln(5)
    _heading(pdf, "1. Ý kiến phân công, chỉ đạo giải quyết của lãnh đạo cơ quan, tổ chức:")
    pdf.multi_cell(0, 6, slip.instruction, new_x="LMARGIN", new_y="NEXT")
    if slip.decided:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(
            0, 6, f"Người cho ý kiến: {slip.decided}", align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(3)
    _heading(pdf, "2. Đơn vị chủ trì, phối hợp và thời hạn giải quyết:")
    _table(pdf, ("Vai trò", "Đơn vị", "Hạn giải quyết", "Tình trạng"), (28, 72, 40, 35), slip.units)
    pdf.ln(5)
    _heading(pdf, "3. Quá trình giải quyết:")
    _table(pdf, ("Thời gian", "Người thực hiện", "Nội dung"), (32, 50, 93), slip.record)
    if slip.results:
        pdf.ln(2)
        pdf.multi_cell(0, 6, "Tệp kết quả giải quyết:", new_x="LMARGIN", new_y="NEXT")
        for line in slip.results:
            pdf.multi_cell(0, 6, f"- {line}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    _heading(pdf, "4. Ý kiến đề xuất của người giải quyết:")
    for _ in range(3):
        pdf.cell(0, 7, "." * 110, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)


def _table(
    pdf: FPDF, columns: tuple[str, ...], widths: tuple[int, ...], rows: tuple[tuple[str, ...], ...]
) -> None:
    if not rows:
        pdf.multi_cell(0, 6, "(chưa có)", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=5,
        headings_style=FontFace(emphasis="BOLD"),
        v_align="TOP",
    ) as table:
        heading = table.row()
        for title in columns:
            heading.cell(title)
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.set_font(FONT, "", 10)
