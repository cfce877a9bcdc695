"""Fixtures of the gateway's end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.pipeline.documents.ocr import OcrReader, ocr_reader
from tests.support.gateway_process import GatewayProcess
from tests.support.pki import TestPki


@pytest.fixture
def gateway(tmp_path: Path, pki: TestPki) -> Iterator[GatewayProcess]:
    """A running `gateway serve` on a fresh deployment that trusts the test PKI (modules
    that need other settings define their own)."""
    process = GatewayProcess(tmp_path / "deploy", pki.root_pem()).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def reader() -> OcrReader:
    """Tesseract with its Vietnamese data (scripts/test installs them)."""
    found = ocr_reader()
    if found is None:
        missing = "tesseract with Vietnamese data is not installed (scripts/test installs it)"
        if os.environ.get("GATEWAY_TEST_REQUIRE_OCR"):
            pytest.fail(f"GATEWAY_TEST_REQUIRE_OCR is set but {missing}")
        pytest.skip(missing)
    return found
