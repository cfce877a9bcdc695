"""The scan stage (DESIGN §1 step 5, R-VIRUS): the raw message and every attachment
through the virus scanner, before the decision; active PDF content as found by analysis.

Without a scanner, scanning is off and the report says so (``status: "off"``); with one,
a scanner that cannot answer raises :class:`~gateway.errors.ScannerUnavailableError`
and the spool item waits. The report is recorded in ``inbound_message.scan``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.pipeline.analysis import MessageAnalysis
from gateway.scan.clamd import ScanVerdict

log = logging.getLogger(__name__)

WHOLE_MESSAGE = "(message)"


class Scanner(Protocol):
    """What the pipeline needs of a scanner (:class:`gateway.scan.clamd.ClamdScanner`)."""

    @property
    def name(self) -> str: ...

    def scan(self, data: bytes) -> ScanVerdict: ...


@dataclass(frozen=True)
class Finding:
    part: str  # WHOLE_MESSAGE or the attachment's file name
    sha256: str
    signature: str


@dataclass(frozen=True)
class ScanReport:
    scanner: str | None  # None: scanning is off
    scanned: int = 0
    findings: tuple[Finding, ...] = ()
    active_content: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def infected(self) -> bool:
        return bool(self.findings)

    @property
    def signatures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.signature for f in self.findings))

    def summary(self) -> str:
        return "; ".join(f"{f.part}: {f.signature}" for f in self.findings) or "clean"

    def as_json(self) -> dict[str, Any]:
        """The ``inbound_message.scan`` column."""
        status = "off" if self.scanner is None else "infected" if self.infected else "clean"
        return {
            "status": status,
            "scanner": self.scanner,
            "scanned": self.scanned,
            "findings": [
                {"part": f.part, "sha256": f.sha256, "signature": f.signature}
                for f in self.findings
            ],
            "active_content": {name: list(kinds) for name, kinds in self.active_content.items()},
        }


def scan_message(
    scanner: Scanner | None, raw: bytes, sha256: str, analysis: MessageAnalysis, log_id: str
) -> ScanReport:
    """Scan ``raw`` and each distinct attachment; raises ScannerUnavailableError."""
    active = {
        pdf.attachment.filename or pdf.attachment.sha256[:12]: tuple(pdf.active_content)
        for pdf in analysis.pdfs
        if pdf.active_content
    }
    if scanner is None:
        return ScanReport(None, active_content=active)
    parts: dict[str, tuple[str, bytes]] = {sha256: (WHOLE_MESSAGE, raw)}
    if analysis.parsed is not None:
        for attachment in analysis.parsed.attachments:
            parts.setdefault(
                attachment.sha256, (attachment.filename or "(unnamed)", attachment.data)
            )
    findings = []
    for digest, (name, data) in parts.items():
        verdict = scanner.scan(data)
        if verdict.signature is not None:
            findings.append(Finding(name, digest, verdict.signature))
    if findings:
        log.warning("%s: malware found: %s", log_id, ", ".join(f.signature for f in findings))
    return ScanReport(scanner.name, len(parts), tuple(findings), active)
