"""The Vietnamese Government CA certificates shipped with the package (DESIGN §4.9).

The three certificates live in ``gateway/data/vn-ca/`` (provenance in the README beside
them). Shipping them trusts nothing: :func:`install_official` copies them into the
deployment's ``trust/`` folder only when an administrator asks (``gateway trust install
official``, ``gateway init --official-roots``), and only after each file's SHA-256
fingerprint (of the DER certificate) matches the value pinned here. A mismatch — a file
replaced in the package, a corrupted copy — refuses the whole installation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.errors import GatewayError
from gateway.storage.durable import replace_file


@dataclass(frozen=True)
class PinnedCertificate:
    """One shipped certificate and the fingerprint it must have."""

    filename: str  # in gateway/data/vn-ca/ and, once installed, in trust/
    sha256: str  # of the DER encoding, upper-case hex without colons
    label: str  # what it is, for the administrator


OFFICIAL_CERTIFICATES: tuple[PinnedCertificate, ...] = (
    PinnedCertificate(
        "rootca-chuyen-dung-chinh-phu-g2.pem",
        "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8",
        "RootCA chuyên dùng Chính phủ G2 (Ban Cơ yếu Chính phủ)",
    ),
    PinnedCertificate(
        "ca-phuc-vu-co-quan-nha-nuoc-g2.pem",
        "D8CAB7A4AEF92E6BB2509D7C61CEE7B44F3731B2D21074963530277B366FAE4B",
        "CA phục vụ các cơ quan Nhà nước G2 (Ban Cơ yếu Chính phủ)",
    ),
    PinnedCertificate(
        "vietnam-national-root-ca.pem",
        "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7",
        "Vietnam National Root CA (Bộ Thông tin và Truyền thông, NEAC)",
    ),
)


class FingerprintMismatchError(GatewayError):
    """A shipped certificate is not the one pinned: nothing is installed."""


@dataclass(frozen=True)
class InstallStep:
    """What installing one certificate did (or would do, on a dry run)."""

    certificate: PinnedCertificate
    target: Path
    action: str  # "written" | "unchanged" | "would write"


def fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, upper-case hex without colons."""
    return hashlib.sha256(der).hexdigest().upper()


def shipped_pem(filename: str) -> bytes:
    """The bytes of one shipped certificate file."""
    return resources.files("gateway").joinpath("data/vn-ca", filename).read_bytes()


def checked_pem(pinned: PinnedCertificate, pem: bytes) -> bytes:
    """``pem`` when it holds exactly the pinned certificate; FingerprintMismatchError else."""
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise FingerprintMismatchError(
            f"{pinned.filename}: không đọc được chứng thư số ({exc}); không cài đặt gì"
        ) from exc
    found = fingerprint(certificate.public_bytes(Encoding.DER))
    if found != pinned.sha256:
        raise FingerprintMismatchError(
            f"{pinned.filename}: dấu vân tay SHA-256 {found} KHÔNG khớp với giá trị đã ghim "
            f"{pinned.sha256} ({pinned.label}); không cài đặt gì"
        )
    return pem


def install_official(
    trust_folder: Path,
    *,
    dry_run: bool = False,
    source: Callable[[str], bytes] = shipped_pem,
) -> list[InstallStep]:
    """Check every shipped certificate (read by ``source``) against its pin, then (unless
    ``dry_run``) write them into ``trust_folder``. All are checked before any is written."""
    checked = [(p, checked_pem(p, source(p.filename))) for p in OFFICIAL_CERTIFICATES]
    steps: list[InstallStep] = []
    for pinned, pem in checked:
        target = trust_folder / pinned.filename
        if target.is_file() and target.read_bytes() == pem:
            action = "unchanged"
        elif dry_run:
            action = "would write"
        else:
            trust_folder.mkdir(parents=True, exist_ok=True)
            replace_file(target, pem, mode=0o644)
            action = "written"
        steps.append(InstallStep(pinned, target, action))
    return steps
