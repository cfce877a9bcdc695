"""The signature test matrix (R-SIGN), through the whole gateway.

Every case is a real PDF made from the test PKI, mailed over SMTP to ONE running
``gateway serve`` (module scope, distinct Message-IDs). Each case asserts the verdicts
and sub-indications recorded in the register database, and the gateway's outcome: a
receipt (03) or a rejection (02) with the right ``X-Reject-Reasons`` — or, for an
undecidable signature, a hold (no answer until a clerk decides, DESIGN §4.4).

The deployment trusts the test root, ships the intermediates in ``[trust]
intermediates`` and keeps a fresh CRL of the main intermediate in ``[trust] crls``
(revoking one certificate). A second intermediate has no revocation data at all: its
revoked certificate shows what each revocation mode does without data (soft-fail over
SMTP; the other modes through ``gateway ingest`` of the same deployment).
"""

from __future__ import annotations

import json
import smtplib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fpdf import FPDF

from tests.support import signing
from tests.support.gateway_process import GatewayProcess, run_cli
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import (
    Credential,
    TestPki,
    expired_credential,
    issue_certificate,
    make_crl,
    make_intermediate,
    make_root,
    not_yet_valid_credential,
    untrusted_credential,
)

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
NOW = datetime.now(UTC)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    name: str
    verdicts: tuple[str, ...]
    subs: tuple[str | None, ...]
    outcome: str  # accepted | rejected | held
    reasons: tuple[str, ...] = ()
    revocation: tuple[str | None, ...] | None = None


CASES = [
    Case("valid", ("valid", "valid"), (None, None), "accepted", revocation=("good", "good")),
    Case(
        "byte-changed",
        ("invalid", "invalid"),
        ("HASH_FAILURE",) * 2,
        "rejected",
        ("signature-invalid",),
    ),
    Case(
        "signature-corrupted",
        ("invalid", "invalid"),
        ("SIG_CRYPTO_FAILURE", "HASH_FAILURE"),
        "rejected",
        ("signature-invalid",),
    ),
    Case(
        "page-added",
        ("modified", "modified"),
        ("FORMAT_FAILURE",) * 2,
        "rejected",
        ("signature-modified",),
    ),
    Case(
        "content-replaced",
        ("modified", "modified"),
        ("FORMAT_FAILURE",) * 2,
        "rejected",
        ("signature-modified",),
    ),
    Case(
        "junk-appended",
        ("modified", "modified"),
        ("FORMAT_FAILURE",) * 2,
        "rejected",
        ("signature-modified",),
    ),
    Case(
        "untrusted-root",
        ("untrusted",),
        ("NO_CERTIFICATE_CHAIN_FOUND",),
        "rejected",
        ("signature-untrusted",),
    ),
    Case(
        "rogue-root-same-name",
        ("untrusted",),
        ("NO_CERTIFICATE_CHAIN_FOUND",),
        "rejected",
        ("signature-untrusted",),
    ),
    Case("expired", ("expired",), ("OUT_OF_BOUNDS_NO_POE",), "rejected", ("signature-expired",)),
    Case("not-yet-valid", ("expired",), ("NOT_YET_VALID",), "rejected", ("signature-expired",)),
    Case(
        "revoked-with-crl",
        ("revoked",),
        ("REVOKED_NO_POE",),
        "rejected",
        ("signature-revoked",),
        revocation=("revoked",),
    ),
    Case("revoked-no-data-soft-fail", ("valid",), (None,), "accepted", revocation=("not-checked",)),
    Case("intermediate-from-trust-store", ("valid",), (None,), "accepted"),
    Case("digital-signature-only", ("valid",), (None,), "accepted"),
    Case(
        "unsupported-subfilter",
        ("indeterminate",),
        ("FORMAT_FAILURE",),
        "held",
        ("signature-indeterminate",),
    ),
    Case("other-agency", ("valid", "valid"), (None, None), "rejected", ("signer-mismatch",)),
    Case("unsigned", (), (), "accepted"),
    Case("encrypted", (), (), "rejected", ("unreadable-document",)),
    Case("not-a-pdf", (), (), "rejected", ("unreadable-document",)),
]


@dataclass(frozen=True)
class Materials:
    pki: TestPki
    second: Credential  # intermediate without revocation data
    revoked: Credential
    revoked_elsewhere: Credential


def _materials(pki: TestPki) -> Materials:
    second = make_intermediate(pki.root, "Test CA Chuyên dùng 2", label="intermediate-2")
    revoked = pki.issue("Phạm Thị Thu Hồi", pki.org_name, label="revoked")
    elsewhere = issue_certificate(
        second, common_name="Đỗ Văn Không Dữ Liệu", organization=pki.org_name, label="revoked-2"
    )
    return Materials(pki, second, revoked, elsewhere)


