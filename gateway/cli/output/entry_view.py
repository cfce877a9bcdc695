"""``gateway register show`` for a person: Vietnamese labels and dates, never codes.

The ``--json`` output stays the DESIGN §4.3 contract (codes, ISO 8601); this is only the
human rendering of the same object: dates ``dd/mm/yyyy`` and times ``dd/mm/yyyy HH:MM``
in the configured zone (the contract's times already carry it), urgency, status, roles
and signature verdicts by their Vietnamese names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from templates import URGENCY_LABELS, role_label
from templates.labels import STATUS_LABELS
from templates.signatures import VERDICTS

WIDTH = 20


def vn_moment(iso: str | None) -> str:
    """``2026-11-25T09:00:00+07:00`` → ``25/11/2026 09:00`` (the zone it is written in)."""
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")


def vn_day(iso: str | None) -> str:
    """``2026-11-20`` → ``20/11/2026``."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "-"


def verdict_label(code: str | None) -> str:
    """The verdict's short Vietnamese name ("Hợp lệ", "Không tin cậy", …)."""
    if not code:
        return "-"
    return VERDICTS.get(code, code).split(":", 1)[0]


def register_detail(row: dict[str, Any]) -> str:
    """One register entry (a DESIGN §4.3 object) as text for a clerk."""
    yes_no = {True: "có", False: "không"}
    labels = [
        ("Số đến", f"{row['year']}/{row['incoming_number']}"),
        ("Ngày giờ đến", vn_moment(row["received_at"])),
        ("Nơi gửi", (row["sender_agency"] or {}).get("name") or "-"),
        ("Địa chỉ gửi", row["sender_address"] or "-"),
        ("Số, ký hiệu", row["document_number"] or "-"),
        ("Ngày văn bản", vn_day(row["issued_on"])),
        ("Loại văn bản", row["document_type"] or "-"),
        ("Trích yếu", row["summary"] or "-"),
        ("Cơ quan ban hành", (row["issuer"] or {}).get("name") or "-"),
        ("Độ khẩn", URGENCY_LABELS.get(row["urgency"], row["urgency"] or "-")),
        ("Số trang", str(row["pages"] or "-")),
        ("Chỉ để tham khảo", yes_no[bool(row["reference_only"])]),
        ("Cần bản giấy", yes_no[bool(row.get("paper_required"))]),
        ("Cần xem lại", yes_no[bool(row["needs_review"])]),
        ("Trạng thái", STATUS_LABELS.get(row["status"], row["status"])),
    ]
    lines = [f"{label:<{WIDTH}} {value}" for label, value in labels]
    for assignment in row.get("assignments", []):
        due = assignment["due_at"]
        lines.append(
            f"{'Giao xử lý':<{WIDTH}} {assignment['unit']}: {role_label(assignment['role'])}"
            + (f", hạn {vn_moment(due)}" if due else "")
        )
    for n, sig in enumerate(row["signatures"], start=1):
        signed = f", ký lúc {vn_moment(sig['signed_at'])}" if sig.get("signed_at") else ""
        lines.append(
            f"{f'Chữ ký {n}':<{WIDTH}} {sig['signer'] or '-'} ({sig['organization'] or '-'})"
            f"{signed}: {verdict_label(sig['verdict'])}"
        )
    return "\n".join(lines)
