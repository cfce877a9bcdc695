"""A real ``gateway serve`` child process on a loopback port, for end-to-end tests.

The deployment is made with ``gateway init`` and the test PKI's root in trust/; settings
that differ per test come in as GATEWAY_* environment variables, as an operator would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from tests.support.sink import free_port


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m gateway ARGS`` as a user would run it; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class GatewayProcess:
    """One deployment directory and the server process serving it."""

    def __init__(self, root: Path, root_pem: bytes, env: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.port = free_port()
        result = run_cli("init", str(root), cwd=root.parent)
        if result.returncode != 0:
            raise RuntimeError(f"gateway init failed: {result.stderr}")
        (root / "trust" / "test-root.pem").write_bytes(root_pem)
        self.env = {
            "GATEWAY_SMTP__LISTEN": f"127.0.0.1:{self.port}",
            "GATEWAY_WEB__LISTEN": "",
            # No real DNS from tests (the in-process fake resolver covers DKIM/SPF/DMARC).
            "GATEWAY_AUTH__RESOLVER": "off",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "serve.log"

    @property
    def config(self) -> Path:
        return self.root / "gateway.toml"

    def add_config(self, text: str) -> None:
        """Append TOML (e.g. ``[[imap]]`` tables, which environment variables cannot express)."""
        with self.config.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)

    @property
    def data_dir(self) -> Path:
        return self.root / "var"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    def start(self, timeout: float = 30.0) -> GatewayProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "-c", str(self.config)],
            cwd=self.root,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited early:\n{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gateway did not listen within {timeout}s:\n{self.log_text()}")

    def kill9(self) -> None:
        """SIGKILL, by the process's own pid: no cleanup of any kind runs."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.terminate(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, "-c", str(self.config), cwd=self.root, env=self.env)

    def add_user(self, name: str, role: str, password: str, *extra: str) -> None:
        """A console account made with ``gateway users add`` (the password through a file)."""
        password_file = self.root / f"password-{name}.txt"
        password_file.write_text(password + "\n", encoding="utf-8")
        added = self.cli(
            "users", "add", name, "--role", role, "--password-file", str(password_file), *extra
        )
        if added.returncode != 0:
            raise RuntimeError(f"gateway users add {name} failed: {added.stderr}")

    def cli_json(self, *args: str) -> Any:
        result = self.cli(*args, "--json")
        if result.returncode != 0:
            raise RuntimeError(f"gateway {' '.join(args)} failed: {result.stderr}")
        return json.loads(result.stdout)

    def outbox(self, *, routed: bool = False) -> list[EmailMessage]:
        """Every mail delivered into the local maildir (new/ and cur/); the routed copies to
        assignees (every registered document is routed) only with ``routed``."""
        found = []
        for folder in ("new", "cur"):
            directory = self.outbox_dir / folder
            if directory.is_dir():
                for path in sorted(directory.iterdir()):
                    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                    assert isinstance(parsed, EmailMessage)
                    if routed or not str(parsed["Message-ID"]).startswith("<routed-copy."):
                        found.append(parsed)
        return found

    def wait_for_outbox(
        self, count: int, timeout: float = 5.0, *, routed: bool = False
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            mails = self.outbox(routed=routed)
            if len(mails) >= count or time.monotonic() > deadline:
                return mails
            time.sleep(0.05)
