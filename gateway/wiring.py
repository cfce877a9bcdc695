"""Explicit wiring: settings → engine, spool, archive, directory, trust, pipeline, outbox.

Everything is built here, once, and passed in; nothing registers itself at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.engine import Engine

import templates
from gateway.config.settings import Deployment
from gateway.errors import ConfigError
from gateway.outbox.dkim import load_signer
from gateway.outbox.sender import OutboxSender
from gateway.outbox.transports import Transport, transport_for
from gateway.pipeline.analysis import Verifier
from gateway.pipeline.documents.ocr import ocr_reader
from gateway.pipeline.flow import Pipeline
from gateway.routing.in_force import Router
from gateway.scan.clamd import ClamdAddress, ClamdScanner
from gateway.senderauth.dns import SystemResolver
from gateway.spool.queue import Spool
from gateway.storage.archive import open_stores
from gateway.trust.store import load_trust
from mailparse.limits import Limits
from mailparse.signatures.verify import verify_pdf
from registry.agencies.directory import (
    Directory,
    DirectoryError,
    parse_directory,
    unusual_addresses,
)
from registry.agencies.store import LiveDirectory
from registry.database import make_engine, upgrade
from rules.decision import Policy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Components:
    deployment: Deployment
    engine: Engine
    spool: Spool
    pipeline: Pipeline
    outbox: OutboxSender
    transport: Transport
    router: Router | None = None  # routing rules in force (reloaded on SIGHUP)


def sample_directory_text() -> str:
    """The sample directory shipped with the package (the 30 units of CV54)."""
    return resources.files("gateway").joinpath("data/agencies.yaml").read_text(encoding="utf-8")


def load_directory(deployment: Deployment) -> Directory:
    """The configured directory; the shipped sample only when running on embedded defaults."""
    path = deployment.path(deployment.settings.directory.file)
    try:
        if path.is_file():
            return parse_directory(path.read_text(encoding="utf-8"), str(path))
        if deployment.config_file is None:
            return parse_directory(sample_directory_text(), "embedded sample agencies.yaml")
    except DirectoryError as exc:
        raise ConfigError(str(exc)) from exc
    raise ConfigError(f"{deployment.config_file}: [directory] file: {path} does not exist")


def directory_in_force(deployment: Deployment, engine: Engine) -> LiveDirectory:
    """The file's directory overlaid by the imported and added agencies (DESIGN §4.9);
    addresses only a closed network uses are said at start-up."""
    directory = LiveDirectory(load_directory(deployment), engine)
    for unusual in unusual_addresses(directory.refresh()):
        log.warning(
            "directory lists %s: a special-use or single-label domain, accepted only "
            "because the directory lists it (closed network)",
            unusual,
        )
    return directory


def open_database(deployment: Deployment) -> Engine:
    """The engine, with every migration applied (``gateway db upgrade`` does only this)."""
    engine = make_engine(deployment.database_url)
    upgrade(engine)
    return engine


def scanner_for(deployment: Deployment) -> ClamdScanner | None:
    """The configured clamd, or None: scanning off (``[scanner] clamd = ""``)."""
    scanner = deployment.settings.scanner
    if not scanner.clamd:
        return None
    return ClamdScanner(ClamdAddress.parse(scanner.clamd), scanner.timeout_seconds)


def build(
    deployment: Deployment, *, verify: Verifier = verify_pdf, migrate: bool = True
) -> Components:
    """Everything of one deployment; without ``migrate`` the database is taken as it is
    (a pipeline process: the service it works for has upgraded it)."""
    settings = deployment.settings
    data_dir = deployment.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(deployment) if migrate else make_engine(deployment.database_url)
    router = Router(deployment, engine)  # an invalid rules file stops start-up (exit 2)
    archive, restricted = open_stores(
        storage=settings.gateway.storage,
        database_url=deployment.database_url,
        data_dir=data_dir,
        engine=engine,
    )
    pipeline = Pipeline(
        engine=engine,
        archive=archive,
        restricted=restricted,
        directory=directory_in_force(deployment, engine),
        trust=load_trust(deployment),
        policy=Policy(
            unsigned=settings.policy.unsigned,
            unknown_sender=settings.policy.unknown_sender,
            administrative_domains=settings.policy.administrative_domains,
            indeterminate=settings.policy.indeterminate,
            active_content=settings.policy.active_content,
            auth=settings.auth.policy,
        ),
        verify=verify,
        templates=templates.environment(),
        from_address=settings.outgoing.from_address,
        zone=deployment.zone,
        scanner=scanner_for(deployment),
        administrator=settings.alerts.administrator,
        limits=Limits(
            max_parts=settings.limits.max_parts,
            max_depth=settings.limits.max_depth,
            max_header_bytes=settings.limits.max_header_bytes,
            max_decoded_bytes=settings.limits.max_decoded_bytes,
            max_pages=settings.limits.max_pages,
        ),
        resolver=(
            SystemResolver(settings.auth.dns_timeout_seconds)
            if settings.auth.resolver == "system"
            else None
        ),
        signer=load_signer(deployment),
        auto_replies_per_day=settings.limits.auto_replies_per_day,
        router=router,
        ocr=ocr_reader(time_limit=settings.limits.ocr_seconds)  # when tesseract is installed
        if settings.limits.ocr_seconds
        else None,
    )
    transport = transport_for(settings.outgoing.relay, data_dir / "outbox")
    outbox = OutboxSender(
        engine=engine,
        transport=transport,
        max_attempts=settings.outgoing.max_attempts,
        retry_base_seconds=settings.outgoing.retry_base_seconds,
        retry_max_seconds=settings.outgoing.retry_max_seconds,
    )
    spool = Spool(data_dir / "spool")
    return Components(deployment, engine, spool, pipeline, outbox, transport, router)