def _pdf(number: int) -> bytes:
    return official_document_pdf(number=str(number), issued_on=date(2026, 11, 20))


def _encrypted() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="So: 999/UBND-VP")
    # A user password: closed to readers. (Owner-password-only files open for reading:
    # docs/decisions/owner-password-pdfs.md.)
    pdf.set_encryption(owner_password="owner-secret", user_password="mo-tep")
    return bytes(pdf.output())


def _build_pdfs(m: Materials) -> dict[str, bytes]:
    pki = m.pki
    two = signing.sign_as_person_then_agency
    rogue_root = make_root(label="rogue-root")  # the trusted root's very name, another key
    rogue = issue_certificate(
        make_intermediate(rogue_root, label="rogue-intermediate"),
        common_name="Văn phòng HĐND và UBND thành phố Rạch Giá",
        organization=pki.org_name,
        label="rogue-agency",
    )
    other = pki.issue(
        "Phòng Tài chính - Kế hoạch thành phố Rạch Giá",
        "Phòng Tài chính - Kế hoạch thành phố Rạch Giá",
        label="other-agency-tckh",
        non_repudiation=False,
    )

    def single(number: int, credential: Credential) -> bytes:
        return signing.sign_with(_pdf(number), credential, "ChuKy")

    pdfs = {
        "valid": two(_pdf(101), pki),
        "byte-changed": signing.flip_byte_in_signed_range(two(_pdf(102), pki)),
        "signature-corrupted": signing.corrupt_signature_value(two(_pdf(103), pki)),
        "page-added": signing.add_page_after_signing(two(_pdf(104), pki)),
        "content-replaced": signing.append_incremental_change(two(_pdf(105), pki)),
        "junk-appended": signing.append_junk(two(_pdf(106), pki)),
        "untrusted-root": single(107, untrusted_credential()),
        "rogue-root-same-name": single(108, rogue),
        "expired": single(109, expired_credential(pki)),
        "not-yet-valid": single(110, not_yet_valid_credential(pki)),
        "revoked-with-crl": single(111, m.revoked),
        "revoked-no-data-soft-fail": single(112, m.revoked_elsewhere),
        "intermediate-from-trust-store": single(113, replace(pki.agency, chain=())),
        "digital-signature-only": single(114, pki.agency),
        "unsupported-subfilter": single(115, pki.agency).replace(
            b"/adbe.pkcs7.detached", b"/adbe.x509.rsa_sha1 ", 1
        ),
        "other-agency": signing.sign_with(
            signing.sign_with(_pdf(116), pki.person, signing.PERSON_FIELD), other, "ChuKyCoQuan"
        ),
        "unsigned": _pdf(117),
        "encrypted": _encrypted(),
        "not-a-pdf": b"This is not a PDF, whatever its name says.\n",
    }
    assert set(pdfs) == {c.name for c in CASES}
    return pdfs


def _pem(credential: Credential) -> bytes:
    return credential.cert.public_bytes(serialization.Encoding.PEM)


def _deploy(root: Path, m: Materials) -> GatewayProcess:
    process = GatewayProcess(
        root,
        m.pki.root_pem(),
        env={
            "GATEWAY_TRUST__INTERMEDIATES": '["trust/intermediates/*.pem"]',
            "GATEWAY_TRUST__CRLS": "trust/crls",
        },
    )
    (root / "trust" / "intermediates").mkdir()
    (root / "trust" / "intermediates" / "ca.pem").write_bytes(_pem(m.pki.intermediate))
    (root / "trust" / "intermediates" / "ca2.pem").write_bytes(_pem(m.second))
    (root / "trust" / "crls").mkdir()
    crl = make_crl(
        m.pki.intermediate,
        [m.revoked.cert],
        revoked_on=NOW - timedelta(days=10),
        this_update=NOW - timedelta(days=1),
        next_update=NOW + timedelta(days=30),
    )
    (root / "trust" / "crls" / "ca.crl").write_bytes(crl)
    return process


def _mail(name: str, pdf: bytes) -> bytes:
    return official_mail(
        sender=AGENCY,
        message_id=_message_id(name),
        subject=f"Công văn kiểm thử {name}",
        attachments=[(f"{name}.pdf", pdf, "application/pdf")],
    )


def _message_id(name: str) -> str:
    return f"<matrix-{name}@vp.rachgia.example.gov.vn>"


