"""Loads the trust store named in ``[trust]``: roots and intermediates (PEM or DER files,
globs relative to the config), the local revocation cache (``crls``: a folder of CRLs and
OCSP responses) and the accepted key usages."""

from __future__ import annotations

import glob
import logging
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.config.sections import KEY_USAGES
from gateway.config.settings import Deployment
from gateway.errors import ConfigError
from mailparse.signatures.verdicts import TrustStore

log = logging.getLogger(__name__)

CRL_SUFFIXES = (".crl", ".der", ".pem")
OCSP_SUFFIXES = (".ocsp", ".ors")


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
    folder = crl_folder(deployment)
    crls, ocsps = load_revocation_cache(folder) if folder is not None else ((), ())
    return TrustStore(
        roots=tuple(roots),
        intermediates=tuple(intermediates),
        revocation=section.revocation,
        crls=crls,
        ocsps=ocsps,
        key_usage=tuple(dict.fromkeys(KEY_USAGES[k] for k in section.key_usage)),
    )


def crl_folder(deployment: Deployment) -> Path | None:
    """The configured ``[trust] crls`` folder, or None when there is none."""
    value = deployment.settings.trust.crls
    return deployment.path(value) if value else None


def load_revocation_cache(folder: Path) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """Every CRL (``*.crl``, ``*.der``, ``*.pem``) and OCSP response (``*.ocsp``) in
    ``folder`` as DER; a missing folder is empty, an unreadable file a ConfigError."""
    if not folder.is_dir():
        return (), ()
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if suffix in CRL_SUFFIXES:
            crls.append(_crl_der(path))
        elif suffix in OCSP_SUFFIXES:
            ocsps.append(_ocsp_der(path))
    return tuple(crls), tuple(ocsps)


def crl_der(data: bytes, source: str) -> bytes:
    """``data`` (PEM or DER) as the DER of one CRL; ValueError when it is not one."""
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    try:
        parsed = asn1_crl.CertificateList.load(data)
        parsed["tbs_cert_list"]["issuer"].native  # noqa: B018 - forces parsing
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{source}: not a CRL: {exc}") from exc
    return bytes(data)


def _crl_der(path: Path) -> bytes:
    try:
        return crl_der(path.read_bytes(), str(path))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"[trust] crls: {exc}") from exc


def _ocsp_der(path: Path) -> bytes:
    data = path.read_bytes()
    try:
        asn1_ocsp.OCSPResponse.load(data)["response_status"].native  # noqa: B018
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"[trust] crls: {path}: not an OCSP response: {exc}") from exc
    return data


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
