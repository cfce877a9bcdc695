"""A person's edits of the agency directory (DESIGN §4.9; docs/decisions/directory-in-database.md).

The two actions the console's ``/directory`` pages and ``gateway directory remove`` share:

- :func:`save` writes one agency as a person typed it into the table ``directory_agency``
  (``source="console"``, the person as ``updated_by``) with the audit event
  ``directory.edit`` naming the changed fields — in one write transaction;
- :func:`remove` deletes the row of one code with the audit event ``directory.remove``, in
  one transaction; the file's agency of that code, if any, is in force again.

Every gateway instance reads the table again at its next message
(:class:`registry.agencies.store.LiveDirectory`), so an edit needs no restart. What a
person typed is checked by :func:`agency_from`; its problems are said in Vietnamese.

Errors::

    GatewayError
    └── DirectoryEditError      what was typed cannot be saved (problems, in Vietnamese)
        └── NoStoredAgencyError the code has no row in the database (nothing to remove)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from gateway.errors import GatewayError
from mailparse.addresses import address_accepted
from registry.agencies.directory import Agency, Directory, unusual_addresses
from registry.agencies.store import DirectoryAgency, store
from registry.agencies.store import remove as remove_row
from registry.database import write_session
from registry.recorder import Recorder

SOURCE = "console"
FIELDS = ("name", "parent", "group", "addresses", "domains", "signer_organizations")
FIELD_LABELS = {
    "code": "Mã định danh",
    "name": "Tên cơ quan",
    "parent": "Thuộc (mã cơ quan chủ quản)",
    "group": "Nhóm",
    "addresses": "Địa chỉ thư",
    "domains": "Tên miền",
    "signer_organizations": "Tổ chức ký số",
}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


class DirectoryEditError(GatewayError):
    """What a person typed cannot be saved; ``problems`` say why, in Vietnamese."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class NoStoredAgencyError(DirectoryEditError):
    """The code has no row in the database: only agencies.yaml (edited by hand) has it,
    or no directory has it at all."""


@dataclass(frozen=True)
class AgencyInput:
    """One agency's fields as typed in a form: lists one item a line."""

    code: str
    name: str
    parent: str = ""
    group: str = ""
    addresses: str = ""
    domains: str = ""
    signer_organizations: str = ""


@dataclass(frozen=True)
class Saved:
    """What :func:`save` did: the agency now in force, whether its code was new, the
    fields that changed (none: nothing was written) and addresses worth a warning."""

    agency: Agency
    added: bool
    changed: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Removed:
    """What :func:`remove` did: the row taken out, and the file's agency of that code now
    in force again (None: the gateway no longer knows the agency)."""

    removed: Agency
    back_from_file: Agency | None


def lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a text area (commas and semicolons also separate)."""
    items = (item.strip() for item in re.split(r"[\r\n,;]+", text))
    return tuple(dict.fromkeys(item for item in items if item))


def agency_from(typed: AgencyInput, current: Directory) -> Agency:
    """The agency a person typed, checked; DirectoryEditError lists every problem."""
    problems: list[str] = []
    code = typed.code.strip()
    before = current.by_code(code)
    if before is None and not _CODE.fullmatch(code):  # a listed code is kept as it is
        problems.append(
            f"{FIELD_LABELS['code']}: cần từ 1 đến 64 ký tự, chỉ gồm chữ không dấu, chữ số, "
            "dấu chấm, gạch ngang hoặc gạch dưới (ví dụ 000.00.31.H33)."
        )
    if not typed.name.strip():
        problems.append(f"{FIELD_LABELS['name']}: chưa nhập.")
    addresses = tuple(a.lower() for a in lines(typed.addresses))
    domains = tuple(d.lower().lstrip("@") for d in lines(typed.domains))
    problems += [
        f"{FIELD_LABELS['addresses']}: “{a}” không phải là một địa chỉ thư điện tử."
        for a in addresses
        if not _is_address(a)
    ]
    problems += [
        f"{FIELD_LABELS['domains']}: “{d}” không phải là một tên miền."
        for d in domains
        if not _is_domain(d)
    ]
    parent = typed.parent.strip()
    unknown = current.by_code(parent) is None and (before is None or before.parent != parent)
    if parent and parent != code and unknown:
        problems.append(f"{FIELD_LABELS['parent']}: không có cơ quan mã “{parent}” trong danh bạ.")
    if parent and parent == code:
        problems.append(f"{FIELD_LABELS['parent']}: một cơ quan không thể thuộc chính nó.")
    if problems:
        raise DirectoryEditError(problems)
    try:
        return Agency(
            code=code,
            name=" ".join(typed.name.split()),
            parent=parent,
            group=typed.group.strip(),
            addresses=addresses,
            domains=domains,
            signer_organizations=lines(typed.signer_organizations),
        )
    except ValidationError as exc:  # the model's own limits, should the checks above miss one
        raise DirectoryEditError(
            f"{FIELD_LABELS.get(str(e['loc'][0]), str(e['loc'][0]))}: giá trị không hợp lệ."
            for e in exc.errors()
            if e["loc"]
        ) from exc


def save(engine: Engine, agency: Agency, current: Directory, *, actor: str, new: bool) -> Saved:
    """Write ``agency`` as ``actor`` edited it (``new``: the add form, the code must be
    unknown), with its audit event in the same transaction; nothing is written when no
    field changed."""
    before = current.by_code(agency.code)
    if new and before is not None:
        raise DirectoryEditError(
            [f"{FIELD_LABELS['code']}: mã “{agency.code}” đã có trong danh bạ ({before.name})."]
        )
    if before is None:
        changed = tuple(f for f in FIELDS if getattr(agency, f))
    else:
        changed = tuple(f for f in FIELDS if _value(before, f) != _value(agency, f))
    warnings = tuple(unusual_addresses(Directory((agency,))))
    if before is not None and not changed:
        return Saved(agency, False, (), warnings)
    now = datetime.now(UTC)
    with write_session(engine) as session:
        if new and session.get(DirectoryAgency, agency.code) is not None:  # added meanwhile
            raise DirectoryEditError([f"{FIELD_LABELS['code']}: mã “{agency.code}” đã có."])
        store(session, agency, actor=actor, source=SOURCE, now=now)
        Recorder(session, now=now).audit(
            "directory.edit",
            actor=actor,
            code=agency.code,
            name=agency.name,
            added=before is None,
            fields=list(changed),
        )
    return Saved(agency, before is None, changed, warnings)


def remove(engine: Engine, code: str, file_directory: Directory, *, actor: str) -> Removed:
    """Delete the row of ``code`` with its audit event (one transaction); the file's
    agency of that code, if any, is in force again. NoStoredAgencyError: no such row."""
    back = file_directory.by_code(code)
    with write_session(engine) as session:
        row = session.get(DirectoryAgency, code)
        if row is None:
            raise NoStoredAgencyError([_not_stored(code, back)])
        removed = row.agency()
        remove_row(session, code)
        Recorder(session).audit(
            "directory.remove",
            actor=actor,
            code=code,
            name=removed.name,
            file_agency_in_force=back is not None,
        )
    return Removed(removed, back)


def _not_stored(code: str, in_file: Agency | None) -> str:
    if in_file is not None:
        return (
            f"Cơ quan mã “{code}” ({in_file.name}) chỉ có trong tệp cấu hình agencies.yaml, "
            "không có trong cơ sở dữ liệu: tệp này do quản trị viên sửa trực tiếp, "
            "không xóa được bằng lệnh này."
        )
    return f"Không có cơ quan mã “{code}” trong danh bạ."


def _is_address(address: str) -> bool:
    """An address the parser accepts, or one on a closed network's own domain (a single
    label, ``.local``: accepted with a warning, DESIGN §4.9)."""
    if address_accepted(address):
        return True
    local, at, domain = address.rpartition("@")
    return bool(at) and address_accepted(f"{local}@example.org") and _is_domain(domain)


def _is_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _value(agency: Agency, name: str) -> object:
    value = getattr(agency, name)
    return tuple(sorted(value)) if isinstance(value, tuple) else value
