"""Hostile input through the whole Pipeline: every input ends as a registered document, a
hold or a rejection with a reason; nothing escapes (R-CHANNEL)."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from registry.database import make_engine, upgrade
from tests.fuzz.strategies import cases, hostile_message, mutated
from tests.gateway.pipeline.test_pipeline import AGENCY, envelope, make_pipeline
from tests.support.messages import official_mail
from tests.support.pki import TestPki

OUTCOMES = {"accepted", "rejected", "held", "duplicate"}


def test_hostile_mail_through_the_pipeline_ends_decided(
    tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN 200 random or mutated messages (signed documents among the seeds)
    WHEN each is processed THEN it is accepted, held, a duplicate, or rejected with reasons."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(engine)
    pipeline = make_pipeline(engine, tmp_path, pki)
    seeds = [
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")]),
        official_mail(
            sender=AGENCY, attachments=[("a.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")]
        ),
    ]
    ids = itertools.count()
    outcomes: Counter[str] = Counter()

    @cases(200)
    @given(st.one_of(hostile_message(), mutated(seeds)))
    def check(raw: bytes) -> None:
        result = pipeline.process(f"fuzz-{next(ids)}", raw, envelope())
        assert result.outcome in OUTCOMES
        if result.outcome == "rejected":
            assert result.reasons
        if result.outcome == "accepted":
            assert result.entries
        outcomes[str(result.outcome)] += 1

    start = time.perf_counter()
    check()
    elapsed = time.perf_counter() - start
    print(f"fuzz pipeline: {sum(outcomes.values())} cases {dict(outcomes)} in {elapsed:.1f}s")
