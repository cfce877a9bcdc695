"""A real clamd (Debian clamav-daemon) on a unix socket in a temp dir, for scanner tests.

No signature database can be downloaded here, and clamd refuses an empty one, so the
database is made in the test: an ``.ndb`` body signature for the EICAR test string
catches it in any file, also inside a PDF or a base64 MIME part (FIELD-NOTES, ClamAV).
clamd runs as a foreground child process and is stopped by its own pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "Gateway.Test.EICAR"
REQUIRE_VARIABLE = "GATEWAY_TEST_REQUIRE_CLAMD"


def clamd_binary() -> str | None:
    found = shutil.which("clamd")
    if found:
        return found
    return "/usr/sbin/clamd" if os.access("/usr/sbin/clamd", os.X_OK) else None


class ClamdProcess:
    """One clamd with its config, database, socket and log under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket_path = root / "clamd.sock"
        self.process: subprocess.Popen[bytes] | None = None
        database = root / "db"
        database.mkdir(parents=True, exist_ok=True)
        body = "45494341522d5354414e444152442d414e544956495255532d544553542d46494c45"
        (database / "gateway-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{body}\n")
        self.config = root / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket_path}",
                    f"DatabaseDirectory {database}",
                    f"LogFile {root / 'clamd.log'}",
                    f"PidFile {root / 'clamd.pid'}",
                    f"TemporaryDirectory {root}",
                    "ScanMail yes",
                    "ScanPDF yes",
                    "StreamMaxLength 50M",
                    "",
                ]
            )
        )

    @property
    def address(self) -> str:
        return f"unix:{self.socket_path}"

    def start(self, timeout: float = 30.0) -> ClamdProcess:
        binary = clamd_binary()
        if binary is None:
            raise RuntimeError("clamd is not installed")
        with (self.root / "clamd.stderr").open("ab") as stderr:
            self.process = subprocess.Popen(
                [binary, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"clamd exited: {self.log_text()}")
            if self._pong():
                return self
            time.sleep(0.02)
        raise RuntimeError(f"clamd did not answer within {timeout}s: {self.log_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        self.socket_path.unlink(missing_ok=True)

    def _pong(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                sock.connect(str(self.socket_path))
                sock.sendall(b"zPING\0")
                return sock.recv(64).startswith(b"PONG")
        except OSError:
            return False

    def log_text(self) -> str:
        parts = []
        for name in ("clamd.log", "clamd.stderr"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(parts)


def clamd_fixture(root: Path) -> Iterator[ClamdProcess]:
    """The body of a pytest fixture: a started clamd, or a visible skip (a failure when
    ``GATEWAY_TEST_REQUIRE_CLAMD`` is set, as in scripts/test and CI)."""
    import pytest

    if clamd_binary() is None:
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"{REQUIRE_VARIABLE} is set but clamd (clamav-daemon) is not installed")
        pytest.skip("clamd (Debian clamav-daemon) is not installed")
    process = ClamdProcess(root).start()
    try:
        yield process
    finally:
        process.stop()


def pdf_with_eicar(pdf: bytes) -> bytes:
    """``pdf`` with the EICAR string in a comment line before its last ``%%EOF``."""
    head, sep, tail = pdf.rpartition(b"%%EOF")
    return head + b"%" + EICAR + b"\n" + sep + tail
