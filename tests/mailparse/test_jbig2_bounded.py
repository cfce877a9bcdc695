"""JBIG2 decompression bombs cost nothing, whether or not ``jbig2dec`` is installed.

pypdf decodes a ``/JBIG2Decode`` stream by running the ``jbig2dec`` program; a JBIG2 bomb
(a few bytes that decode to a huge bitmap, or take minutes) would run it inside the
verifier. Reading text, fields or signatures decodes no image, so the one boundary
(:mod:`mailparse.pdferrors`) never lets pypdf run it: such a file is
``unreadable-document`` at once (DESIGN §4.5, R-VIRUS).

The installed decoder is stood in for by a program configured as pypdf's ``jbig2dec``
that leaves a mark when run and then takes 30 s, so the test proves it never runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import apply_configuration

from mailparse.documents.pdftext import check_readable, read_pdf
from mailparse.errors import UnreadableDocumentError
from mailparse.signatures.verdicts import TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.support import malformed_pdfs

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def jbig2dec_present(tmp_path: Path) -> Iterator[Path]:
    """pypdf configured with a ``jbig2dec`` that marks ``ran`` and takes 30 s (a bomb's
    cost); yields the mark's path."""
    mark = tmp_path / "ran"
    program = tmp_path / "jbig2dec"
    program.write_text(f"#!/bin/sh\ntouch '{mark}'\nsleep 30\n", encoding="utf-8")
    program.chmod(0o755)
    with apply_configuration(jbig2dec_binary=str(program)):
        yield mark


def test_jbig2_bomb_is_unreadable_at_once_and_jbig2dec_never_runs(
    jbig2dec_present: Path,
) -> None:
    """GIVEN a PDF whose page stream is JBIG2-encoded, and a ``jbig2dec`` pypdf would run
    WHEN its text is read, its pages counted and its signatures verified
    THEN the text reading and the count are ``unreadable-document``, verification returns
    a value, all within seconds, and the decoder never ran (neither time nor memory spent
    on the bitmap)."""
    data = malformed_pdfs.jbig2_image_pdf()
    started = time.monotonic()

    with pytest.raises(UnreadableDocumentError):
        read_pdf(data)
    with suppress(UnreadableDocumentError):  # counting pages decodes nothing
        check_readable(data)
    assert verify_pdf(data, TrustStore(), AT).signed is False

    assert time.monotonic() - started < 10
    assert not jbig2dec_present.exists()


def test_the_callers_jbig2dec_setting_is_restored_after_reading(jbig2dec_present: Path) -> None:
    """GIVEN ``jbig2dec`` configured by the caller WHEN a PDF is read THEN the caller's
    pypdf configuration is as it was afterwards (the boundary changes only its own reading)."""
    from pypdf import get_configuration

    before = get_configuration().jbig2dec_binary
    read_pdf(malformed_pdfs.readable_pdf())
    assert get_configuration().jbig2dec_binary == before is not None
