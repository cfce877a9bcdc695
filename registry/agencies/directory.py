"""The agency directory (agencies.yaml): who may send documents, by address or domain."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cached_property

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mailparse.addresses import address_accepted
from registry.errors import RegistryError


class DirectoryError(RegistryError):
    """The directory file is unusable; the message names the entry and the problem."""


class Agency(BaseModel):
    """One sending agency (cơ quan, đơn vị)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64)  # mã định danh, or a local code
    name: str = Field(min_length=1)
    parent: str = ""  # the code of the agency it belongs to (cơ quan chủ quản), if any
    group: str = ""
    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    # Certificate organisation names (O) or organisation-certificate names (CN) the
    # agency signs with (R-FORGE); compared after NFC and casefold. Empty: not checked.
    signer_organizations: tuple[str, ...] = ()

    @field_validator("addresses", "domains")
    @classmethod
    def _lower(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip().lower() for v in values)


class _DirectoryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agencies: list[Agency] = []


@dataclass(frozen=True)
class Directory:
    """Lookup of agencies by sender address: the exact address first, then the domain."""

    agencies: tuple[Agency, ...]

    def identify(self, address: str | None) -> Agency | None:
        if not address:
            return None
        address = address.lower()
        domain = address.rpartition("@")[2]
        for agency in self.agencies:
            if address in agency.addresses:
                return agency
        for agency in self.agencies:
            if domain in agency.domains:
                return agency
        return None

    def by_code(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def held(self) -> AbstractContextManager[Directory]:
        """A block in which this directory stays as read (one message sees one directory);
        a directory from a file never changes."""
        return nullcontext(self)

    @cached_property
    def local_domains(self) -> frozenset[str]:
        """Domains of listed addresses and listed domains the parser would refuse
        (special-use such as ``.local``, single labels): a closed network's own names,
        recognised because the directory lists them (DESIGN §4.9)."""
        names = {a.rpartition("@")[2] for agency in self.agencies for a in agency.addresses}
        names.update(d for agency in self.agencies for d in agency.domains)
        return frozenset(n for n in names if n and not address_accepted(f"x@{n}"))


def unusual_addresses(directory: Directory) -> list[str]:
    """``code: address`` of each listed address the parser accepts only because the
    directory lists its domain (said at import and start-up, DESIGN §4.9)."""
    return [
        f"{agency.code}: {address}"
        for agency in directory.agencies
        for address in (*agency.addresses, *(f"@{d}" for d in agency.domains))
        if not address_accepted(address if not address.startswith("@") else f"x{address}")
    ]


def parse_directory(text: str, source: str) -> Directory:
    """Validate the YAML text of a directory file; DirectoryError names what is wrong."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise DirectoryError(f"{source}: not valid YAML: {exc}") from exc
    try:
        parsed = _DirectoryFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise DirectoryError(f"{source}: {problems}") from exc
    codes = [a.code for a in parsed.agencies]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DirectoryError(f"{source}: agency codes used twice: {', '.join(duplicates)}")
    return Directory(tuple(parsed.agencies))
