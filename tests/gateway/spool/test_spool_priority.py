"""R-URGENT: urgent items jump the queue; FIFO within one urgency (QD278-3.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from gateway.pipeline.worker import Worker
from gateway.spool.envelope import Envelope
from gateway.spool.queue import Spool
from mailparse.documents.priority import NORMAL_RANK, queue_rank
from tests.gateway.pipeline.test_pipeline import make_pipeline, outbox
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
ENVELOPE = Envelope(
    received_at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    protocol="smtp",
    mail_from=AGENCY,
    rcpt_tos=("vanthu@example.gov.vn",),
)


def _mail(subject: str, number: int = 54) -> bytes:
    return official_mail(sender=AGENCY, subject=subject, message_id=f"<{number}@rachgia.test>")


def test_r_urgent_hoa_toc_item_is_claimed_before_ten_earlier_normal_items(tmp_path: Path) -> None:
    """GIVEN ten normal items spooled, then one whose (RFC 2047 encoded) subject says HỎA TỐC
    WHEN the worker claims items one by one
    THEN the urgent item comes first, then the ten in their order of arrival."""
    spool = Spool(tmp_path)
    normal = [
        spool.put(_mail(f"Công văn số {n}/UBND-VP V/v báo cáo", n), ENVELOPE) for n in range(10)
    ]
    urgent = spool.put(_mail("HỎA TỐC - Công văn số 99/UBND-VP V/v phòng chống bão", 99), ENVELOPE)
    claimed = []
    while (item := spool.claim()) is not None:
        claimed.append(item.id)
    assert claimed == [urgent, *normal]


def test_r_urgent_ranks_hoa_toc_then_thuong_khan_then_khan_then_the_rest(tmp_path: Path) -> None:
    """GIVEN one item of each urgency spooled from the least to the most urgent
    WHEN claimed THEN the order is hỏa tốc hẹn giờ, hỏa tốc, thượng khẩn, khẩn, normal."""
    spool = Spool(tmp_path)
    subjects = [
        "Công văn 1/UBND V/v khẩn trương triển khai",  # "khẩn trương" is not a stamp
        "[KHẨN] Công văn 2/UBND",
        "Thượng khẩn: Công văn 3/UBND",
        "(Hỏa tốc) Công văn 4/UBND",
        "Hỏa tốc hẹn giờ - Công văn 5/UBND",
    ]
    ids = [spool.put(_mail(s, n), ENVELOPE) for n, s in enumerate(subjects)]
    claimed = []
    while (item := spool.claim()) is not None:
        claimed.append(item.id)
    assert claimed == list(reversed(ids))


def test_rank_reads_only_the_header_block() -> None:
    """GIVEN a normal subject and a body that says HỎA TỐC
    WHEN ranked THEN it is normal: only the Subject counts for the queue order."""
    raw = official_mail(subject="Công văn 7/UBND", body="HỎA TỐC\nnội dung\n")
    assert queue_rank(raw) == NORMAL_RANK
    assert queue_rank(official_mail(subject="HỎA TỐC Công văn 7/UBND")) < NORMAL_RANK


def test_r_urgent_worker_registers_the_urgent_item_first_and_marks_its_receipt(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN ten normal documents spooled, then one HỎA TỐC document
    WHEN one worker works through the spool
    THEN the urgent one gets incoming number 1, the others 2…11 in arrival order, and the
    urgent receipt's subject is prefixed with its urgency."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    spool = Spool(tmp_path / "spool")

    def document(number: int, stamp: str = "") -> bytes:
        pdf = official_document_pdf(number=str(number), symbol="UBND-VP", summary="báo cáo")
        return official_mail(
            sender=AGENCY,
            subject=f"{stamp}Công văn số {number}/UBND-VP V/v báo cáo",
            message_id=f"<{number}@rachgia.test>",
            attachments=[(f"cv{number}.pdf", pdf, "application/pdf")],
        )

    normal = [spool.put(document(n), ENVELOPE) for n in range(1, 11)]
    urgent = spool.put(document(99, "HỎA TỐC: "), ENVELOPE)
    worker = Worker(spool, pipeline, max_attempts=3)
    results = []
    while (item := spool.claim()) is not None:
        results.append(worker.handle(item))
    numbers = {r.spool_id: r.entries for r in results if r is not None}
    assert numbers[urgent] == ("2026/1",)
    assert [numbers[i] for i in normal] == [(f"2026/{n}",) for n in range(2, 12)]
    subjects = [str(m["Subject"]) for m in outbox(engine)]
    assert sum(s.startswith("[HỎA TỐC]") for s in subjects) == 1
