"""Sign real PDFs with pyHanko using the test PKI, and tamper with them for tests.

Every signature is written as an incremental update, so signing an already-signed PDF adds
a second signature and leaves the first one intact (as a person then an agency do).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.support.pki import Credential, TestPki

PERSON_FIELD = "ChuKyCaNhan"
AGENCY_FIELD = "ChuKyCoQuan"


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: rsa.RSAPrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


async def _sign_async(
    pdf: bytes, pdf_signer: signers.PdfSigner, signing_time: datetime | None
) -> bytes:
    """pyHanko's ``PdfSigner.async_sign_pdf``, but with a chosen signing time.

    pyHanko has no public knob for the signing time (it takes the system clock when the
    signing session starts), so this runs the session steps itself after setting it.
    """
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    session = pdf_signer.init_signing_session(writer)
    if signing_time is not None:
        session.system_time = signing_time
    validation_info = await session.perform_presign_validation(writer)
    reserved = await session.estimate_signature_container_size(validation_info, tight=False)
    tbs = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=reserved)
    output = BytesIO()
    prepared, _ = tbs.digest_tbs_document(output=output)
    post_signing = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=session.system_time),
    )
    await post_signing.post_signature_processing(output)
    return output.getvalue()


def sign_pdf(
    pdf: bytes,
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str,
    *,
    signing_time: datetime | None = None,
) -> bytes:
    """Add an invisible PAdES signature in a new field ``field_name`` (incremental update).

    Uses ``asyncio.run``: call it outside a running event loop (e.g. in a sync fixture).
    """
    certs = [_asn1_cert(c) for c in chain]
    registry = SimpleCertificateStore.from_certs(certs)  # type: ignore[no-untyped-call]
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(cert), signing_key=_asn1_key(key), cert_registry=registry
    )
    pdf_signer = signers.PdfSigner(signers.PdfSignatureMetadata(field_name=field_name), signer)
    return asyncio.run(_sign_async(pdf, pdf_signer, signing_time))


def sign_with(
    pdf: bytes, credential: Credential, field_name: str, signing_time: datetime | None = None
) -> bytes:
    """:func:`sign_pdf` with a :class:`Credential` (its chain is embedded)."""
    return sign_pdf(
        pdf,
        credential.key,
        credential.cert,
        list(credential.chain),
        field_name,
        signing_time=signing_time,
    )


def sign_as_person_then_agency(
    pdf: bytes, pki: TestPki, signed_at: datetime | None = None
) -> bytes:
    """The usual official document: the signer signs, then the agency (văn thư) seals it."""
    person_time = signed_at or datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    once = sign_with(pdf, pki.person, PERSON_FIELD, person_time)
    return sign_with(once, pki.agency, AGENCY_FIELD, person_time + timedelta(minutes=20))


def _first_byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    if match is None:
        raise ValueError("no signature in this PDF")
    first, length, second, second_length = (int(g) for g in match.groups())
    return first, length, second, second_length


def flip_byte_in_signed_range(pdf: bytes) -> bytes:
    """Change one byte inside the first page content stream covered by the first signature.

    The file stays perfectly readable; only the signed digest no longer matches.
    """
    _, signed_length, _, _ = _first_byte_range(pdf)
    start = pdf.find(b"stream\n", 0, signed_length)
    end = pdf.find(b"endstream", start, signed_length)
    if start < 0 or end < 0:
        raise ValueError("no stream inside the signed range")
    position = (start + len(b"stream\n") + end) // 2
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01
    return bytes(tampered)


def append_incremental_change(pdf: bytes) -> bytes:
    """Add a visible content stream to page 1 in a new revision after the last signature.

    Drawing on a signed page is not a form-filling change: pyHanko's difference analysis
    rates it ``ModificationLevel.OTHER`` (R-FORGE: content swapped after signing).
    """
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    content = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 500 Td (PAID IN FULL) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(content))  # type: ignore[no-untyped-call]
    output = BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]
    return output.getvalue()


def append_junk(pdf: bytes) -> bytes:
    """Bytes after the last ``%%EOF`` that no signature covers and no revision explains."""
    return pdf + b"\n% appended after signing\n<< /Junk (not covered by any signature) >>\n"


def add_revocation_data(pdf: bytes, crls: list[bytes]) -> bytes:
    """Embed CRLs in the document's /DSS as an incremental update (an allowed LTV change)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, None, crls=[asn1_crl.CertificateList.load(der) for der in crls]
    )
    output = BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]
    return output.getvalue()


def add_page_after_signing(pdf: bytes) -> bytes:
    """Insert a new blank page in a revision after the last signature (R-FORGE)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]  # type: ignore[no-untyped-call]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(),  # type: ignore[no-untyped-call]
        }
    )
    writer.insert_page(page)  # type: ignore[no-untyped-call]
    output = BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]
    return output.getvalue()


def corrupt_signature_value(pdf: bytes) -> bytes:
    """Flip one hex digit inside the first signature's RSA value (the end of its CMS blob,
    before the zero padding): the signed bytes still match, the signature does not."""
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    if match is None:
        raise ValueError("no signature in this PDF")
    content = match.group(1).rstrip(b"0")
    position = match.start(1) + len(content) - 10
    digit = pdf[position : position + 1]
    flipped = b"1" if digit != b"1" else b"2"
    return pdf[:position] + flipped + pdf[position + 1 :]
