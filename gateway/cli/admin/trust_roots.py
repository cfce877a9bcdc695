"""``gateway trust install official [--dry-run]`` and ``gateway trust list [--json]``
(DESIGN §4.9): the administrator's step that trusts the Government CA certificates, and
what the deployment trusts, with subject, validity and fingerprint."""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.config.settings import Deployment, load
from gateway.trust.listing import TrustedCertificate, trusted_certificates
from gateway.trust.official import FingerprintMismatchError, InstallStep, install_official

EXIT_OK, EXIT_FAILURE = 0, 1

_ACTIONS = {"written": "đã ghi", "unchanged": "đã có, không đổi", "would write": "sẽ ghi"}


def trust_folder(deployment: Deployment) -> Path:
    """The folder of the first ``[trust] roots`` pattern (``trust/`` by default)."""
    roots = deployment.settings.trust.roots
    pattern = deployment.path(roots[0]) if roots else deployment.path("trust/*.pem")
    return pattern.parent


def install(deployment: Deployment, *, dry_run: bool) -> list[InstallStep]:
    """Install the official certificates; warn when ``[trust] roots`` would not load them."""
    steps = install_official(trust_folder(deployment), dry_run=dry_run)
    patterns = [str(deployment.path(p)) for p in deployment.settings.trust.roots]
    for step in steps:
        if not any(fnmatch.fnmatch(str(step.target), p) for p in patterns):
            print(
                f"CẢNH BÁO: {step.target} không khớp [trust] roots = "
                f"{list(deployment.settings.trust.roots)}: sẽ không được tin cậy",
                file=sys.stderr,
            )
    return steps


def _cmd_install(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    try:
        steps = install(deployment, dry_run=args.dry_run)
    except FingerprintMismatchError as exc:
        print(f"TỪ CHỐI CÀI ĐẶT: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    for step in steps:
        print(f"{_ACTIONS[step.action]}: {step.target}")
        print(f"    {step.certificate.label}")
        print(f"    SHA-256 {_colons(step.certificate.sha256)} (khớp giá trị đã ghim)")
    if args.dry_run:
        print("Chạy thử: chưa ghi tệp nào.")
    else:
        print("Khởi động lại cổng (hoặc gửi SIGHUP) để áp dụng.")
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    certificates = trusted_certificates(deployment)
    if args.json:
        rows = [c.to_json(deployment.zone) for c in certificates]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(_table(certificates, deployment))
    return EXIT_OK


def _table(certificates: list[TrustedCertificate], deployment: Deployment) -> str:
    if not certificates:
        return (
            "Chưa tin cậy chứng thư số nào ([trust] roots): mọi chữ ký sẽ bị coi là không "
            "tin cậy. Cài chứng thư của Chính phủ: gateway trust install official"
        )
    lines = []
    zone = deployment.zone
    for c in certificates:
        role = "gốc" if c.role == "root" else "trung gian"
        official = " (chứng thư chính thức, đã ghim)" if c.official else ""
        lines += [
            f"{c.name} [{role}]{official}",
            f"    chủ thể: {c.subject}",
            f"    hiệu lực: {c.not_before.astimezone(zone):%d/%m/%Y} đến "
            f"{c.not_after.astimezone(zone):%d/%m/%Y}",
            f"    SHA-256: {_colons(c.sha256)}",
            f"    tệp: {c.file}",
        ]
    return "\n".join(lines)


def _colons(hex_digest: str) -> str:
    return ":".join(hex_digest[i : i + 2] for i in range(0, len(hex_digest), 2))


def add_parsers(trust: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway trust install|list`` wired into the ``trust`` sub-commands."""
    setup = command(trust, "install", _cmd_install, "trust the shipped Government CA roots")
    setup.add_argument("which", choices=["official"], help="official: the Government CA")
    setup.add_argument("--dry-run", action="store_true", help="check, write nothing")
    command(
        trust, "list", _cmd_list, "what is trusted: subject, validity, fingerprint", json_flag=True
    )
