"""A verifier task for the time-limit test: documents starting ``SLOW`` never finish."""

from __future__ import annotations

import time
from datetime import datetime

from mailparse.signatures.verdicts import PdfSignatures, TrustStore


def verify_or_hang(data: bytes, trust: TrustStore, at: datetime) -> PdfSignatures:
    if data.startswith(b"SLOW"):
        time.sleep(3600)
    return PdfSignatures(())
