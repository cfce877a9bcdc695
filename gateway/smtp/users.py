"""SMTP AUTH users: a file of ``NAME:HASH`` lines, hashed with scrypt (stdlib only).

A hash reads ``scrypt$N$r$p$SALT$KEY`` (salt and key in base64, 16-byte random salt per
user). Verification compares in constant time and spends the same work on unknown names as
on known ones, so a client cannot tell which names exist. The file is re-read when it
changes, so ``gateway smtp-user add`` takes effect without a restart. Passwords are never
logged.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from gateway.errors import ConfigError
from gateway.storage.durable import replace_file

SCHEME = "scrypt"
COST_N, COST_R, COST_P = 2**14, 8, 1  # ~16 MiB and some tens of ms per check
KEY_BYTES = 32
SALT_BYTES = 16
NAME_PATTERN = re.compile(r"[A-Za-z0-9._@+-]{1,128}")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password``: ``scrypt$N$r$p$SALT$KEY``."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = _derive(password.encode("utf-8"), salt, COST_N, COST_R, COST_P)
    return "$".join((SCHEME, str(COST_N), str(COST_R), str(COST_P), _b64(salt), _b64(key)))


def verify_password(password: bytes, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        actual = _derive(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _derive(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=KEY_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Checked for names that do not exist, so that they cost as much as the ones that do.
_DECOY = hash_password("decoy", salt=b"\0" * SALT_BYTES)


def parse_users(text: str, source: str) -> dict[str, str]:
    """``NAME:HASH`` lines (blank lines and ``#`` comments allowed) → {name: hash}."""
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, stored = stripped.partition(":")
        if not sep or not NAME_PATTERN.fullmatch(name) or not stored.startswith(SCHEME + "$"):
            raise ConfigError(f"{source}:{number}: expected NAME:scrypt$… (one user a line)")
        users[name] = stored
    return users


@dataclass
class _Snapshot:
    stamp: tuple[int, int]
    users: dict[str, str]


class UserFile:
    """The users of ``[smtp] auth_users_file``; :meth:`check` may run in a worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._snapshot = self._read()  # a missing or malformed file fails at start

    def check(self, name: str, password: bytes) -> bool:
        """Whether NAME exists and PASSWORD is its password."""
        users = self._current()
        stored = users.get(name)
        matches = verify_password(password, stored if stored is not None else _DECOY)
        return matches and stored is not None

    def names(self) -> list[str]:
        return sorted(self._current())

    def _current(self) -> dict[str, str]:
        try:
            stat = self.path.stat()
        except OSError:
            return self._snapshot.users  # keep the last good copy; the log says nothing new
        if (stat.st_mtime_ns, stat.st_size) != self._snapshot.stamp:
            try:
                self._snapshot = self._read()
            except ConfigError:
                return self._snapshot.users  # a half-edited file: keep the last good copy
        return self._snapshot.users

    def _read(self) -> _Snapshot:
        try:
            stat = self.path.stat()
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"[smtp] auth_users_file: cannot read {self.path}") from exc
        users = parse_users(text, str(self.path))
        return _Snapshot((stat.st_mtime_ns, stat.st_size), users)


def add_user(path: Path, name: str, password: str) -> bool:
    """Add NAME (or replace its password) in the file; True when the name was new.

    The file is replaced atomically (temporary file, fsync, rename) and kept mode 0600.
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"user name {name!r}: letters, digits and . _ @ + - only")
    if not password:
        raise ConfigError("the password must not be empty")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    parse_users(text, str(path))  # refuse to rewrite a file we do not understand
    line = f"{name}:{hash_password(password)}"
    lines = text.splitlines()
    found = [i for i, old in enumerate(lines) if old.strip().partition(":")[0] == name]
    for index in found:
        lines[index] = line
    if not found:
        lines.append(line)
    replace_file(path, ("\n".join(lines) + "\n").encode("utf-8"), mode=0o600)
    return not found


def read_new_password(password_file: Path | None) -> str:
    """The new password: the file's first line, or typed twice at the terminal."""
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--password-file: cannot read {password_file}") from exc
        return lines[0] if lines else ""
    first = getpass.getpass("Mật khẩu (password): ")
    if getpass.getpass("Nhập lại (again): ") != first:
        raise ConfigError("the two passwords differ")
    return first
