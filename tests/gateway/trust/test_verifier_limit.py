"""``[limits] document_seconds``: a document that verifies too long is INDETERMINATE (held)
and the stuck verifier process is replaced."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from gateway.trust.verifier import ProcessVerifier
from mailparse.signatures.verdicts import SignatureVerdict, TrustStore
from tests.support.slowverify import verify_or_hang

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_a_stuck_document_is_indeterminate_and_the_process_replaced() -> None:
    """GIVEN a verifier with a 1 s limit WHEN a document hangs THEN after about 1 s it is
    INDETERMINATE; the hung process is killed and the next document verifies normally."""
    verifier = ProcessVerifier(1, document_seconds=1.0, task=verify_or_hang)
    try:
        verifier.warm_up()
        stuck = verifier.lanes.processes()
        start = time.monotonic()
        result = verifier(b"SLOW document", TrustStore(), AT)
        assert 0.9 < time.monotonic() - start < 30  # bounded: a hang would never return
        assert result.worst is SignatureVerdict.INDETERMINATE
        assert "longer than 1 s" in result.signatures[0].details[0]
        for process in stuck:
            process.join(timeout=5)
            assert not process.is_alive()
        assert verifier(b"%PDF- quick", TrustStore(), AT).signed is False
    finally:
        verifier.close()
