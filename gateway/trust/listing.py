"""``gateway trust list``: every certificate the deployment trusts (DESIGN §4.9).

Read from the files ``[trust] roots`` and ``[trust] intermediates`` name, exactly as the
verifier loads them (:mod:`gateway.trust.store`), so what is listed is what is trusted.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.x509.oid import NameOID

from gateway.config.settings import Deployment
from gateway.trust.official import OFFICIAL_CERTIFICATES, fingerprint
from gateway.trust.store import load_certificates

_PINNED = {p.sha256: p for p in OFFICIAL_CERTIFICATES}


@dataclass(frozen=True)
class TrustedCertificate:
    """One trusted certificate as an administrator checks it."""

    file: Path
    role: str  # "root" | "intermediate": which [trust] key names its file
    name: str  # the subject's common name (CN), or the whole subject without one
    subject: str  # RFC 4514, UTF-8
    issuer: str
    not_before: datetime
    not_after: datetime
    sha256: str  # of the DER, upper-case hex
    official: bool  # one of the shipped Government CA certificates (pinned fingerprint)

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "role": self.role,
            "name": self.name,
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.astimezone(zone).isoformat(),
            "not_after": self.not_after.astimezone(zone).isoformat(),
            "sha256": self.sha256,
            "official": self.official,
        }


def trusted_certificates(deployment: Deployment) -> list[TrustedCertificate]:
    section = deployment.settings.trust
    found: list[TrustedCertificate] = []
    for role, patterns in (("root", section.roots), ("intermediate", section.intermediates)):
        for pattern in patterns:
            for name in sorted(glob.glob(str(deployment.path(pattern)))):  # noqa: PTH207
                found.extend(
                    _describe(Path(name), role, der) for der in load_certificates(Path(name))
                )
    return found


def _describe(path: Path, role: str, der: bytes) -> TrustedCertificate:
    cert = x509.load_der_x509_certificate(der)
    sha256 = fingerprint(der)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return TrustedCertificate(
        file=path,
        role=role,
        name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=sha256,
        official=sha256 in _PINNED,
    )
