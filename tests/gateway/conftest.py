"""Fixtures of the gateway's end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
