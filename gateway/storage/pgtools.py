"""PostgreSQL's own tools for backup and restore: ``pg_dump`` (one consistent snapshot,
custom format) and ``pg_restore``. The password never appears on a command line: it goes
to the child in ``PGPASSWORD``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from gateway.errors import GatewayError


class PgToolError(GatewayError):
    """pg_dump / pg_restore is missing or failed; the message carries its last words."""


def tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``: on PATH, else the newest Debian cluster's."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise PgToolError(f"không tìm thấy {name}: cài gói postgresql-client")


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as a libpq URI without the password, and the environment to add."""
    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_dump(url: str, target: Path) -> None:
    uri, env = libpq(url)
    _run([tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), uri], env)


def pg_restore(url: str, source: Path, *, clean: bool = False) -> None:
    """Restore ``source`` into ``url``; ``clean`` drops the objects it restores first."""
    uri, env = libpq(url)
    dropping = ["--clean", "--if-exists"] if clean else []
    _run(
        [
            tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            *dropping,
            "--dbname",
            uri,
            str(source),
        ],
        env,
    )


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(
            command,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or "").strip().splitlines()[-3:]
        raise PgToolError(f"{Path(command[0]).name} thất bại: {' '.join(last)}") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PgToolError(f"{Path(command[0]).name}: {exc}") from exc
