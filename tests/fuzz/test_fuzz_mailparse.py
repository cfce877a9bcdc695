"""Hostile input to mailparse (R-CHANNEL): random and mutated MIME, mutated PDFs.

Only the documented exceptions may escape: :class:`MalformedMessageError` from ``parse``,
:class:`UnreadableDocumentError` from the PDF analysis and verification; active-content
detection never raises. Each test prints its case count and time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hypothesis import given

from mailparse.documents.activecontent import active_content
from mailparse.documents.facts import analyse_pdf
from mailparse.errors import MalformedMessageError, UnreadableDocumentError
from mailparse.mime import parse
from mailparse.signatures.verdicts import TrustStore
from mailparse.signatures.verify import verify_pdf
from tests.fuzz.strategies import cases, hostile_message, mutated
from tests.support.messages import official_mail
from tests.support.pdfs import plain_pdf

SEEDS = [
    official_mail(),
    official_mail(attachments=[("cv.pdf", b"%PDF-1.4 x", "application/pdf")]),
    official_mail(html_body="<p>Kính gửi</p>", extra_headers={"Auto-Submitted": "no"}),
]


def _parse(raw: bytes) -> str:
    try:
        parse(raw)
    except MalformedMessageError:
        return "malformed"
    return "parsed"


def _run(name: str, test: object, counter: dict[str, int]) -> None:
    start = time.perf_counter()
    test()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"fuzz {name}: {sum(counter.values())} cases {dict(counter)} in {elapsed:.1f}s")


def test_random_mime_trees_parse_or_are_malformed() -> None:
    """GIVEN random MIME (broken boundaries, huge headers, deep nesting, bad encodings)
    WHEN parsed THEN a ParsedMessage or MalformedMessageError, nothing else."""
    counter: dict[str, int] = {}

    @cases(3000)
    @given(hostile_message())
    def check(raw: bytes) -> None:
        outcome = _parse(raw)
        counter[outcome] = counter.get(outcome, 0) + 1

    _run("random MIME", check, counter)


def test_mutated_mail_parses_or_is_malformed() -> None:
    """GIVEN real messages with byte-level mutations WHEN parsed THEN the same holds."""
    counter: dict[str, int] = {}

    @cases(7000)
    @given(mutated(SEEDS))
    def check(raw: bytes) -> None:
        outcome = _parse(raw)
        counter[outcome] = counter.get(outcome, 0) + 1

    _run("mutated MIME", check, counter)


def test_mutated_pdfs_are_read_or_unreadable(signed_pdf: bytes) -> None:
    """GIVEN 1 000 mutated PDFs (signed and plain) WHEN analysed and verified
    THEN facts or UnreadableDocumentError, verdicts or UnreadableDocumentError; active
    content detection never raises."""
    seeds = [signed_pdf, plain_pdf("Công văn số 54/UBND-VP", pages=2)]
    counter: dict[str, int] = {}
    at = datetime(2026, 11, 25, tzinfo=UTC)
    trust = TrustStore()

    @cases(1000)
    @given(mutated(seeds))
    def check(data: bytes) -> None:
        active_content(data)
        try:
            analyse_pdf(data)
            outcome = "read"
        except UnreadableDocumentError:
            outcome = "unreadable"
        try:
            verify_pdf(data, trust, at)
        except UnreadableDocumentError:
            outcome += "/unverifiable"
        counter[outcome] = counter.get(outcome, 0) + 1

    _run("mutated PDF", check, counter)
