"""A throwaway Dovecot IMAP server on a loopback port, for the IMAP intake tests.

``Dovecot(users).start()`` writes its own config into a fresh temp dir (base_dir,
state_dir, logs, a passwd-file passdb and a static userdb whose maildirs belong to the
``mail`` user — Dovecot refuses root as a mail uid), runs ``dovecot -F -c FILE`` as a
foreground child and stops it by its own pid. Without the package the tests skip, unless
GATEWAY_TEST_REQUIRE_DOVECOT is set: then the skip is a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.support.sink import free_port

HOST = "127.0.0.1"
REQUIRE_DOVECOT_VARIABLE = "GATEWAY_TEST_REQUIRE_DOVECOT"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 50
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
protocol imap {{
  mail_plugins =
}}
"""


def dovecot_binary() -> str:
    """The dovecot executable, or a skip (a failure when Dovecot is required)."""
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found is None:
        reason = "IMAP tests need Dovecot (apt-get install -y dovecot-imapd)"
        if os.environ.get(REQUIRE_DOVECOT_VARIABLE):
            pytest.fail(f"{REQUIRE_DOVECOT_VARIABLE} is set: {reason}")
        pytest.skip(reason)
    return found


class Dovecot:
    """One Dovecot instance; ``users`` maps user names to passwords."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self.binary = dovecot_binary()
        self.users = dict(users)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="gw-dovecot-"))
        self.root.chmod(0o755)  # the mail uid must reach its home below
        self.process: subprocess.Popen[bytes] | None = None
        self._clients: list[IMAPClient] = []
        self._write_config()

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def _write_config(self) -> None:
        if os.geteuid() == 0:
            mail = pwd.getpwnam("mail")
            internal, login = "dovecot", "dovenull"
        else:  # an unprivileged run: everything as the current user
            mail = pwd.getpwuid(os.geteuid())
            internal = login = mail.pw_name
        home = self.root / "home"
        for user in self.users:
            (home / user / "Maildir").mkdir(parents=True)
        for path in [home, *home.rglob("*")]:
            os.chown(path, mail.pw_uid, mail.pw_gid)
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in self.users.items())
        )
        self.config.write_text(
            _CONFIG.format(
                root=self.root,
                host=HOST,
                port=self.port,
                uid=mail.pw_uid,
                gid=mail.pw_gid,
                internal=internal,
                login=login,
            )
        )

    def start(self, timeout: float = 15.0) -> Dovecot:
        with (self.root / "stderr.log").open("ab") as stderr:
            self.process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited early:\n{self.log_text()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within {timeout}s:\n{self.log_text()}")

    def stop(self) -> None:
        """SIGTERM by our own pid; Dovecot's master stops its children."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def cleanup(self) -> None:
        for client in self._clients:
            try:
                client.logout()
            except Exception:
                client.shutdown()
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self) -> None:
        self.stop()
        self.start()

    def session_pids(self) -> list[int]:
        """The ``imap`` processes serving logged-in sessions (children of our master)."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            if ppid == self.process.pid and name == "imap":
                found.append(int(entry.name))
        return found

    def kill_sessions(self) -> int:
        """Drop every IMAP session at once (SIGKILL to each serving process, by pid)."""
        pids = self.session_pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return len(pids)

    def client(self, user: str) -> IMAPClient:
        """A logged-in imapclient session for a test to append, list and inspect with."""
        client = IMAPClient(HOST, port=self.port, ssl=False, timeout=30)
        client.login(user, self.users[user])
        self._clients.append(client)  # logged out by cleanup()
        return client

    def log_text(self) -> str:
        parts = []
        for name in ("dovecot.log", "stderr.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)
