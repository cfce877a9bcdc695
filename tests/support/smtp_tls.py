"""TLS certificates (trustme) and in-process gateway SMTP listeners, for the TLS/AUTH tests.

``write_deployment`` writes a gateway.toml with a trustme server certificate and a users
file; ``running_listeners`` starts the configured listeners exactly as ``gateway serve``
does (``gateway.smtp.guard.start_smtp_listeners``) on a loop in a background thread.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme

from gateway.config.settings import Deployment, load
from gateway.smtp.guard import start_smtp_listeners
from gateway.smtp.ratelimit import ClientLimits
from gateway.smtp.users import add_user
from gateway.spool.queue import Spool
from tests.support.sink import free_port

GATEWAY_ADDRESS = "vanthu@example.gov.vn"
USER, PASSWORD = "clerk", "Dung-mat-khau 123"  # smtplib sends ASCII only


def write_server_files(ca: trustme.CA, directory: Path) -> tuple[Path, Path]:
    """A certificate chain and key for 127.0.0.1 / localhost, as PEM files."""
    directory.mkdir(parents=True, exist_ok=True)
    server = ca.issue_cert("127.0.0.1", "localhost")
    cert, key = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    server.private_key_pem.write_to_path(str(key))
    return cert, key


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the test CA (and checks the host name)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@dataclass
class Ports:
    public: int
    submission: int


def write_deployment(
    ca: trustme.CA, root: Path, *, smtp: str = "", limits: str = ""
) -> tuple[Deployment, Ports]:
    """gateway.toml with STARTTLS on the public port, implicit TLS on submission, one user."""
    write_server_files(ca, root / "tls")
    add_user(root / "smtp-users", USER, PASSWORD)
    ports = Ports(free_port(), free_port())
    config = root / "gateway.toml"
    config.write_text(
        f"""
[smtp]
listen = "127.0.0.1:{ports.public}"
submission_listen = "127.0.0.1:{ports.submission}"
hostname = "gateway.test"
addresses = ["{GATEWAY_ADDRESS}"]
max_message_bytes = 100000
tls_cert = "tls/cert.pem"
tls_key = "tls/key.pem"
auth_users_file = "smtp-users"
{smtp}
[limits]
{limits}
""",
        encoding="utf-8",
    )
    return load(config, environ={}), ports


@dataclass
class Running:
    spool: Spool
    spooled: list[str]


@contextmanager
def running_listeners(
    deployment: Deployment, limits: ClientLimits | None = None
) -> Iterator[Running]:
    """The deployment's SMTP listeners on a loop of their own, until the block ends."""
    spool = Spool(deployment.data_dir / "spool")
    spooled: list[str] = []
    loop = asyncio.new_event_loop()
    servers = loop.run_until_complete(
        _start(deployment, spool, spooled.append, limits)  # needs a running loop
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield Running(spool, spooled)
    finally:
        for server in servers:
            loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        for server in servers:
            loop.run_until_complete(server.wait_closed())
        loop.close()


async def _start(
    deployment: Deployment,
    spool: Spool,
    on_spooled: Callable[[str], None],
    limits: ClientLimits | None,
) -> list[asyncio.Server]:
    return await start_smtp_listeners(deployment, spool, on_spooled, limits)
