"""The benchmark's documents: distinct công văn, each signed by a person then the agency.

Signing runs in a process pool (``prepare_documents``) before any timing starts.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from tests.support.messages import DEFAULT_BODY, official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import AGENCY_FIELD, PERSON_FIELD, _sign_async

SENDER = "vanthu@vp.rachgia.example.gov.vn"  # VP in the sample directory of `gateway init`
GATEWAY_ADDRESS = "vanthu@example.gov.vn"
PERSON_SIGNED_AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Document:
    number: int
    message_id: str
    pdf: bytes
    raw: bytes


# Per worker process: the signers, built once (see _KeyedSigner).
_SIGNERS: dict[str, signers.PdfSigner] = {}


class _KeyedSigner(signers.SimpleSigner):
    """``SimpleSigner`` that keeps its RSA key loaded.

    pyHanko's ``SimpleSigner.sign_raw`` re-parses the PKCS#8 key on every call (~36 ms,
    twice per signature); the signatures it makes are the same.
    """

    def __init__(self, key: rsa.RSAPrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._loaded_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _pdf_signer(key_der: bytes, chain_der: Sequence[bytes], field_name: str) -> signers.PdfSigner:
    key = serialization.load_der_private_key(key_der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    cert, *chain = (asn1_x509.Certificate.load(der) for der in chain_der)
    signer = _KeyedSigner(
        key,
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    return signers.PdfSigner(signers.PdfSignatureMetadata(field_name=field_name), signer)


def _credential_der(pki: TestPki) -> dict[str, tuple[bytes, list[bytes]]]:
    """Key and certificate chain (signer first) of the person and the agency, as DER."""

    def der(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.DER)

    found = {}
    for field_name, credential in ((PERSON_FIELD, pki.person), (AGENCY_FIELD, pki.agency)):
        key = credential.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        found[field_name] = (key, [der(credential.cert), *(der(c) for c in credential.chain)])
    return found


def _init_worker(credentials: dict[str, tuple[bytes, list[bytes]]]) -> None:
    for field_name, (key, chain) in credentials.items():
        _SIGNERS[field_name] = _pdf_signer(key, chain, field_name)


def padded_mail(number: int, message_id: str, pdf: bytes, size_kb: int) -> bytes:
    subject = f"Công văn số {number}/UBND-VP V/v thử nghiệm hiệu năng tiếp nhận số {number}"
    attachments = [(f"{number}-UBND-VP.pdf", pdf, "application/pdf")]

    def build(filler_lines: int) -> bytes:
        filler = "Nội dung bổ sung để đạt kích thước thư thử nghiệm.\n" * filler_lines
        return official_mail(
            sender=SENDER,
            to=GATEWAY_ADDRESS,
            subject=subject,
            attachments=attachments,
            body=DEFAULT_BODY + filler,
            message_id=message_id,
        )

    raw = build(0)
    target = size_kb * 1024
    if len(raw) >= target:
        return raw
    per_line = len(build(100)) - len(raw)  # bytes per 100 lines, after transfer encoding
    return build(max(1, (target - len(raw)) * 100 // max(1, per_line) + 1))


def _make_document(number: int, run_tag: str, size_kb: int) -> Document:
    pdf = official_document_pdf(
        number=str(number),
        symbol="UBND-VP",
        issued_on=date(2026, 11, 20),
        summary=f"thử nghiệm hiệu năng tiếp nhận văn bản điện tử, văn bản số {number}",
    )
    signed_at = PERSON_SIGNED_AT
    for field_name in (PERSON_FIELD, AGENCY_FIELD):
        pdf = asyncio.run(_sign_async(pdf, _SIGNERS[field_name], signed_at))
        signed_at += timedelta(minutes=20)
    message_id = f"<bench-{run_tag}-{number}@vp.rachgia.example.gov.vn>"
    return Document(number, message_id, pdf, padded_mail(number, message_id, pdf, size_kb))


def prepare_documents(pki: TestPki, count: int, size_kb: int) -> list[Document]:
    run_tag = f"{os.getpid()}-{time.time_ns()}"
    workers = max(1, min(os.cpu_count() or 1, count))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(_credential_der(pki),)
    ) as pool:
        numbers = range(1, count + 1)
        return list(
            pool.map(_make_document, numbers, [run_tag] * count, [size_kb] * count, chunksize=8)
        )
