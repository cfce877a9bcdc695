"""PDF intake as the public corpora tried it: no crash, lenient reading, untrusted roots named.

The pipeline runs in process on a real database with real signed PDFs from the test PKI;
the malformed PDFs are generated (tests/support/malformed_pdfs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from mailparse.signatures.verdicts import SignatureVerdict, TrustStore
from mailparse.signatures.verify import verify_pdf
from registry.database import read_session
from registry.models import InboundMessage, RegisterEntry
from tests.gateway.pipeline.test_pipeline import AGENCY, envelope, make_pipeline, outbox
from tests.support import malformed_pdfs
from tests.support.gateway_process import run_cli
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import Credential, TestPki, cached_key
from tests.support.signing import sign_with

UNREADABLE: dict[str, Callable[[], bytes]] = {
    "malformed-encryption": malformed_pdfs.malformed_encryption_pdf,
    "jbig2-without-jbig2dec": malformed_pdfs.jbig2_image_pdf,
    "user-password": malformed_pdfs.user_password_pdf,
}
READABLE_UNSIGNED: dict[str, Callable[[], bytes]] = {
    "truncated-xref-stream": malformed_pdfs.truncated_xref_stream_pdf,
    "illegal-generation": malformed_pdfs.illegal_generation_pdf,
    "xref-size-mismatch": malformed_pdfs.xref_size_mismatch_pdf,
    "owner-password-only": malformed_pdfs.owner_password_only_pdf,
}


def _mail(pdf: bytes, message_id: str = "<intake@vp.rachgia.example.gov.vn>") -> bytes:
    return official_mail(
        sender=AGENCY,
        subject="Công văn 77/UBND-VP",
        attachments=[("cv.pdf", pdf, "application/pdf")],
        message_id=message_id,
    )


@pytest.mark.parametrize("build", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_pdf_errors_are_answered_unreadable_document_never_a_crash(
    engine: Engine, tmp_path: Path, pki: TestPki, build: Callable[[], bytes]
) -> None:
    """GIVEN a message whose only PDF made pyHanko, pypdf or zlib raise (or needs a
    password) WHEN the pipeline processes it
    THEN it is rejected `unreadable-document` and the sender gets that answer (no crash,
    no quarantine)."""
    result = make_pipeline(engine, tmp_path, pki).process("bad", _mail(build()), envelope())

    assert result.outcome == "rejected"
    assert "unreadable-document" in result.reasons
    [answer] = outbox(engine)
    assert answer["X-Reject-Reasons"] == "unreadable-document"


@pytest.mark.parametrize("build", READABLE_UNSIGNED.values(), ids=READABLE_UNSIGNED.keys())
def test_r_ref_unsigned_pdf_the_strict_reader_refuses_is_registered_for_reference(
    engine: Engine, tmp_path: Path, pki: TestPki, build: Callable[[], bytes]
) -> None:
    """GIVEN an unsigned PDF every viewer opens but pyHanko's strict reader refuses
    (truncated xref stream, illegal generation, xref size mismatch) or one encrypted with
    an owner password only WHEN processed
    THEN it is registered as unsigned, for reference only (R-REF), with its number read."""
    result = make_pipeline(engine, tmp_path, pki).process("odd", _mail(build()), envelope())

    assert result.outcome == "accepted", result.reasons
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
    assert entry.reference_only is True
    assert entry.document_number == "77/UBND-VP"


def _look_alike_of(pki: TestPki) -> Credential:
    """A self-signed root with the trusted root's very name (another key, no key
    identifiers, as a forger makes it) and an agency certificate under it."""
    root_key, key = cached_key("look-alike-root"), cached_key("look-alike-agency")

    def build(subject: x509.Name, issuer: x509.Name, public: object, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        return builder.sign(root_key, hashes.SHA256())

    name = pki.root.cert.subject
    root = build(name, name, root_key.public_key(), True)
    agency = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "Văn phòng UBND thành phố Rạch Giá"),
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, pki.org_name),
        ]
    )
    return Credential(key=key, cert=build(agency, name, key.public_key(), False), chain=(root,))


def test_signature_untrusted_when_the_chain_ends_at_a_look_alike_root(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a document signed under a self-signed look-alike of the trusted root (same
    name, chain embedded) WHEN verified and processed
    THEN the verdict is `untrusted` (NO_CERTIFICATE_CHAIN_FOUND, not a general chain
    failure), the report names the CA the chain ends at, and the message is refused
    `signature-untrusted` (DESIGN §4.5), not held."""
    pdf = sign_with(official_document_pdf(number="78"), _look_alike_of(pki), "ChuKy")

    [report] = verify_pdf(pdf, pki.trust_store(), datetime.now(UTC)).signatures
    assert report.verdict is SignatureVerdict.UNTRUSTED
    assert str(report.sub_indication) == "NO_CERTIFICATE_CHAIN_FOUND"
    assert report.untrusted_ca == "Test Root CA Chính phủ"
    assert any("look-alike" in detail for detail in report.details)

    result = make_pipeline(engine, tmp_path, pki).process("fake", _mail(pdf), envelope())
    assert result.outcome == "rejected"
    assert "signature-untrusted" in result.reasons


def test_trust_check_names_the_untrusted_ca_and_never_prints_a_traceback(
    tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a deployment trusting the test root, a PDF signed under a look-alike root and
    a PDF with a malformed encryption dictionary
    WHEN a clerk runs `gateway trust check` on each
    THEN the first report says in Vietnamese where the chain ends, naming the CA; the
    second is a one-line Vietnamese error, exit 1, no traceback."""
    deploy = tmp_path / "deploy"
    assert run_cli("init", str(deploy), cwd=tmp_path).returncode == 0
    (deploy / "trust" / "test-root.pem").write_bytes(pki.root_pem())
    config = str(deploy / "gateway.toml")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(sign_with(official_document_pdf(number="79"), _look_alike_of(pki), "ChuKy"))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(
        malformed_pdfs.malformed_encryption_pdf().replace(b"\n", b"\n%/ByteRange\n", 1)
    )

    checked = run_cli("trust", "check", str(fake), "-c", config, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "Không tin cậy" in checked.stdout
    assert "kết thúc ở tổ chức cấp chứng thư “Test Root CA Chính phủ”" in checked.stdout

    failed = run_cli("trust", "check", str(broken), "-c", config, cwd=tmp_path)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "không đọc được văn bản PDF" in failed.stderr


def test_inbound_record_of_an_unreadable_pdf_keeps_the_reason(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN a truncated-xref PDF that also carries a signature dictionary (strict reading
    needed) WHEN processed THEN the inbound record says `unreadable-document`."""
    pdf = malformed_pdfs.truncated_xref_stream_pdf().replace(b"\n", b"\n%/ByteRange\n", 1)
    make_pipeline(engine, tmp_path, pki).process("signed-bad", _mail(pdf), envelope())

    with read_session(engine) as session:
        reasons = session.scalars(select(col(InboundMessage.reasons))).one()
    assert "unreadable-document" in reasons


def test_trust_store_without_roots_still_names_the_ca() -> None:
    """GIVEN no trust roots at all WHEN a document signed under the test PKI is verified
    THEN the untrusted verdict names the self-signed root its embedded chain ends at."""
    from tests.support.pki import make_pki
    from tests.support.signing import sign_as_person_then_agency

    pdf = sign_as_person_then_agency(official_document_pdf(number="80"), make_pki())
    reports = verify_pdf(pdf, TrustStore(), datetime.now(UTC)).signatures
    assert {r.untrusted_ca for r in reports} == {"Test Root CA Chính phủ"}
