"""Human-readable output of ``gateway quarantine …`` (``--json`` prints the data as is)."""

from __future__ import annotations

from typing import Any


def quarantine_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "Không có thư nào trong khu cách ly (quarantine is empty)."
    lines = [f"{'spool_id':<28} {'nhận lúc':<25} {'người gửi':<32} lý do"]
    for row in rows:
        lines.append(
            f"{row['spool_id']:<28} {row['received_at']:<25} "
            f"{(row['mail_from'] or '<>'):<32} {row['reason'][:80]}"
        )
    return "\n".join(lines)


def quarantine_detail(row: dict[str, Any]) -> str:
    lines = [f"{key}: {value}" for key, value in row.items() if key not in {"envelope", "state"}]
    lines += [f"state.{key}: {value}" for key, value in row["state"].items()]
    lines += [f"envelope.{key}: {value}" for key, value in row["envelope"].items()]
    return "\n".join(lines)


def action_line(row: dict[str, Any]) -> str:
    if row["action"] == "reject":
        answered = "đã gửi thư từ chối" if row["answered"] else "không gửi được thư trả lời"
        return f"{row['spool_id']}: đã từ chối; {answered}"
    return f"{row['spool_id']}: đã đưa lại vào hàng đợi ({row['done']})"
