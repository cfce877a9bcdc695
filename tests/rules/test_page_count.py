"""R-COUNT (QD278-6.1) and R-REFUSE (QD278-3.8): declared pages and files against the message."""

from __future__ import annotations

import pytest

from mailparse.documents.declared import DeclaredCounts, declared_counts
from mailparse.reasons import Reason
from mailparse.signatures.verdicts import SignatureVerdict
from rules.acceptance import decide
from rules.counting import count_mismatch
from rules.decision import CountMismatch, MessageFacts, MessageOutcome, PdfFacts, Policy


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Văn bản gồm 03 trang.", DeclaredCounts(pages=3)),
        ("van ban gom 2 trang, kem theo 02 tep", DeclaredCounts(pages=2, files=2)),
        ("VĂN BẢN GỒM 4 TRANG", DeclaredCounts(pages=4)),
        ("Gửi kèm 2 văn bản để Quý cơ quan biết.", DeclaredCounts(files=2)),
        ("gồm 2 văn bản", DeclaredCounts(files=2)),
        ("Đính kèm 3 file.", DeclaredCounts(files=3)),
        ("Văn bản gồm 03 (ba) trang.", DeclaredCounts(pages=3)),
        ("Số trang: 5", DeclaredCounts(pages=5)),
        # "trang" is also a web page, "năm" a year: no number right before, no declaration.
        ("Xem tại trang 2 của Trang thông tin điện tử thành phố.", DeclaredCounts()),
        ("Năm 2026 có nhiều trang tin mới.", DeclaredCounts()),
        # Two different page counts contradict each other: nothing to hold the sender to.
        ("Văn bản gồm 3 trang, phụ lục gồm 4 trang.", DeclaredCounts()),
        ("Văn bản gồm 3 trang; nhắc lại: gồm 03 trang.", DeclaredCounts(pages=3)),
    ],
)
def test_declarations_in_the_body_are_read_without_diacritics(
    body: str, expected: DeclaredCounts
) -> None:
    """GIVEN a mail body WHEN its declarations are read THEN pages and files are as stated."""
    assert declared_counts(body) == expected


def _signed(name: str, pages: int | None) -> PdfFacts:
    return PdfFacts(
        filename=name, readable=True, signed=True, worst_verdict=SignatureVerdict.VALID, pages=pages
    )


def _facts(
    *pdfs: PdfFacts,
    declared_pages: int | None = None,
    declared_files: int | None = None,
    edxml_pages: int | None = None,
) -> MessageFacts:
    return MessageFacts(
        malformed=False,
        sender_known=True,
        pdfs=pdfs,
        attachments=len(pdfs),
        declared_pages=declared_pages,
        declared_files=declared_files,
        edxml_pages=edxml_pages,
    )


def test_r_count_page_mismatch_refuses_the_message_with_what_was_declared_and_found() -> None:
    """GIVEN a body declaring 3 pages and one 2-page document WHEN decided
    THEN the message is rejected page-count-mismatch, the decision carries 3 vs 2, and the
    trace says so."""
    decision = decide(_facts(_signed("cv.pdf", 2), declared_pages=3), Policy())
    assert decision.outcome is MessageOutcome.REJECTED
    assert decision.reasons == (Reason.PAGE_COUNT_MISMATCH,)
    assert decision.count_mismatch == CountMismatch("pages", 3, 2, "body")
    [step] = [s for s in decision.trace if s.rule == "page-count"]
    assert step.hit and step.why == "nội dung thư ghi 3 trang, thư thực có 2 trang"


def test_r_count_edxml_page_amount_is_checked_before_the_body() -> None:
    """GIVEN an edXML PageAmount of 5 and a 4-page document WHEN decided
    THEN the mismatch names the edXML as its source."""
    decision = decide(_facts(_signed("cv.pdf", 4), edxml_pages=5), Policy())
    assert decision.count_mismatch == CountMismatch("pages", 5, 4, "edxml")


@pytest.mark.parametrize(
    ("pdfs", "declared"),
    [
        ((_signed("cv.pdf", 3),), {"declared_pages": 3}),
        ((_signed("cv.pdf", 3), _signed("pl.pdf", 2)), {"declared_pages": 3}),  # main document
        ((_signed("cv.pdf", 3), _signed("pl.pdf", 2)), {"declared_pages": 5}),  # everything
        ((_signed("cv.pdf", 3), _signed("pl.pdf", 2)), {"declared_files": 2}),
        ((_signed("cv.pdf", 1),), {}),
    ],
)
def test_r_count_matching_declarations_pass(
    pdfs: tuple[PdfFacts, ...], declared: dict[str, int]
) -> None:
    """GIVEN declarations matching one document, the total, or the file count
    WHEN decided THEN nothing is refused and the trace records the check as a miss."""
    decision = decide(_facts(*pdfs, **declared), Policy())
    assert decision.outcome is MessageOutcome.ACCEPTED
    [step] = [s for s in decision.trace if s.rule == "page-count"]
    assert not step.hit


def test_r_count_file_count_mismatch() -> None:
    """GIVEN 'kèm theo 02 tệp' and one file WHEN checked THEN files 2 declared, 1 found."""
    found = count_mismatch(_facts(_signed("cv.pdf", 1), declared_files=2))
    assert found == CountMismatch("files", 2, 1, "body")


def test_r_count_leaves_unreadable_and_secret_documents_to_their_own_rules() -> None:
    """GIVEN a page mismatch WHEN a document is unreadable or secret-marked
    THEN the refusal is unreadable-document or secret-document, not page-count-mismatch."""
    unreadable = PdfFacts(filename="x.pdf", readable=False)
    decision = decide(_facts(_signed("cv.pdf", 2), unreadable, declared_pages=3), Policy())
    assert Reason.PAGE_COUNT_MISMATCH not in decision.reasons
    secret = PdfFacts(filename="m.pdf", readable=True, secret=True, pages=2)
    decision = decide(_facts(secret, declared_pages=3), Policy())
    assert decision.reasons == (Reason.SECRET_DOCUMENT,)
