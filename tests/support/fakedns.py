"""An in-process DNS for sender-authentication tests, behind gateway.dns.Resolver.

Names map to records; a name listed in ``failing`` raises DnsError (a temporary error).
``dkim_key`` makes a DKIM key pair: the PEM private key and the TXT record to publish.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.senderauth.dns import DnsError


def _key(name: str) -> str:
    return name.rstrip(".").lower()


class FakeResolver:
    def __init__(
        self,
        txt: Mapping[str, Iterable[str]] | None = None,
        addresses: Mapping[str, Iterable[str]] | None = None,
        mx: Mapping[str, Iterable[str]] | None = None,
        failing: Iterable[str] = (),
    ) -> None:
        self.records = {_key(k): list(v) for k, v in (txt or {}).items()}
        self.hosts = {_key(k): list(v) for k, v in (addresses or {}).items()}
        self.exchangers = {_key(k): list(v) for k, v in (mx or {}).items()}
        self.failing = {_key(n) for n in failing}
        self.asked: list[str] = []

    def publish(self, name: str, record: str) -> None:
        self.records.setdefault(_key(name), []).append(record)

    def txt(self, name: str) -> list[str]:
        return self._get(self.records, name)

    def addresses(self, name: str) -> list[str]:
        return self._get(self.hosts, name)

    def mx(self, name: str) -> list[str]:
        return self._get(self.exchangers, name)

    def _get(self, table: dict[str, list[str]], name: str) -> list[str]:
        self.asked.append(_key(name))
        if _key(name) in self.failing:
            raise DnsError(f"{name}: SERVFAIL (fake)")
        return list(table.get(_key(name), []))


def dkim_key() -> tuple[bytes, str]:
    """(PEM private key, ``v=DKIM1; k=rsa; p=…`` record) of a fresh 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode('ascii')}"
