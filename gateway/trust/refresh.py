"""``gateway trust refresh``: fetch CRLs into the ``[trust] crls`` folder over HTTP.

The URLs are the CRL distribution points of the trusted certificates (roots and
intermediates) and ``[trust] crl_urls`` (e.g. the CA's CRL of signer certificates). Each
answer must parse as a CRL; it is written atomically as ``<sha256 of the URL>.crl``, so a
refresh replaces the previous copy. A URL that fails is reported and the old copy kept:
stale data then makes signatures INDETERMINATE / TRY_LATER (held), never rejected.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from gateway.config.settings import Deployment
from gateway.storage.durable import replace_file
from gateway.trust.store import crl_der, crl_folder, load_trust

log = logging.getLogger(__name__)

MAX_CRL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path | None
    error: str | None = None


def crl_urls(deployment: Deployment) -> list[str]:
    """Every HTTP CRL distribution point of the trusted certificates, then crl_urls."""
    trust = load_trust(deployment)
    urls: list[str] = []
    for der in (*trust.roots, *trust.intermediates):
        cert = x509.load_der_x509_certificate(der)
        try:
            points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        except x509.ExtensionNotFound:
            continue
        for point in points:
            for name in point.full_name or ():
                if isinstance(name, x509.UniformResourceIdentifier):
                    urls.append(name.value)
    urls += deployment.settings.trust.crl_urls
    return [u for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]


def refresh(deployment: Deployment, timeout: float = 30.0) -> list[Fetched]:
    """Fetch every CRL URL into the crls folder; one result per URL."""
    folder = crl_folder(deployment)
    if folder is None:
        raise ValueError("[trust] crls is not set: there is no folder to store CRLs in")
    folder.mkdir(parents=True, exist_ok=True)
    return [_fetch(url, folder, timeout) for url in crl_urls(deployment)]


def _fetch(url: str, folder: Path, timeout: float) -> Fetched:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) only
            data = response.read(MAX_CRL_BYTES + 1)
        der = crl_der(data[: MAX_CRL_BYTES + 1] if len(data) <= MAX_CRL_BYTES else b"", url)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        log.warning("CRL %s not refreshed: %s", url, exc)
        return Fetched(url, None, str(exc))
    target = folder / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.crl"
    replace_file(target, der, mode=0o644)
    return Fetched(url, target)
