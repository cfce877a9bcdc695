"""Who a document goes to: directory codes, directory groups, "all", or bare addresses.

``--to VP,phuong-xa --to vanthu@so.example.gov.vn`` → one :class:`Recipient` per distinct
address, in the order given (a group in the directory's order). ``all`` (or ``tat-ca``,
``tất cả``) is every agency of the directory except our own (R-ISSUE: "the city issues its
documents to its 30 units").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from gateway.issuing.errors import IssueRefusedError, RefusalCode
from registry.agencies.directory import Agency, Directory

ALL = frozenset({"all", "tat-ca", "tat ca", "tất cả", "tất-cả"})
UPPER = "cap-tren"  # the directory group of bodies above the agency (province, ministries)


@dataclass(frozen=True)
class Recipient:
    """One addressee of an issued document."""

    code: str | None  # directory code; None for an address outside the directory
    name: str
    address: str


def split_specs(values: Iterable[str]) -> list[str]:
    """``["VP,KT", "phuong-xa"]`` → ``["VP", "KT", "phuong-xa"]`` (blanks dropped)."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def resolve(
    directory: Directory, specs: Iterable[str], *, own_codes: Iterable[str] = ()
) -> tuple[Recipient, ...]:
    """The recipients ``specs`` name; :class:`IssueRefusedError` names the first unknown one."""
    own = set(own_codes)
    found: dict[str, Recipient] = {}
    for spec in split_specs(specs):
        for recipient in _one(directory, spec, own):
            found.setdefault(recipient.address, recipient)
    if not found:
        raise IssueRefusedError(RefusalCode.NO_RECIPIENT, "Chưa chọn nơi nhận văn bản.")
    return tuple(found.values())


def _one(directory: Directory, spec: str, own: set[str]) -> list[Recipient]:
    if "@" in spec:
        return [_address(directory, spec)]
    agency = directory.by_code(spec) or next(
        (a for a in directory.agencies if a.code.casefold() == spec.casefold()), None
    )
    if agency is not None:
        return [_agency(agency)]
    key = _key(spec)
    if key in ALL:
        # "all" is the units we issue to, never the bodies above us (DESIGN §4.9).
        members = [a for a in directory.agencies if a.code not in own and a.group != UPPER]
    else:
        members = [a for a in directory.agencies if a.group and _key(a.group) == key]
    if not members:
        raise IssueRefusedError(
            RefusalCode.UNKNOWN_RECIPIENT,
            f"Không có đơn vị hay nhóm đơn vị «{spec}» trong danh bạ.",
        )
    return [_agency(a) for a in members]


def _agency(agency: Agency) -> Recipient:
    if not agency.addresses:
        raise IssueRefusedError(
            RefusalCode.NO_ADDRESS,
            f"Đơn vị {agency.name} ({agency.code}) chưa có địa chỉ thư điện tử trong danh bạ.",
        )
    return Recipient(agency.code, agency.name, agency.addresses[0])


def _address(directory: Directory, spec: str) -> Recipient:
    try:
        address = validate_email(spec, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise IssueRefusedError(
            RefusalCode.UNKNOWN_RECIPIENT, f"Địa chỉ thư điện tử «{spec}» không hợp lệ."
        ) from exc
    if not address.isascii():
        raise IssueRefusedError(
            RefusalCode.UNKNOWN_RECIPIENT, f"Địa chỉ thư điện tử «{spec}» không hợp lệ."
        )
    agency = directory.identify(address)
    if agency is not None:
        return Recipient(agency.code, agency.name, address.lower())
    return Recipient(None, address.lower(), address.lower())


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()
