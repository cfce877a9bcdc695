"""Regenerate the signed sample document that ``gateway demo`` mails to itself.

Writes gateway/data/demo/root.pem (the demo test CA's root, trusted by the demo
deployment only) and gateway/data/demo/cong-van-mau.pdf (a công văn signed by a
person, then sealed by the agency). The keys are thrown away. Run from the repository
root: ``python scripts/make-demo-sample.py``.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pdfs import official_document_pdf  # noqa: E402
from tests.support.pki import make_pki  # noqa: E402
from tests.support.signing import sign_as_person_then_agency  # noqa: E402


def main() -> None:
    target = ROOT / "gateway" / "data" / "demo"
    target.mkdir(parents=True, exist_ok=True)
    pki = make_pki(person_name="Bùi Trung Thực")  # the agency seal of the city's office
    pdf = official_document_pdf(
        issuer_parent="ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        issuer="ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ",
        number="54",
        symbol="UBND-VP",
        place="Rạch Giá",
        issued_on=date(2026, 11, 20),
        summary="chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử trong các cơ quan nhà nước",
    )
    signed = sign_as_person_then_agency(
        pdf, pki, signed_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    )
    (target / "root.pem").write_bytes(pki.root_pem())
    (target / "cong-van-mau.pdf").write_bytes(signed)
    print(f"wrote {target / 'root.pem'} and {target / 'cong-van-mau.pdf'} ({len(signed)} bytes)")


if __name__ == "__main__":
    main()
