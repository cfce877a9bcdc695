"""Active content hidden behind filter chains (R-VIRUS): found whatever encodes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.pipeline.examine import DocumentWork, examine
from mailparse.documents.activecontent import ActiveContent, active_content
from mailparse.documents.document import DocumentFacts
from mailparse.signatures.verdicts import TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.gateway.hostile.pdfbombs import filtered_javascript_pdf


@pytest.mark.parametrize(
    "filters",
    [
        b"[/ASCIIHexDecode /FlateDecode]",
        b"[/AHx /Fl]",
        b"[/ASCII85Decode /FlateDecode]",
        b"9 0 R",  # the chain named indirectly: the usual chains are tried
    ],
)
def test_javascript_in_an_encoded_object_stream_is_flagged(filters: bytes) -> None:
    """GIVEN an /OpenAction JavaScript inside an object stream encoded with ``filters``
    WHEN the active-content check reads the PDF THEN JavaScript is flagged."""
    data = filtered_javascript_pdf(filters)
    assert b"JavaScript" not in data
    assert ActiveContent.JAVASCRIPT in active_content(data)


def test_the_examination_of_a_document_carries_the_flag() -> None:
    """GIVEN the hex-over-Flate JavaScript PDF WHEN examined as the pipeline does
    THEN the examination is readable and flags JavaScript (the rules hold or refuse it)."""
    work = DocumentWork(
        data=filtered_javascript_pdf(),
        trust=TrustStore(),
        received_at=datetime(2026, 3, 2, tzinfo=UTC),
        max_pages=5,
        ocr=None,
        subject=DocumentFacts(),
        edxml=None,
        log_id="test",
    )
    done = examine(work, verify_pdf)
    assert done.error is None
    assert ActiveContent.JAVASCRIPT in done.active_content
