"""DKIM-signing of every mail the gateway sends (``[outgoing] dkim_*``), so agencies can
verify that a receipt came from us.

Mail is signed when it is rendered and queued: the outbox row holds the signed bytes, and
delivery stays pure transport. ``relaxed/relaxed`` canonicalisation survives relays that
re-fold headers; the headers that say what an answer means are covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dkim

from gateway.config.settings import Deployment
from gateway.errors import ConfigError

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"auto-submitted",
    b"x-document-status",
    b"x-incoming-number",
    b"x-reject-reasons",
    b"x-document-number",  # issued documents (DESIGN §4.7)
    b"mime-version",
    b"content-type",
    b"content-language",
)

_PROBE = b"From: a@example.org\r\nSubject: probe\r\n\r\nprobe\r\n"


@dataclass(frozen=True)
class DkimSigner:
    """Signs RFC 5322 bytes (CRLF) as ``d=domain; s=selector``; callable."""

    selector: str
    domain: str
    private_key: bytes = field(repr=False)  # PEM: RSA (PKCS#1 or PKCS#8) or Ed25519

    def __call__(self, raw: bytes) -> bytes:
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            if line[:1] not in {b" ", b"\t"}
        }
        header = dkim.sign(
            raw,
            self.selector.encode("ascii"),
            self.domain.encode("ascii"),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[h for h in SIGNED_HEADERS if h in present],
        )
        return bytes(header) + raw


def load_signer(deployment: Deployment) -> DkimSigner | None:
    """The configured signer, checked by signing a probe; None when DKIM is not configured."""
    outgoing = deployment.settings.outgoing
    if not outgoing.dkim_key_file:
        return None
    path = deployment.path(outgoing.dkim_key_file)
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"[outgoing] dkim_key_file: cannot read {path}: {exc.strerror}") from exc
    domain = outgoing.dkim_domain or outgoing.from_address.rpartition("@")[2]
    signer = DkimSigner(outgoing.dkim_selector, domain.lower(), key)
    try:
        signer(_PROBE)
    except Exception as exc:  # dkimpy raises its own errors and ValueError on bad keys
        raise ConfigError(
            f"[outgoing] dkim_key_file: {path} is not a usable DKIM private key"
        ) from exc
    return signer
