"""The console app in process, over the service's real parts (spool, pipeline, database).

``create_app`` is the very app ``gateway serve`` runs; here it is driven through Starlette's
TestClient (real HTTP semantics: cookies, redirects, forms) so that decisions taken on a
page can be followed into the spool, the register and the outbox of the same deployment.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col
from starlette.exceptions import StarletteDeprecationWarning

from gateway.clerk.accounts import Accounts, csrf_token_for
from gateway.cli.main import main
from gateway.config.settings import load
from gateway.pipeline.worker import Worker
from gateway.spool.envelope import Envelope
from gateway.web.app import create_app
from gateway.wiring import Components, build
from registry.console.accounts import Role
from registry.database import read_session
from registry.models import AuditEvent, OutboxMessage, RegisterEntry
from tests.support.messages import official_mail
from tests.support.pki import TestPki

with warnings.catch_warnings():  # it asks for httpx2; the httpx client it wraps is enough here
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

PASSWORD = "mat-khau-thu-nghiem-1"
AGENCY = "vanthu@vp.rachgia.example.gov.vn"
USERS = (
    ("vanthu", Role.CLERK, None),
    ("chuyenvien", Role.OFFICER, "PTP"),
    ("quantri", Role.ADMIN, None),
)


def envelope(mail_from: str = AGENCY) -> Envelope:
    return Envelope(
        received_at=datetime.now(UTC),
        protocol="smtp",
        mail_from=mail_from,
        rcpt_tos=("vanthu@example.gov.vn",),
    )


@dataclass
class InProcessConsole:
    components: Components
    config: Path
    database_url: str
    others: list[Components] = field(default_factory=list)

    @contextmanager
    def signed_in(self, username: str) -> Iterator[TestClient]:
        app = create_app(
            self.components.deployment, self.components.engine, components=self.components
        )
        with TestClient(app, follow_redirects=False) as client:
            form = client.get("/login")
            answer = client.post(
                "/login",
                data={"username": username, "password": PASSWORD, "csrf_token": csrf(form.text)},
            )
            assert answer.status_code == 303, answer.text
            yield client

    def receive(self, raw: bytes, mail_from: str = AGENCY) -> str:
        """Spool ``raw`` and let one worker process it, as ``gateway serve`` does."""
        spool_id = self.components.spool.put(raw, envelope(mail_from))
        self.work()
        return spool_id

    def work(self) -> None:
        c = self.components
        while Worker(c.spool, c.pipeline, 5).run_once():
            pass

    def rebuilt(self, **environ: str) -> Components:
        """The same deployment's parts built again with other settings."""
        settings = {**os.environ, "GATEWAY_GATEWAY__DATABASE_URL": self.database_url, **environ}
        components = build(load(self.config, settings))
        self.others.append(components)
        return components

    def close(self) -> None:
        """Dispose of every engine (the PostgreSQL test database is dropped afterwards)."""
        for components in (self.components, *self.others):
            components.engine.dispose()

    def outbox(self, kind: str) -> list[OutboxMessage]:
        with read_session(self.components.engine) as session:
            return list(
                session.scalars(select(OutboxMessage).where(col(OutboxMessage.kind) == kind))
            )

    def the_entry(self) -> RegisterEntry:
        """The register's one entry (tests that receive one document)."""
        with read_session(self.components.engine) as session:
            return session.scalars(select(RegisterEntry)).one()

    def audit(self, prefix: str) -> list[AuditEvent]:
        with read_session(self.components.engine) as session:
            rows = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id)))
            return [e for e in rows if e.action.startswith(prefix)]


def session_csrf(client: TestClient) -> str:
    """The CSRF token of the client's session, as every signed-in page embeds it."""
    return csrf_token_for(client.cookies["gw_session"])


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def make_console(root: Path, pki: TestPki, database_url: str, **environ: str) -> InProcessConsole:
    """A fresh deployment under ``root`` (``gateway init``) with the test root trusted."""
    assert main(["init", str(root)]) == 0
    (root / "trust" / "root.pem").write_bytes(pki.root_pem())
    config = root / "gateway.toml"
    settings = {**os.environ, "GATEWAY_GATEWAY__DATABASE_URL": database_url, **environ}
    components = build(load(config, settings))
    accounts = Accounts(components.engine)
    for name, role, unit in USERS:
        accounts.add(name, role, PASSWORD, unit_code=unit, actor="test")
    return InProcessConsole(components, config, database_url)


@contextmanager
def routed_to_vp(
    root: Path, pki: TestPki, database_url: str, pdf: bytes
) -> Iterator[InProcessConsole]:
    """One document the sample rules route at once to Văn phòng (VP), and an officer of
    VP (``chuyenvien.vp``)."""
    console = make_console(root, pki, database_url)
    try:
        Accounts(console.components.engine).add(
            "chuyenvien.vp", Role.OFFICER, PASSWORD, unit_code="VP", actor="test"
        )
        console.receive(
            official_mail(sender=AGENCY, attachments=[("cv.pdf", pdf, "application/pdf")])
        )
        yield console
    finally:
        console.close()
