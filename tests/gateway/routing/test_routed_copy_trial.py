"""Routed copies as a trial found them: refused documents rode along, the lead unit went
unnamed. In process on SQLite and PostgreSQL, real signed PDFs, the real routing rules."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from registry.database import read_session
from registry.models import AttachmentRecord
from tests.gateway.pipeline.test_pipeline import envelope, outbox
from tests.gateway.routing.test_routing_pipeline import (
    mail,
    routed_copies,
    routed_pipeline,
    sha,
    signed,
    text_of,
)
from tests.support.pki import TestPki
from tests.support.signing import flip_byte_in_signed_range


def _attachment_hashes(message: EmailMessage) -> set[str]:
    hashes = set()
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) if isinstance(part, EmailMessage) else None
        if isinstance(payload, bytes):
            hashes.add(sha(payload))
    return hashes


def _html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def test_a_refused_pdf_is_never_forwarded_and_the_routed_copy_lists_it(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN one message with a valid signed budget document and a second document whose
    signed bytes were tampered with WHEN processed (partially accepted)
    THEN every routed copy carries the valid document but never the tampered one, and says
    in Vietnamese that the tampered file was not accepted, with the reason."""
    summary = "giao dự toán ngân sách năm 2027"
    valid = signed(pki, "71", summary)
    tampered = flip_byte_in_signed_range(signed(pki, "72", "bổ sung dự toán ngân sách"))
    raw = mail(valid, "71", summary, ("72-UBND-VP.pdf", tampered, "application/pdf"))

    result = routed_pipeline(engine, tmp_path, pki).process("mixed", raw, envelope())

    assert result.outcome == "accepted" and result.entries == ("2026/1",)
    assert "signature-invalid" in result.reasons
    copies = routed_copies(outbox(engine))
    assert len(copies) == 3  # TCKH lead, KT cooperating, VP for information
    for copy in copies:
        carried = _attachment_hashes(copy)
        assert sha(valid) in carried
        assert sha(tampered) not in carried
        text = text_of(copy)
        assert "Văn bản khác trong cùng thư không được chuyển kèm" in text
        assert "72-UBND-VP.pdf: không được tiếp nhận. Chữ ký số trên văn bản không hợp lệ." in text
        assert "72-UBND-VP.pdf" in _html_of(copy)
    with read_session(engine) as session:  # later copies (reassignment) leave it out too
        roles = {a.sha256: a.role for a in session.scalars(select(AttachmentRecord))}
    assert roles[sha(tampered)] == "refused"


def test_r_lead_a_cooperating_units_copy_names_the_lead_and_the_other_cooperating_units(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a land document routed to TNMT (lead) with TP and QLDT cooperating, 5 working
    days each WHEN processed
    THEN the copy to TP names TNMT as the lead unit and QLDT as the other cooperating unit,
    each with its deadline; the lead's copy names both cooperating units."""
    summary = "giải quyết tranh chấp đất đai tại phường Vĩnh Thanh"
    raw = mail(signed(pki, "73", summary), "73", summary)

    routed_pipeline(engine, tmp_path, pki).process("land", raw, envelope())

    by_unit = {str(m["To"]): text_of(m) for m in routed_copies(outbox(engine))}
    to_tp = by_unit["tp@example.gov.vn"]
    assert "Đơn vị chủ trì: Phòng Tài nguyên và Môi trường (hạn xử lý " in to_tp
    assert "Các đơn vị phối hợp khác: Phòng Quản lý đô thị (hạn xử lý " in to_tp
    assert "Phòng Tư pháp (hạn" not in to_tp  # itself not listed among the others
    to_lead = by_unit["tnmt@example.gov.vn"]
    assert "Đơn vị phối hợp: Phòng Tư pháp (hạn xử lý " in to_lead
    assert "Phòng Quản lý đô thị (hạn xử lý " in to_lead
