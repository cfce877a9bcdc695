"""The hex-string reader and the name-preparation memory return what pyHanko and
asn1crypto return, and spare the work they repeat (R-SIGN; mailparse.signatures.speedups)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic, misc

from mailparse.signatures import speedups
from mailparse.signatures.fields import filled_signature_fields, open_pdf
from mailparse.signatures.verdicts import SignatureVerdict
from mailparse.signatures.verify import verify_pdf
from tests.support import signing
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki, make_pki

RECEIVED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PYHANKO_READ_HEX = speedups._pyhanko_read_hex_string
HEXISH = st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\f\x00%>gG<(")).map(
    lambda byte: bytes([byte])
)


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture(scope="module")
def signed_pdf(pki: TestPki) -> bytes:
    return signing.sign_as_person_then_agency(official_document_pdf(), pki)


def _read(reader: object, data: bytes) -> tuple[str, object, int]:
    """What ``reader`` makes of ``data``: the value (or the error) and where it stopped."""
    stream = BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except misc.PdfError as exc:
        return type(exc).__name__, str(exc), stream.tell()
    return type(value).__name__, value, stream.tell()


@given(body=st.lists(HEXISH, max_size=60).map(b"".join), tail=st.binary(max_size=8))
def test_hex_string_reads_as_pyhanko_reads_it(body: bytes, tail: bytes) -> None:
    """GIVEN any hex string body — whitespace, odd length, comments, stray bytes, a second
    '<', no closing '>' — WHEN the fast reader and pyHanko's tokenizer read it
    THEN both return the same value of the same type (or the same error) and leave the
    stream at the same place."""
    data = b"<" + body + tail

    assert _read(speedups.read_hex_string, data) == _read(PYHANKO_READ_HEX, data)


def test_long_hex_string_crossing_read_chunks() -> None:
    """GIVEN a hex string longer than one read chunk, with line breaks
    WHEN both readers read it THEN the values and positions agree."""
    digits = bytes(range(256)).hex().encode() * 300  # 153 600 hex digits
    data = b"<" + b"\r\n".join(digits[i : i + 70] for i in range(0, len(digits), 70)) + b"> 0 R"

    assert _read(speedups.read_hex_string, data) == _read(PYHANKO_READ_HEX, data)


def test_signature_contents_read_in_one_pass(
    signed_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a document with two signatures (each /Contents thousands of hex digits)
    WHEN its signature fields are read THEN pyHanko's byte-at-a-time whitespace reader is
    called a few hundred times at most, not once per hex digit."""
    calls = 0
    byte_reader = misc.read_non_whitespace

    def counting(stream: BytesIO, seek_back: bool = False, allow_eof: bool = False) -> bytes:
        nonlocal calls
        calls += 1
        found: bytes = byte_reader(stream, seek_back, allow_eof)  # type: ignore[no-untyped-call]
        return found

    monkeypatch.setattr(generic, "read_non_whitespace", counting)
    fields = list(filled_signature_fields(open_pdf(signed_pdf)))

    contents = [f.field["/V"]["/Contents"] for f in fields]
    assert len(fields) == 2 and all(len(c) > 1000 for c in contents)
    assert 0 < calls < 500


def test_verdicts_same_with_pyhanko_reading(
    pki: TestPki, signed_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a signed document and a tampered copy WHEN verified with the fast readers and
    again with pyHanko's and asn1crypto's own THEN the reports are identical."""
    trust = pki.trust_store()
    tampered = signing.flip_byte_in_signed_range(signed_pdf)
    fast = [verify_pdf(pdf, trust, RECEIVED_AT) for pdf in (signed_pdf, tampered)]

    monkeypatch.setattr(speedups, "use_speedups", lambda: None)
    monkeypatch.setattr(generic, "read_hex_string_from_stream", PYHANKO_READ_HEX)
    monkeypatch.setattr(
        asn1_x509.NameTypeAndValue, "_ldap_string_prep", speedups._asn1crypto_string_prep
    )
    slow = [verify_pdf(pdf, trust, RECEIVED_AT) for pdf in (signed_pdf, tampered)]

    assert fast == slow
    assert [s.verdict for s in fast[0].signatures] == [SignatureVerdict.VALID] * 2
    assert SignatureVerdict.VALID not in [s.verdict for s in fast[1].signatures]


def test_name_preparation_remembered_across_certificates(
    pki: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two separately parsed copies of the same certificate (two documents carry
    their own copies) WHEN their names are compared THEN they are equal, and the RFC 4518
    preparation of each attribute text ran once, not once per copy."""
    speedups.use_speedups()
    prepared: list[str] = []
    original = speedups._asn1crypto_string_prep

    def counting(ntv: asn1_x509.NameTypeAndValue, text: str) -> str:
        prepared.append(text)
        return original(ntv, text)

    monkeypatch.setattr(speedups, "_asn1crypto_string_prep", counting)
    monkeypatch.setattr(speedups, "_prepared", {})
    monkeypatch.setattr(speedups, "_name_equality", {})
    der = pki.person.cert.public_bytes(Encoding.DER)
    first, second = asn1_x509.Certificate.load(der), asn1_x509.Certificate.load(der)

    assert first.subject == second.subject and first.issuer == second.issuer
    texts = [ntv["value"].native for rdn in first.subject.chosen for ntv in rdn]
    texts += [ntv["value"].native for rdn in first.issuer.chosen for ntv in rdn]
    assert sorted(prepared) == sorted(set(texts))


def test_name_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN more distinct attribute texts than the memory holds (hostile certificates)
    WHEN they are prepared THEN the memory never grows past its bound."""
    monkeypatch.setattr(speedups, "_prepared", {})
    ntv = asn1_x509.NameTypeAndValue(
        {"type": "common_name", "value": asn1_x509.DirectoryString("utf8_string", "x")}
    )
    for n in range(speedups.PREPARED_NAMES + 10):
        text = f"Tên {n}"
        assert speedups.prepared_name_text(ntv, text) == speedups._asn1crypto_string_prep(ntv, text)
        assert len(speedups._prepared) <= speedups.PREPARED_NAMES


def test_name_equality_remembered_and_unchanged(
    pki: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the names of the test PKI's certificates, each parsed twice
    WHEN every pair is compared THEN the answers are asn1crypto's own, and a pair of
    encodings compared again is answered from memory."""
    speedups.use_speedups()
    compared: list[tuple[bytes, bytes]] = []
    original = speedups._asn1crypto_name_eq

    def counting(name: asn1_x509.Name, other: object) -> bool:
        if isinstance(other, asn1_x509.Name):
            compared.append((name.dump(), other.dump()))
        return original(name, other)

    monkeypatch.setattr(speedups, "_asn1crypto_name_eq", counting)
    monkeypatch.setattr(speedups, "_name_equality", {})
    certs = [pki.person.cert, pki.agency.cert, *pki.person.chain]
    ders = [c.public_bytes(Encoding.DER) for c in certs]
    names = [n for der in ders for n in (asn1_x509.Certificate.load(der).subject,) * 2]
    again = [asn1_x509.Certificate.load(der).subject for der in ders]

    for left in names:
        for right in again:
            assert (left == right) == original(left, right)
            assert (left != right) == (not original(left, right))
    assert len(compared) == len(set(compared))  # each pair of encodings compared once
    assert (names[0] == "not a name") is False
