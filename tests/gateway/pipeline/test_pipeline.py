"""The pipeline in process, on SQLite and PostgreSQL: decisions, answers, idempotence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

import templates
from gateway.pipeline.flow import Pipeline
from gateway.spool.envelope import Envelope
from gateway.storage.archive import Archive
from gateway.wiring import sample_directory_text
from mailparse import mime
from mailparse.signatures.verdicts import RevocationMode
from mailparse.signatures.verify import verify_pdf
from registry.agencies.directory import parse_directory
from registry.database import read_session
from registry.models import InboundMessage, OutboxMessage, RegisterEntry, SignatureResult
from rules.decision import Policy
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf, plain_pdf
from tests.support.pki import TestPki
from tests.support.signing import flip_byte_in_signed_range, sign_as_person_then_agency

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# 23:30 on 31 December UTC is already 1 January in Hà Nội: the register year is local.
NEW_YEAR_EVE_UTC = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)


def make_pipeline(
    engine: Engine,
    tmp_path: Path,
    pki: TestPki,
    revocation: RevocationMode = RevocationMode.SOFT_FAIL,
    **policy_: str,
) -> Pipeline:
    return Pipeline(
        engine=engine,
        archive=Archive(tmp_path / "archive"),
        restricted=Archive(tmp_path / "restricted", mode=0o700),
        directory=parse_directory(sample_directory_text(), "sample"),
        trust=pki.trust_store(revocation),
        policy=Policy(**policy_),  # type: ignore[arg-type]
        verify=verify_pdf,
        templates=templates.environment(),
        from_address="vanthu@example.gov.vn",
        zone=ZONE,
    )


def envelope(mail_from: str = AGENCY, at: datetime | None = None) -> Envelope:
    return Envelope(
        received_at=at or datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        protocol="smtp",
        mail_from=mail_from,
        rcpt_tos=("vanthu@example.gov.vn",),
    )


def outbox(engine: Engine) -> list[EmailMessage]:
    with read_session(engine) as session:
        raws = list(session.scalars(select(col(OutboxMessage.raw))))
    parsed = [BytesParser(policy=policy.default).parsebytes(raw) for raw in raws]
    return [m for m in parsed if isinstance(m, EmailMessage)]


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_register_year_is_the_local_year_of_receipt(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a document received at 23:30 UTC on 31 December (already 1 January in Hà Nội)
    WHEN registered THEN it is number 1 of the new year."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    result = make_pipeline(engine, tmp_path, pki).process("s1", raw, envelope(at=NEW_YEAR_EVE_UTC))
    assert result.entries == ("2027/1",)


def test_reprocessing_a_committed_item_changes_nothing(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a committed spool item WHEN processed again (a crash before finish)
    THEN the same result comes back and nothing new is written."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    pipeline = make_pipeline(engine, tmp_path, pki)
    first = pipeline.process("same-item", raw, envelope())
    again = pipeline.process("same-item", raw, envelope())
    assert again.already_done is True
    assert again.entries == first.entries == ("2026/1",)
    assert count(engine, RegisterEntry) == 1
    assert count(engine, OutboxMessage) == 1


def test_unsigned_document_is_registered_for_reference_only_and_the_receipt_says_so(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN an unsigned official document (R-REF) WHEN processed with the default policy
    THEN it is registered reference_only and the receipt tells the sender."""
    pdf = official_document_pdf(
        number="7", symbol="TB-UBND", title="THÔNG BÁO", summary="Lịch tiếp công dân tháng 12"
    )
    raw = official_mail(
        sender=AGENCY,
        subject="Thông báo 7/TB-UBND",
        attachments=[("tb.pdf", pdf, "application/pdf")],
    )
    result = make_pipeline(engine, tmp_path, pki).process("u1", raw, envelope())
    assert result.outcome == "accepted"
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        assert entry.reference_only is True
        assert entry.document_type == "Thông báo"
    [receipt] = outbox(engine)
    assert receipt["X-Document-Status"] == "03"
    text = receipt.get_body(("plain",))
    assert text is not None and "tham khảo" in text.get_content()