@dataclass
class Run:
    gateway: GatewayProcess
    pdfs: dict[str, bytes]
    inbound: dict[str, dict[str, Any]]
    answers: dict[str, EmailMessage]
    materials: Materials


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[Run]:
    materials = _materials(pki)
    pdfs = _build_pdfs(materials)
    gateway = _deploy(tmp_path_factory.mktemp("matrix") / "deploy", materials).start()
    try:
        with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
            for name, pdf in pdfs.items():
                client.sendmail(AGENCY, [GATEWAY], _mail(name, pdf))
        answered = sum(c.outcome != "held" for c in CASES)
        mails = gateway.wait_for_outbox(answered, timeout=120.0)
        assert len(mails) == answered, gateway.log_text()
        inbound = {row["message_id"]: row for row in gateway.cli_json("inbound", "list")}
        answers = {str(mail["In-Reply-To"]): mail for mail in mails}
        yield Run(gateway, pdfs, inbound, answers, materials)
    finally:
        gateway.stop()


def _signature_rows(database: Path, message_id: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT s.verdict, s.sub_indication, s.indication, s.revocation, s.chain"
            " FROM signature_result s JOIN inbound_message i ON s.inbound_id = i.id"
            " WHERE i.message_id = ? ORDER BY s.position",
            (message_id,),
        ).fetchall()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_signature_matrix(run: Run, case: Case) -> None:
    """GIVEN one running gateway WHEN a document of this kind is mailed over SMTP
    THEN its verdicts and sub-indications are recorded, and it is answered as expected."""
    message_id = _message_id(case.name)
    rows = _signature_rows(run.gateway.data_dir / "gateway.db", message_id)
    assert tuple(r[0] for r in rows) == case.verdicts
    assert tuple(r[1] for r in rows) == case.subs
    for verdict, _, indication, _, _ in rows:
        assert (indication == "TOTAL-PASSED") == (verdict == "valid")
    if case.revocation is not None:
        assert tuple(r[3] for r in rows) == case.revocation
    inbound = run.inbound[message_id]
    assert inbound["outcome"] == case.outcome
    assert tuple(inbound["reasons"]) == case.reasons
    answer = run.answers.get(message_id)
    if case.outcome == "held":
        assert answer is None  # answered when a clerk decides
        return
    assert answer is not None
    if case.outcome == "accepted":
        assert answer["X-Document-Status"] == "03"
        assert answer["X-Reject-Reasons"] is None
    else:
        assert answer["X-Document-Status"] == "02"
        assert answer["X-Reject-Reasons"] == ",".join(case.reasons)


def test_register_shows_the_signature_details(run: Run) -> None:
    """GIVEN the valid two-signature document registered WHEN shown with --json
    THEN each signature carries the §4.3 keys and the indication, coverage, chain…"""
    rows = run.gateway.cli_json("register", "list")
    [entry] = [r for r in rows if r["message_id"] == _message_id("valid")]
    person, agency = entry["signatures"]
    assert {"signer", "organization", "signed_at", "verdict", "reasons"} <= set(person)
    assert person["indication"] == agency["indication"] == "TOTAL-PASSED"
    assert person["coverage"] == "entire-revision"
    assert agency["coverage"] == "entire-file"
    assert person["modification_level"] == "form-filling"
    assert person["timestamp_trusted"] is False
    assert person["chain"] == ["Nguyễn Văn An", "Test CA Chuyên dùng", "Test Root CA Chính phủ"]
    assert person["signed_at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("mode", "outcome", "revocation"),
    [
        ("off", "accepted", "not-checked"),
        ("hard-fail", "held", "unknown"),
        ("require", "held", "unknown"),
    ],
)
def test_revoked_without_data_under_each_mode(
    run: Run, tmp_path: Path, mode: str, outcome: str, revocation: str
) -> None:
    """GIVEN a revoked certificate whose CA published nothing the gateway holds
    WHEN the document goes through the pipeline (gateway ingest) under each mode
    THEN off accepts ("not-checked"), hard-fail and require hold it (TRY_LATER)."""
    eml = tmp_path / "revoked.eml"
    eml.write_bytes(_mail(f"mode-{mode}", run.pdfs["revoked-no-data-soft-fail"]))
    env = {
        **run.gateway.env,
        "GATEWAY_TRUST__REVOCATION": mode,
        "GATEWAY_GATEWAY__DATA_DIR": str(tmp_path / "var"),
    }
    result = run_cli("ingest", str(eml), "-c", str(run.gateway.config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    rows = _signature_rows(tmp_path / "var" / "gateway.db", _message_id(f"mode-{mode}"))
    assert [(r[0], r[3]) for r in rows] == [
        ("valid" if outcome == "accepted" else "indeterminate", revocation)
    ]
    if outcome == "held":
        assert rows[0][1] == "TRY_LATER"
    listed = run_cli(
        "inbound", "list", "--json", "-c", str(run.gateway.config), cwd=tmp_path, env=env
    )
    [inbound] = json.loads(listed.stdout)
    assert inbound["outcome"] == outcome
