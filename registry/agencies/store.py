"""The agency directory kept in the database (DESIGN §4.9; docs/decisions/directory-in-database.md).

``agencies.yaml`` is the directory an administrator wrote at set-up; what ``gateway
directory import`` merges and what a clerk adds while accepting a held sender lives in the
table ``directory_agency``, which every gateway instance reads (PostgreSQL: no shared
filesystem, DESIGN §3). The directory in force is the file's agencies overlaid by the
table's rows, matched by ``code``: a row replaces the file's agency of the same code.
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from registry.agencies.directory import Agency, Directory
from registry.holding import Holding
from registry.types import utc_field

log = logging.getLogger(__name__)


class DirectoryAgency(SQLModel, table=True):
    """One agency imported or added by a person; replaces the file's agency of its code."""

    __tablename__ = "directory_agency"

    code: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str
    parent: str = Field(default="", sa_column=Column(String(64), nullable=False))
    group: str = Field(default="", sa_column=Column("agency_group", String(200), nullable=False))
    addresses: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    signer_organizations: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    source: str = Field(default="", sa_column=Column(String(200), nullable=False))
    updated_by: str = Field(default="", sa_column=Column(String(200), nullable=False))
    updated_at: datetime = utc_field()

    def agency(self) -> Agency:
        return Agency(
            code=self.code,
            name=self.name,
            parent=self.parent,
            group=self.group,
            addresses=tuple(self.addresses),
            domains=tuple(self.domains),
            signer_organizations=tuple(self.signer_organizations),
        )


_FIELDS = ("name", "parent", "group", "addresses", "domains", "signer_organizations")


@dataclass(frozen=True)
class MergeReport:
    """What a merge did (or would do): codes added, changed (with the fields), unchanged."""

    added: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unchanged: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def stored_rows(session: Session) -> list[DirectoryAgency]:
    """Every agency stored by the console or an import, as its row (who, when)."""
    return list(session.scalars(select(DirectoryAgency)))


def stored_agencies(session: Session) -> list[Agency]:
    rows = session.scalars(select(DirectoryAgency).order_by(col(DirectoryAgency.code)))
    return [row.agency() for row in rows]


def stored_version(session: Session) -> tuple[int, datetime | None]:
    """Changes when any row is added, updated or removed (the count drops): cheap enough
    to ask once per message."""
    count, latest = session.execute(
        select(func.count(), func.max(col(DirectoryAgency.updated_at)))
    ).one()
    return int(count), latest


def overlay(base: Directory, stored: list[Agency]) -> Directory:
    """``base`` with each stored agency replacing the one of its code (or added)."""
    by_code = {a.code: a for a in base.agencies}
    for agency in stored:
        by_code[agency.code] = agency
    return Directory(tuple(by_code.values()))


def merge(
    session: Session,
    agencies: list[Agency],
    current: Directory,
    *,
    actor: str,
    source: str,
    now: datetime,
    dry_run: bool = False,
) -> MergeReport:
    """Merge ``agencies`` into the table by code, against the directory in force."""
    added: list[str] = []
    changed: list[tuple[str, tuple[str, ...]]] = []
    unchanged: list[str] = []
    for agency in agencies:
        before = current.by_code(agency.code)
        if before is None:
            added.append(agency.code)
        else:
            diff = tuple(f for f in _FIELDS if _value(before, f) != _value(agency, f))
            if not diff:
                unchanged.append(agency.code)
                continue
            changed.append((agency.code, diff))
        if not dry_run:
            store(session, agency, actor=actor, source=source, now=now)
    return MergeReport(tuple(added), tuple(changed), tuple(unchanged))


def store(session: Session, agency: Agency, *, actor: str, source: str, now: datetime) -> None:
    """Insert or replace the row of ``agency.code``."""
    row = session.get(DirectoryAgency, agency.code) or DirectoryAgency(
        code=agency.code, name=agency.name, updated_at=now
    )
    row.name = agency.name
    row.parent = agency.parent
    row.group = agency.group
    row.addresses = list(agency.addresses)
    row.domains = list(agency.domains)
    row.signer_organizations = list(agency.signer_organizations)
    row.source = source[:200]
    row.updated_by = actor[:200]
    row.updated_at = now
    session.add(row)


def remove(session: Session, code: str) -> bool:
    """Delete the row of ``code``; False when there was none. The file's agency of that
    code, if any, is in force again (the row count drops, so every LiveDirectory notices)."""
    row = session.get(DirectoryAgency, code)
    if row is None:
        return False
    session.delete(row)
    session.flush()  # gone for the rest of the transaction too
    return True


def _value(agency: Agency, name: str) -> Any:
    value = getattr(agency, name)
    return tuple(sorted(value)) if isinstance(value, tuple) else value


class LiveDirectory(Directory):
    """The directory in force, read again whenever the table changed: an agency a clerk
    adds on one instance is known to every instance at its next message (DESIGN §3, §4.9).
    A database that cannot be read keeps the directory last read."""

    _base: Directory
    _engine: Engine
    _version: tuple[int, datetime | None] | None
    _current: Directory
    _lock: threading.Lock
    _holding: Holding[Directory]

    def __init__(self, base: Directory, engine: Engine) -> None:
        object.__setattr__(self, "agencies", base.agencies)
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_version", None)
        object.__setattr__(self, "_current", base)
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_holding", Holding())

    def held(self) -> AbstractContextManager[Directory]:
        """Read once, then held for this thread until the block ends: one message sees one
        directory, and its stages ask the database for the version once, not at each look."""
        return self._holding.block(self.refresh)

    def refresh(self) -> Directory:
        """The directory in force now (a plain value, the same object until it changes)."""
        held = self._holding.value
        if held is not None:
            return held
        with self._lock:
            try:
                with Session(self._engine) as session:
                    version = stored_version(session)
                    if version != self._version:
                        current = overlay(self._base, stored_agencies(session))
                        object.__setattr__(self, "agencies", current.agencies)
                        object.__setattr__(self, "_current", current)
                        object.__setattr__(self, "_version", version)
            except SQLAlchemyError as exc:
                log.warning("directory table unreadable, using the last one read: %s", exc)
            return self._current

    @property
    def file_directory(self) -> Directory:
        """The directory of ``agencies.yaml`` alone, beneath the table's rows."""
        return self._base

    def identify(self, address: str | None) -> Agency | None:
        return self.refresh().identify(address)

    def by_code(self, code: str) -> Agency | None:
        return self.refresh().by_code(code)

    @property
    def local_domains(self) -> frozenset[str]:
        return self.refresh().local_domains
