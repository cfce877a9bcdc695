"""TLS for the SMTP listeners: one server context from ``[smtp] tls_cert`` / ``tls_key``.

The same context serves STARTTLS on ``listen`` (RFC 3207) and implicit TLS on
``submission_listen`` (RFC 8314). TLS 1.2 is the floor; client certificates are not asked
for. Unreadable or mismatched files are configuration errors naming the key and the file.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from gateway.config.settings import Deployment
from gateway.errors import ConfigError


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server-side context holding the certificate chain and its key."""
    for name, path in (("tls_cert", cert), ("tls_key", key)):
        if not path.is_file():
            raise ConfigError(f"[smtp] {name}: no such file {path}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_NONE  # we do not ask senders for client certificates
    try:
        context.load_cert_chain(certfile=cert, keyfile=key)
    except ssl.SSLError as exc:
        raise ConfigError(
            f"[smtp] tls_cert/tls_key: {cert} and {key} are not a PEM certificate chain "
            f"and its private key ({exc.reason or 'unreadable'})"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"[smtp] tls_cert/tls_key: cannot read {cert} / {key}") from exc
    return context


def tls_context(deployment: Deployment) -> ssl.SSLContext | None:
    """The configured server context, or None when ``[smtp] tls_cert`` is empty."""
    smtp = deployment.settings.smtp
    if not smtp.tls_cert:
        return None
    return server_context(deployment.path(smtp.tls_cert), deployment.path(smtp.tls_key))
