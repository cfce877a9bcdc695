"""What the command line shows: contract JSON (DESIGN §4.3) and tables for clerks."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gateway.cli.output.entry_view import vn_day, vn_moment
from gateway.pipeline.flow import ProcessResult
from registry import queries
from registry.database import read_session
from registry.mail import outbox
from registry.models import RegisterEntry
from registry.tracking import assignments
from registry.tracking.distribution import distribution_contract, distributions_of

OUTCOME_VI = {
    "accepted": "đã tiếp nhận",
    "rejected": "từ chối",
    "held": "chờ văn thư quyết định",
    "quarantined": "cách ly",
    "duplicate": "trùng (đã nhận trước đó)",
}


def register_rows(
    engine: Engine, zone: tzinfo, year: int | None, search: str | None
) -> list[dict[str, Any]]:
    with read_session(engine) as session:
        entries = queries.list_entries(session, year=year, search=search)
        return entry_rows(session, entries, zone)


def entry_rows(
    session: Session, entries: list[RegisterEntry], zone: tzinfo
) -> list[dict[str, Any]]:
    """Entries as DESIGN §4.3 objects, with their signatures and assignments."""
    signatures = queries.signatures_of(session, entries)
    assigned = assignments.assignments_of(session, entries)
    distributed = distributions_of(session, entries)  # DESIGN §4.8
    return [
        queries.entry_contract(e, signatures.get(e.id or 0, []), zone, assigned.get(e.id or 0, []))
        | {"distribution": distribution_contract(distributed.get(e.id or 0), zone)}
        for e in entries
    ]


def register_entry(engine: Engine, zone: tzinfo, year: int, number: int) -> dict[str, Any]:
    with read_session(engine) as session:
        entry = queries.get_entry(session, year, number)
        return entry_rows(session, [entry], zone)[0]


def inbound_rows(engine: Engine, zone: tzinfo) -> list[dict[str, Any]]:
    with read_session(engine) as session:
        messages = queries.list_inbound(session)
        numbers = queries.entry_numbers_by_inbound(session, messages)
        return [queries.inbound_contract(m, numbers.get(m.id or 0, []), zone) for m in messages]


def outbox_rows(engine: Engine, zone: tzinfo) -> list[dict[str, Any]]:
    with read_session(engine) as session:
        return [
            {
                "message_id": row.message_id,
                "kind": row.kind,
                "recipient": row.recipient,
                "status": row.status,
                "attempts": row.attempts,
                "created_at": row.created_at.astimezone(zone).isoformat(),
                "next_attempt_at": row.next_attempt_at.astimezone(zone).isoformat(),
                "sent_at": row.sent_at.astimezone(zone).isoformat() if row.sent_at else None,
                "last_error": row.last_error,
            }
            for row in outbox.list_outbox(session)
        ]


def ingest_line(path: Path, result: ProcessResult) -> str:
    outcome = OUTCOME_VI.get(result.outcome, result.outcome)
    parts = [f"{path}: {outcome}"]
    if result.entries:
        parts.append("số đến " + ", ".join(result.entries))
    if result.reasons:
        parts.append("lý do: " + ", ".join(result.reasons))
    if result.already_done:
        parts.append("(đã xử lý trước đó)")
    return "; ".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "(không có dữ liệu)"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _clip(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def register_table(rows: list[dict[str, Any]]) -> str:
    return _table(
        ["Số đến", "Ngày đến", "Số, ký hiệu", "Ngày VB", "Loại", "Nơi gửi", "Trích yếu"],
        [
            [
                f"{r['year']}/{r['incoming_number']}",
                vn_moment(r["received_at"]),  # dd/mm/yyyy, as register show (JSON: ISO)
                r["document_number"] or "",
                vn_day(r["issued_on"]) if r["issued_on"] else "",
                r["document_type"] or "",
                _clip((r["sender_agency"] or {}).get("name") or r["sender_address"], 32),
                _clip(r["summary"], 50),
            ]
            for r in rows
        ],
    )


def register_detail(row: dict[str, Any]) -> str:
    labels = [
        ("Số đến", f"{row['year']}/{row['incoming_number']}"),
        ("Ngày giờ đến", row["received_at"]),
        ("Nơi gửi", (row["sender_agency"] or {}).get("name") or "-"),
        ("Địa chỉ gửi", row["sender_address"] or "-"),
        ("Số, ký hiệu", row["document_number"] or "-"),
        ("Ngày văn bản", row["issued_on"] or "-"),
        ("Loại văn bản", row["document_type"] or "-"),
        ("Trích yếu", row["summary"] or "-"),
        ("Cơ quan ban hành", (row["issuer"] or {}).get("name") or "-"),
        ("Độ khẩn", row["urgency"]),
        ("Số trang", str(row["pages"] or "-")),
        ("Chỉ để tham khảo", "có" if row["reference_only"] else "không"),
        ("Cần xem lại", "có" if row["needs_review"] else "không"),
        ("Trạng thái", row["status"]),
    ]
    lines = [f"{label:<18} {value}" for label, value in labels]
    for n, sig in enumerate(row["signatures"], start=1):
        lines.append(
            f"Chữ ký {n:<10} {sig['signer']} ({sig['organization']}): {sig['verdict']}"
            + (f" — {'; '.join(sig['reasons'])}" if sig["reasons"] else "")
        )
    return "\n".join(lines)


def inbound_table(rows: list[dict[str, Any]]) -> str:
    return _table(
        ["Thời gian", "Người gửi", "Kết quả", "Số đến", "Lý do", "Tiêu đề"],
        [
            [
                vn_moment(r["received_at"]),
                _clip(r["sender_address"], 36),
                OUTCOME_VI.get(r["outcome"], r["outcome"]),
                ", ".join(r["entries"]),
                ", ".join(r["reasons"]),
                _clip(r["subject"], 40),
            ]
            for r in rows
        ],
    )


def outbox_table(rows: list[dict[str, Any]]) -> str:
    return _table(
        ["Loại", "Người nhận", "Trạng thái", "Lần gửi", "Lần tới", "Lỗi gần nhất"],
        [
            [
                r["kind"],
                _clip(r["recipient"], 36),
                r["status"],
                str(r["attempts"]),
                r["next_attempt_at"][:19].replace("T", " ") if r["status"] == "pending" else "",
                _clip(r["last_error"], 50),
            ]
            for r in rows
        ],
    )
