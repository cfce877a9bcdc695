"""Signature verification in worker processes gives the in-thread verdicts, and survives
a verifier process that dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gateway.errors import TransientError
from gateway.trust.verifier import ProcessVerifier
from mailparse.signatures.verify import verify_pdf
from tests.support.pki import TestPki

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def verifier() -> Iterator[ProcessVerifier]:
    pool = ProcessVerifier(1)
    yield pool
    pool.close()


def test_process_pool_gives_the_same_report_as_in_thread(
    verifier: ProcessVerifier, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a person+agency signed PDF WHEN verified in a process and in this thread
    THEN the two reports are equal (and both valid)."""
    in_process = verifier(signed_pdf, pki.trust_store(), AT)
    assert in_process == verify_pdf(signed_pdf, pki.trust_store(), AT)
    assert [s.verdict for s in in_process.signatures] == ["valid", "valid"]


def test_a_dead_verifier_process_is_a_transient_error_and_the_pool_recovers(
    verifier: ProcessVerifier, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a verifier process killed with SIGKILL WHEN the next document is verified
    THEN a TransientError (the worker retries the item later); the call after works."""
    verifier(signed_pdf, pki.trust_store(), AT)  # make sure the process exists
    children = multiprocessing.active_children()
    assert children
    for child in children:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(5)
    with pytest.raises(TransientError):
        verifier(signed_pdf, pki.trust_store(), AT)
    assert verifier(signed_pdf, pki.trust_store(), AT).signed
