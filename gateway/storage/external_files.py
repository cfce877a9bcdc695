"""Files the configuration names outside its own folder (DESIGN §4.9: a backup holds
the whole deployment).

An administrator may point ``[directory] file``, ``[rules] file``, ``[trust] roots`` and
``intermediates``, ``[trust] crls``, the SMTP certificate, key and users file, the DKIM
key or an IMAP account's password file at an absolute path (``/etc/ssl/…``,
``/etc/gateway/…``). The backup copies each such file that exists into
``external/<its absolute path>`` and lists it in the manifest; a restore writes it back
where it was when nothing is there (a new machine), and otherwise leaves the copy in
``NEWDIR/external`` and says so — it never overwrites a file it did not write.
"""

from __future__ import annotations

import glob
import shutil
from pathlib import Path

from gateway.config.settings import Deployment

FOLDER = "external"


def configured_paths(deployment: Deployment) -> list[Path]:
    """Every file the configuration names (patterns expanded, folders walked)."""
    s = deployment.settings
    named = [
        s.directory.file,
        s.rules.file,
        s.smtp.tls_cert,
        s.smtp.tls_key,
        s.smtp.auth_users_file,
        s.outgoing.dkim_key_file,
        *(account.password_file for account in s.imap),
    ]
    found = [deployment.path(value) for value in named if value]
    for pattern in (*s.trust.roots, *s.trust.intermediates):
        found += [Path(p) for p in sorted(glob.glob(str(deployment.path(pattern))))]  # noqa: PTH207
    if s.trust.crls:
        folder = deployment.path(s.trust.crls)
        found += sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return [p for p in dict.fromkeys(found) if p.is_file()]


def outside(deployment: Deployment) -> list[Path]:
    """The configured files that are not under the configuration folder (absolute)."""
    if deployment.config_file is None:
        return []
    base = deployment.base_dir.resolve()
    return [
        p.resolve() for p in configured_paths(deployment) if not p.resolve().is_relative_to(base)
    ]


def backup_name(path: Path) -> str:
    """Where ``path`` goes inside a backup: ``external/etc/ssl/gateway.pem``."""
    return str(Path(FOLDER, *path.parts[1:]))


def copy_out(deployment: Deployment, target: Path) -> dict[str, str]:
    """Copy the files outside the configuration folder into ``target``; {original: name}."""
    copied: dict[str, str] = {}
    for path in outside(deployment):
        name = backup_name(path)
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(path, destination)
        copied[str(path)] = name
    return copied


def put_back(source: Path, into: Path, listed: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write each external file back where it was when nothing is there; else keep it in
    ``into/external``. (paths written back, paths kept aside)"""
    written: list[str] = []
    aside: list[str] = []
    for original, name in sorted(listed.items()):
        target = Path(original)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
            written.append(original)
        else:
            kept = into / name
            kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.copy2(source / name, kept)
            aside.append(original)
    return written, aside
