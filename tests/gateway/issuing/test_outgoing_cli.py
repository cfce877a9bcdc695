"""``gateway issue`` and ``gateway outgoing list|show|print`` as a clerk runs them
(DESIGN §4.7): exit codes, the JSON contract, the answered incoming entry (R-RESPONSE)
and the printed sổ đăng ký văn bản đi (NĐ 30 Phụ lục IV)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from gateway.cli.main import main
from gateway.spool.envelope import Envelope
from gateway.wiring import Components
from tests.gateway.issuing.conftest import CITY, city_document
from tests.support.messages import official_mail
from tests.support.pki import TestPki

LIST_FIELDS = {
    "id",
    "document_number",
    "issued_on",
    "summary",
    "issued_at",
    "answers",
    "respond_by",
    "recipients",
}
RECIPIENT_FIELDS = {"code", "address", "status", "updated_at", "their_number", "reasons"}


@pytest.fixture
def cli(city: Components, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Any:
    """``gateway … -c city/gateway.toml`` with the city's settings in the environment."""
    config = city.deployment.config_file
    assert config is not None
    monkeypatch.setenv("GATEWAY_GATEWAY__DATABASE_URL", database_url)
    monkeypatch.setenv("GATEWAY_GATEWAY__VERIFY_PROCESSES", "0")
    monkeypatch.setenv("GATEWAY_GATEWAY__PIPELINE_PROCESSES", "0")
    monkeypatch.setenv("GATEWAY_OUTGOING__FROM_ADDRESS", CITY)
    monkeypatch.setenv("GATEWAY_OUTGOING__AGENCY", '["VP"]')

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        monkeypatch.setattr("sys.stderr", err)
        code = main([*args, "-c", str(config)])
        return code, out.getvalue(), err.getvalue()

    return run


def test_issue_list_show_and_the_answered_entry(
    cli: Any, city: Components, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN incoming document 54/UBND-VP registered at the city
    WHEN the clerk issues 40/UBND-VP answering it, asking for an answer by 31/12/2026
    THEN ``issue --json`` exits 0 with the document; ``outgoing list --json`` prints the
    contract's fields (the answered entry as YEAR/NUMBER, respond_by as a date), each
    recipient with its own; ``--status`` filters; ``show`` adds the history; the mail went
    into the maildir (no relay configured)."""
    incoming = city.pipeline.process(
        "in-1",
        official_mail(
            sender=CITY.replace("vanthu", "vanphong"),
            to=CITY,
            attachments=[("cv54.pdf", signed_pdf, "application/pdf")],
        ),
        Envelope(
            received_at=datetime.now(UTC),
            protocol="smtp",
            mail_from="vanthu@vp.rachgia.example.gov.vn",
            rcpt_tos=(CITY,),
            source={},
        ),
    )
    assert incoming.entries, incoming
    pdf = tmp_path / "cv-40.pdf"
    pdf.write_bytes(city_document(pki, 40))
    code, out, err = cli(
        "issue",
        str(pdf),
        "--to",
        "QLDT,KT",
        "--answers",
        incoming.entries[0],
        "--respond-by",
        "2026-12-31",
        "--json",
    )
    assert code == 0, err
    issued = json.loads(out)

    code, out, _ = cli("outgoing", "list", "--json")
    listing = json.loads(out)
    assert code == 0 and len(listing) == 1
    document = listing[0]
    assert set(document) >= LIST_FIELDS
    assert document["id"] == issued["id"]
    assert document["document_number"] == "40/UBND-VP"
    assert document["issued_on"] == "2026-11-20"
    assert document["answers"] == incoming.entries[0]
    assert document["respond_by"] == "2026-12-31"
    assert datetime.fromisoformat(document["issued_at"]).utcoffset() is not None
    assert [r["code"] for r in document["recipients"]] == ["QLDT", "KT"]
    for recipient in document["recipients"]:
        assert set(recipient) >= RECIPIENT_FIELDS
        assert recipient["status"] == "sent"  # handed to the maildir by `issue` itself
        assert (recipient["their_number"], recipient["reasons"]) == (None, [])
    delivered = [p.read_bytes() for p in (city.deployment.data_dir / "outbox" / "new").iterdir()]
    assert sum(b"\r\nMessage-ID: <issue." in raw for raw in delivered) == 2

    assert json.loads(cli("outgoing", "list", "--status", "received", "--json")[1]) == []
    code, out, _ = cli("outgoing", "show", str(issued["id"]), "--json")
    shown = json.loads(out)
    assert [e["status"] for e in shown["history"]][:2] == ["queued", "queued"]
    code, out, _ = cli("outgoing", "show", str(issued["id"]))
    assert "Trả lời văn bản đến số" in out and "Phòng Quản lý đô thị thành phố" in out


def test_a_refusal_exits_1_with_the_reason_in_vietnamese(
    cli: Any, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a signed document stamped TỐI MẬT
    WHEN the clerk runs ``gateway issue`` on it
    THEN it exits 1, says why in Vietnamese, and the register stays empty."""
    pdf = tmp_path / "mat.pdf"
    pdf.write_bytes(city_document(pki, 41, secrecy_stamp="TỐI MẬT"))
    code, out, err = cli("issue", str(pdf), "--to", "QLDT", "--json")
    assert code == 1
    assert err.startswith("Không phát hành: Văn bản có dấu chỉ độ mật")
    assert json.loads(out)["refused"] == "secret-document"
    assert json.loads(cli("outgoing", "list", "--json")[1]) == []


def test_the_printed_outgoing_register(cli: Any, tmp_path: Path, pki: TestPki) -> None:
    """GIVEN two documents issued this year
    WHEN ``gateway outgoing print --year Y`` runs
    THEN the PDF has the cover (SỔ ĐĂNG KÝ VĂN BẢN ĐI, từ số 1 đến số 2), the NĐ 30
    columns with both documents and their recipients, numbered pages and the closing
    page to sign."""
    for number in (42, 43):
        pdf = tmp_path / f"cv-{number}.pdf"
        pdf.write_bytes(city_document(pki, number))
        assert cli("issue", str(pdf), "--to", "QLDT,phuong-xa")[0] == 0
    year = datetime.now(UTC).year
    output = tmp_path / "so-di.pdf"
    code, out, _ = cli("outgoing", "print", "--year", str(year), "--output", str(output))
    assert code == 0 and "2 văn bản" in out
    reader = PdfReader(output)
    pages = [page.extract_text() for page in reader.pages]
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in pages[0]
    assert "Từ số 1 đến số 2" in pages[0]
    body = " ".join(" ".join(pages[1:-1]).split())  # wrapped cells joined
    for heading in ("Số, ký hiệu", "Người ký", "Nơi nhận văn bản", "Số lượng bản", "Ký nhận"):
        assert heading in body
    assert "42/UBND-VP" in body and "43/UBND-VP" in body
    assert "Phòng Quản lý đô thị thành phố" in body
    assert f"Trang 2/{len(pages)}" in pages[1]
    assert "XÁC NHẬN KHÓA SỔ" in pages[-1]
