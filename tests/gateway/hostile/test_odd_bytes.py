"""Odd bytes must not lose a message: control characters and path parts in file names,
in process through the real pipeline and router, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from gateway.spool.envelope import Envelope
from registry.database import read_session
from registry.models import AttachmentRecord, OutboxMessage
from tests.gateway.tracking.test_replies import AGENCY, GATEWAY, RECEIVED, routed_pipeline
from tests.support.pki import TestPki


def _mail_with_file(pdf: bytes, disposition: str) -> bytes:
    body = base64.encodebytes(pdf).decode("ascii").replace("\n", "\r\n")
    return (
        f"From: {AGENCY}\r\nTo: {GATEWAY}\r\n"
        "Subject: =?utf-8?q?G=E1=BB=ADi_v=C4=83n_b=E1=BA=A3n?=\r\n"
        "Message-ID: <odd-name@vp.rachgia.example.gov.vn>\r\n"
        "Date: Mon, 02 Mar 2026 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKính gửi.\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        f"Content-Disposition: {disposition}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n"
    ).encode()


def test_a_control_character_in_a_file_name_does_not_lose_the_message(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a signed document attached as filename*=utf-8''van%1Cban.pdf
    WHEN the pipeline processes it THEN it is registered, answered and routed; the file is
    stored as "van ban.pdf" with the name as sent kept beside it."""
    pipeline = routed_pipeline(engine, tmp_path, pki)
    raw = _mail_with_file(signed_pdf, "attachment; filename*=utf-8''van%1Cban.pdf")
    result = pipeline.process("odd-1", raw, Envelope(RECEIVED, "smtp", AGENCY, (GATEWAY,)))
    assert result.entries and result.answered
    with read_session(engine) as session:
        [record] = session.scalars(select(AttachmentRecord)).all()
        kinds = {row.kind for row in session.scalars(select(OutboxMessage))}
    assert (record.filename, record.original_filename) == ("van ban.pdf", "van\x1cban.pdf")
    assert "routed-copy" in kinds


def test_path_parts_and_direction_overrides_never_reach_staff(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a document named "../../etc/\\u202egpj.pdf" WHEN registered and routed
    THEN the routed copy carries the file as "gpj.pdf" (no path, no override)."""
    pipeline = routed_pipeline(engine, tmp_path, pki)
    raw = _mail_with_file(
        signed_pdf, "attachment; filename*=utf-8''..%2F..%2Fetc%2F%E2%80%AEgpj.pdf"
    )
    result = pipeline.process("odd-2", raw, Envelope(RECEIVED, "smtp", AGENCY, (GATEWAY,)))
    assert result.entries
    with read_session(engine) as session:
        [record] = session.scalars(select(AttachmentRecord)).all()
        routed = [r.raw for r in session.scalars(select(OutboxMessage)) if r.kind == "routed-copy"]
    assert record.filename == "gpj.pdf"
    assert record.original_filename == "../../etc/\u202egpj.pdf"
    assert routed
    for raw in routed:
        copy = BytesParser(policy=policy.default).parsebytes(raw)
        assert [part.get_filename() for part in copy.iter_attachments()] == ["gpj.pdf"]
