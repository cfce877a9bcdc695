"""``gateway trust check FILE.pdf``: the full signature report of one file, for a clerk.

Verifies the file as if it arrived now (validation time = now, never the claimed signing
time) against the configured trust store, and renders each signature in Vietnamese:
verdict, indication and sub-indication explained, signer, organisation, signing time in
the configured zone, timestamp, coverage, modifications, chain and revocation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailparse.signatures.verdicts import PdfSignatures, SignatureReport
from templates.signatures import (
    COVERAGE,
    INDICATIONS,
    MODIFICATIONS,
    REVOCATION,
    SUB_INDICATIONS,
    VERDICTS,
    explain,
)


def report_json(
    signatures: PdfSignatures, file: str, checked_at: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    return {
        "file": file,
        "checked_at": checked_at.astimezone(zone).isoformat(),
        "signed": signatures.signed,
        "worst_verdict": str(signatures.worst) if signatures.worst else None,
        "signatures": [_signature_json(s, zone) for s in signatures.signatures],
    }


def _signature_json(s: SignatureReport, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "field": s.field_name,
        "signer": s.signer,
        "organization": s.organization,
        "signed_at": s.signed_at.astimezone(zone).isoformat() if s.signed_at else None,
        "verdict": str(s.verdict),
        "reasons": list(s.details),
        "indication": str(s.indication),
        "sub_indication": str(s.sub_indication) if s.sub_indication else None,
        "coverage": str(s.coverage) if s.coverage else None,
        "modification_level": s.modification_level,
        "timestamp_trusted": s.timestamp_trusted,
        "revocation": str(s.revocation) if s.revocation else None,
        "chain": list(s.chain),
        "serial": s.serial,
        "issuer": s.issuer,
        "untrusted_ca": s.untrusted_ca,
    }


def report_text(data: dict[str, Any]) -> str:
    """The JSON report as Vietnamese text for a clerk."""
    lines = [
        f"Tệp: {data['file']}",
        f"Thời điểm kiểm tra: {_when(data['checked_at'])}",
    ]
    if not data["signed"]:
        lines.append("Văn bản không có chữ ký số (chỉ có giá trị tham khảo).")
        return "\n".join(lines)
    lines.append(f"Kết luận chung: {explain(VERDICTS, data['worst_verdict'])}")
    for n, s in enumerate(data["signatures"], start=1):
        lines += ["", f"Chữ ký {n} (ô {s['field']}):"]
        if s.get("untrusted_ca"):  # DESIGN §4.5: say plainly where the chain ends
            lines.append(
                f"  Chuỗi chứng thư kết thúc ở tổ chức cấp chứng thư “{s['untrusted_ca']}”, "
                "không phải tổ chức chứng thực được tin cậy (không có trong kho tin cậy)."
            )
        rows = [
            ("Kết luận", explain(VERDICTS, s["verdict"])),
            ("Chỉ dẫn ETSI", explain(INDICATIONS, s["indication"])),
            (
                "Chi tiết",
                f"{s['sub_indication']}: {explain(SUB_INDICATIONS, s['sub_indication'])}"
                if s["sub_indication"]
                else "-",
            ),
            ("Người ký", s["signer"] or "-"),
            ("Cơ quan, tổ chức", s["organization"] or "-"),
            ("Thời điểm ký (tự khai)", _when(s["signed_at"])),
            ("Dấu thời gian tin cậy", "có" if s["timestamp_trusted"] else "không"),
            ("Phạm vi ký", explain(COVERAGE, s["coverage"])),
            ("Thay đổi sau khi ký", explain(MODIFICATIONS, s["modification_level"])),
            ("Chuỗi chứng thư", " → ".join(s["chain"]) or "-"),
            ("Tình trạng thu hồi", explain(REVOCATION, s["revocation"])),
            ("Số hiệu chứng thư", s["serial"] or "-"),
            ("Ghi chú kỹ thuật", "; ".join(s["reasons"]) or "-"),
        ]
        lines += [f"  {label:<24} {value}" for label, value in rows]
    return "\n".join(lines)


def _when(iso: str | None) -> str:
    if not iso:
        return "-"
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%d/%m/%Y %H:%M:%S (UTC%z)")
