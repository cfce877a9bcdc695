"""The Government CA certificates: shipped, pinned, installed only by the administrator's
step (DESIGN §4.9), and a look-alike chain that validates only under its own root."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from gateway.trust.official import (
    OFFICIAL_CERTIFICATES,
    FingerprintMismatchError,
    install_official,
    shipped_pem,
)
from tests.support.gateway_process import run_cli
from tests.support.pdfs import official_document_pdf
from tests.support.pki import (
    CA_NOT_AFTER,
    CA_NOT_BEFORE,
    Credential,
    _build,
    cached_key,
    issue_certificate,
)
from tests.support.signing import sign_with

FINGERPRINTS = {  # the values of reference/vn-ca/README.md, typed again on purpose
    "rootca-chuyen-dung-chinh-phu-g2.pem": (
        "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8"
    ),
    "ca-phuc-vu-co-quan-nha-nuoc-g2.pem": (
        "D8CAB7A4AEF92E6BB2509D7C61CEE7B44F3731B2D21074963530277B366FAE4B"
    ),
    "vietnam-national-root-ca.pem": (
        "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7"
    ),
}


def _real(filename: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(shipped_pem(filename))


@pytest.fixture(scope="module")
def lookalike() -> tuple[Credential, Credential, Credential]:
    """Root, intermediate and an agency's certificate with the Government CA's names
    (subjects copied from the shipped certificates) but our own keys."""
    real_root = _real("rootca-chuyen-dung-chinh-phu-g2.pem")
    real_ca = _real("ca-phuc-vu-co-quan-nha-nuoc-g2.pem")
    root_key = cached_key("lookalike-root")
    root = Credential(
        root_key,
        _build(
            subject=real_root.subject,
            key=root_key,
            issuer=None,
            not_before=CA_NOT_BEFORE,
            not_after=CA_NOT_AFTER,
            ca=True,
        ),
    )
    ca_key = cached_key("lookalike-ca")
    ca = Credential(
        ca_key,
        _build(
            subject=real_ca.subject,
            key=ca_key,
            issuer=root,
            not_before=CA_NOT_BEFORE,
            not_after=CA_NOT_AFTER,
            ca=True,
        ),
        chain=(root.cert,),
    )
    agency = issue_certificate(
        ca,
        common_name="Sở Nội vụ tỉnh Kiên Giang",
        organization="Ủy ban nhân dân tỉnh Kiên Giang",
        label="lookalike-agency",
    )
    return root, ca, agency


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    root = tmp_path / "deploy"
    assert run_cli("init", str(root), cwd=tmp_path).returncode == 0
    return root


def test_shipped_certificates_carry_the_published_fingerprints() -> None:
    """GIVEN the package data WHEN the pins are compared with the published values
    THEN all three match, and each shipped file has exactly its pinned fingerprint."""
    assert {p.filename: p.sha256 for p in OFFICIAL_CERTIFICATES} == FINGERPRINTS
    steps = install_official(Path("/nonexistent-never-written"), dry_run=True)
    assert [s.action for s in steps] == ["would write"] * 3


def test_nothing_is_trusted_until_the_administrator_installs(
    deployment: Path, tmp_path: Path
) -> None:
    """GIVEN a fresh `gateway init` WHEN trust list, then install --dry-run, then install
    THEN nothing is trusted before, the dry run writes nothing, and after the install the
    three certificates are listed with subject, validity and the pinned fingerprints."""
    config = str(deployment / "gateway.toml")
    before = run_cli("trust", "list", "--json", "-c", config, cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout) == []

    dry = run_cli("trust", "install", "official", "--dry-run", "-c", config, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "sẽ ghi" in dry.stdout
    assert not list((deployment / "trust").glob("*.pem"))

    done = run_cli("trust", "install", "official", "-c", config, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = json.loads(run_cli("trust", "list", "--json", "-c", config, cwd=tmp_path).stdout)
    assert {Path(c["file"]).name: c["sha256"] for c in listed} == FINGERPRINTS
    national = next(c for c in listed if c["name"] == "Vietnam National Root CA")
    assert national["official"] is True
    assert national["not_before"].startswith("2014-04-15")
    assert national["not_after"].startswith("2039-04-15")
    assert "Ban Cơ yếu Chính phủ" in next(
        c["subject"] for c in listed if c["name"] == "RootCA chuyên dùng Chính phủ G2"
    )
    text = run_cli("trust", "list", "-c", config, cwd=tmp_path).stdout
    assert "hiệu lực: 22/08/2018 đến 14/08/2048" in text
    assert "F0:4B:A4:B4" in text


def test_init_official_roots_installs_at_set_up(tmp_path: Path) -> None:
    """GIVEN `gateway init DIR --official-roots` THEN trust/ holds the three pinned files."""
    result = run_cli("init", str(tmp_path / "d"), "--official-roots", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "d" / "trust").glob("*.pem")) == sorted(FINGERPRINTS)


def test_a_look_alike_certificate_is_refused_loudly(
    tmp_path: Path, lookalike: tuple[Credential, Credential, Credential]
) -> None:
    """GIVEN a package whose root file was replaced by a look-alike (same names, other key)
    WHEN installing THEN the installation is refused naming the fingerprints, and nothing
    at all is written (not even the genuine files)."""
    fake_root = lookalike[0].cert.public_bytes(serialization.Encoding.PEM)

    def tampered(filename: str) -> bytes:
        return fake_root if filename.startswith("rootca") else shipped_pem(filename)

    with pytest.raises(FingerprintMismatchError, match="KHÔNG khớp") as error:
        install_official(tmp_path / "trust", source=tampered)
    assert FINGERPRINTS["rootca-chuyen-dung-chinh-phu-g2.pem"] in str(error.value)
    assert not (tmp_path / "trust").exists()


def test_look_alike_chain_validates_only_under_its_own_root(
    deployment: Path, tmp_path: Path, lookalike: tuple[Credential, Credential, Credential]
) -> None:
    """GIVEN a document signed under a chain named like the Government CA's (our keys)
    WHEN `gateway trust check` runs with the look-alike root trusted THEN it is valid end
    to end (agency → CA phục vụ các cơ quan Nhà nước G2 → RootCA … G2);
    WHEN only the real official roots are trusted THEN the same signature is untrusted."""
    root, _, agency = lookalike
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(
        sign_with(
            official_document_pdf(
                number="12", symbol="SNV-VP", issued_on=date(2026, 11, 2), summary="thử"
            ),
            agency,
            "Signature1",
        )
    )
    config = str(deployment / "gateway.toml")
    lookalike_root = deployment / "trust" / "lookalike.pem"
    lookalike_root.write_bytes(root.cert.public_bytes(serialization.Encoding.PEM))

    trusted = run_cli("trust", "check", str(pdf), "--json", "-c", config, cwd=tmp_path)
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["worst_verdict"] == "valid"
    text = run_cli("trust", "check", str(pdf), "-c", config, cwd=tmp_path).stdout
    assert "CA phục vụ các cơ quan Nhà nước G2 → RootCA chuyên dùng Chính phủ G2" in text

    lookalike_root.unlink()
    assert run_cli("trust", "install", "official", "-c", config, cwd=tmp_path).returncode == 0
    real = run_cli("trust", "check", str(pdf), "--json", "-c", config, cwd=tmp_path)
    assert json.loads(real.stdout)["worst_verdict"] == "untrusted"