def test_signed_document_with_unsigned_appendix_and_a_tampered_second_document(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a signed document, its unsigned appendix, and a tampered signed document
    WHEN processed THEN one entry is registered (with the appendix), the receipt lists it
    and reports the refusal in X-Reject-Reasons, and the refused verdicts are kept."""
    raw = official_mail(
        sender=AGENCY,
        attachments=[
            ("cv.pdf", signed_pdf, "application/pdf"),
            ("phu-luc.pdf", plain_pdf("Phụ lục danh sách"), "application/pdf"),
            ("sua.pdf", flip_byte_in_signed_range(signed_pdf), "application/pdf"),
        ],
    )
    result = make_pipeline(engine, tmp_path, pki).process("m1", raw, envelope())
    assert (result.outcome, result.entries) == ("accepted", ("2026/1",))
    assert result.reasons == ("signature-invalid",)
    [receipt] = outbox(engine)
    assert receipt["X-Incoming-Number"] == "2026/1"
    assert receipt["X-Reject-Reasons"] == "signature-invalid"
    with read_session(engine) as session:
        refused = session.scalars(
            select(SignatureResult).where(col(SignatureResult.entry_id).is_(None))
        ).all()
        assert refused and {s.verdict for s in refused} == {"invalid"}


def test_two_signed_documents_get_two_numbers_in_one_receipt(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN one message carrying two signed documents WHEN processed
    THEN each gets its own number and the receipt names both."""
    second = sign_as_person_then_agency(
        official_document_pdf(
            number="12",
            symbol="KH-UBND",
            title="KẾ HOẠCH",
            issued_on=date(2026, 11, 21),
            summary="Kế hoạch chuyển đổi số",
        ),
        pki,
    )
    raw = official_mail(
        sender=AGENCY,
        attachments=[
            ("cv.pdf", signed_pdf, "application/pdf"),
            ("kh.pdf", second, "application/pdf"),
        ],
    )
    result = make_pipeline(engine, tmp_path, pki).process("two", raw, envelope())
    assert result.entries == ("2026/1", "2026/2")
    [receipt] = outbox(engine)
    assert receipt["X-Incoming-Number"] == "2026/1,2026/2"


@pytest.mark.parametrize(
    ("mail_from", "headers"),
    [
        ("", {}),
        (AGENCY, {"Auto-Submitted": "auto-replied"}),
        (AGENCY, {"Precedence": "bulk"}),
        ("MAILER-DAEMON@vp.rachgia.example.gov.vn", {}),
        ("tên có dấu@vp.rachgia.example.gov.vn", {}),
    ],
)
def test_no_answer_to_null_sender_or_automatic_mail(
    engine: Engine, tmp_path: Path, pki: TestPki, mail_from: str, headers: dict[str, str]
) -> None:
    """GIVEN a message from the null sender, automatic mail (RFC 3834) or an unusable
    return address
    WHEN it is rejected THEN it is recorded, but no answer is queued."""
    raw = official_mail(sender=AGENCY, extra_headers=headers)
    result = make_pipeline(engine, tmp_path, pki).process("auto", raw, envelope(mail_from))
    assert (result.outcome, result.answered) == ("rejected", False)
    assert count(engine, OutboxMessage) == 0
    with read_session(engine) as session:
        inbound = session.scalars(select(InboundMessage)).one()
        assert "RFC 3834" in inbound.note


def test_unknown_sender_of_an_administrative_domain_is_held_for_review(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN the default policy (unknown_sender = review, administrative domain gov.vn)
    WHEN a department outside the directory sends a signed document
    THEN it is held unknown-sender, unanswered and without a number; released by a clerk,
    it is registered and receipted."""
    stranger = "vanthu@snv.kiengiang.gov.vn"
    raw = official_mail(sender=stranger, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    pipeline = make_pipeline(engine, tmp_path, pki)
    held = pipeline.process("r1", raw, envelope(stranger))
    assert (held.outcome, held.reasons, held.entries) == ("held", ("unknown-sender",), ())
    assert count(engine, OutboxMessage) == 0
    again = official_mail(  # as the clerk's release re-spools it (the held row is gone)
        sender=stranger,
        message_id="<released@snv.kiengiang.gov.vn>",
        attachments=[("cv.pdf", signed_pdf, "application/pdf")],
    )
    released = pipeline.process("r2", again, replace(envelope(stranger), released_by="vanthu1"))
    assert released.entries == ("2026/1",)
    assert [m["X-Document-Status"] for m in outbox(engine)] == ["03"]


def test_secret_document_is_kept_apart_and_never_quoted(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a document stamped MẬT (R-SECRET) WHEN processed
    THEN it is refused secret-document, stored only in the restricted archive, and neither
    the inbound record nor the answer quotes its subject."""
    pdf = sign_as_person_then_agency(
        official_document_pdf(secrecy_stamp="MẬT", summary="Phương án bảo vệ bí mật"), pki
    )
    subject = "Công văn mật về phương án bảo vệ"
    raw = official_mail(
        sender=AGENCY, subject=subject, attachments=[("mat.pdf", pdf, "application/pdf")]
    )
    result = make_pipeline(engine, tmp_path, pki).process("sec", raw, envelope())
    assert result.reasons == ("secret-document",)
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("*.eml"))
    assert any((tmp_path / "restricted").rglob("*.eml"))
    [answer] = outbox(engine)
    assert subject not in str(answer["Subject"])
    body = answer.get_body(("plain",))
    assert body is not None and "phương án bảo vệ" not in body.get_content().lower()
    with read_session(engine) as session:
        assert session.scalars(select(InboundMessage)).one().subject == ""


def test_raw_message_is_archived_byte_for_byte(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a processed message WHEN its archive copy is read THEN it is the same bytes."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    make_pipeline(engine, tmp_path, pki).process("arch", raw, envelope())
    with read_session(engine) as session:
        sha = session.scalars(select(InboundMessage)).one().sha256
    assert Archive(tmp_path / "archive").read(sha) == raw


def test_undecidable_signature_is_held_unnumbered_and_unanswered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN revocation 'hard-fail' and no revocation data at hand (the verdict cannot be
    decided) WHEN a signed document arrives THEN it is held for a clerk: recorded with its
    verdicts, no incoming number, and no answer yet (it is answered on decision)."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    pipeline = make_pipeline(engine, tmp_path, pki, RevocationMode.HARD_FAIL)
    result = pipeline.process("held", raw, envelope())
    assert (result.outcome, result.entries, result.answered) == ("held", (), False)
    assert result.reasons == ("signature-indeterminate",)
    assert count(engine, RegisterEntry) == 0
    assert count(engine, OutboxMessage) == 0
    assert count(engine, SignatureResult) == 2
    with read_session(engine) as session:
        assert "held for a clerk" in session.scalars(select(InboundMessage)).one().note


def test_a_message_in_a_thread_is_parsed_once(
    engine: Engine,
    tmp_path: Path,
    pki: TestPki,
    signed_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a signed document sent as a reply in a thread (In-Reply-To, References), which
    each intake stage must look at before the document path takes it WHEN processed THEN
    its bytes are parsed once, and it is registered as a document (DESIGN §1.2)."""
    calls: list[int] = []
    real_parse = mime.parse

    def counting_parse(raw: bytes, *args: object, **kwargs: object) -> object:
        calls.append(len(raw))
        return real_parse(raw, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mime, "parse", counting_parse)
    raw = official_mail(
        sender=AGENCY,
        attachments=[("cv.pdf", signed_pdf, "application/pdf")],
        extra_headers={
            "In-Reply-To": "<earlier.1@vp.rachgia.example.gov.vn>",
            "References": "<earlier.1@vp.rachgia.example.gov.vn>",
        },
    )
    result = make_pipeline(engine, tmp_path, pki).process("thread-1", raw, envelope())
    assert result.entries == ("2026/1",)
    assert calls == [len(raw)]
