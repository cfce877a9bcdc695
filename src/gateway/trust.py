"""Loads the trust store named in ``[trust]`` (PEM or DER files, globs relative to config)."""

from __future__ import annotations

import glob
import logging
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.errors import ConfigError
from gateway.settings import Deployment
from mailparse.verdicts import TrustStore

log = logging.getLogger(__name__)


def load_trust(deployment: Deployment) -> TrustStore:
    section = deployment.settings.trust
    roots = _load_all(deployment, section.roots)
    intermediates = _load_all(deployment, section.intermediates)
    if not roots:
        log.warning(
            "NO TRUST ROOTS configured ([trust] roots = %s): every signature will be "
            "'untrusted' and signed documents will be rejected",
            list(section.roots),
        )
    return TrustStore(
        roots=tuple(roots), intermediates=tuple(intermediates), revocation=section.revocation
    )


def _load_all(deployment: Deployment, patterns: tuple[str, ...]) -> list[bytes]:
    found: list[bytes] = []
    for pattern in patterns:
        for name in sorted(glob.glob(str(deployment.path(pattern)))):  # noqa: PTH207 - absolute patterns
            found.extend(load_certificates(Path(name)))
    return found


def load_certificates(path: Path) -> list[bytes]:
    """Every certificate in one PEM (possibly several) or DER file, as DER bytes."""
    data = path.read_bytes()
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise ConfigError(f"{path}: not a PEM or DER certificate: {exc}") from exc
    return [c.public_bytes(Encoding.DER) for c in certs]
