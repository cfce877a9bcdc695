"""Duplicates by law and links between register entries (NĐ 30/2020 Phụ lục VI; QCVN 102).

A document already in the register is never numbered again: the same issuing body,
number/symbol and issue date — compared on :func:`document_key`, folded and without
spaces — is the same document, whichever message brings it. The key is stored on the
entry (``register_entry.document_key``, unique: two transactions that raced past the
lookup cannot both commit); the lookup runs inside the registering transaction after
:func:`lock_register` (PostgreSQL: the year's counter row, FOR UPDATE; SQLite: the
transaction already holds the write lock, BEGIN IMMEDIATE).

A later message about an entry — a copy of it (``duplicate``), or an edXML recall, update
or replacement — is recorded as an :class:`EntryLink` from that message to the entry.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col

from mailparse.documents.text import fold, squash
from registry.models import NumberCounter, RegisterEntry
from registry.numbering import register_label
from registry.types import utc_field

_NOT_KEY = re.compile(r"[\s.,;:]+")


class LinkKind(StrEnum):
    """Why a message points at an earlier entry instead of adding one."""

    DUPLICATE = "duplicate"  # the same document again (NĐ 30 Phụ lục VI)
    RECALL = "recall"  # edXML business type: the sender withdraws the document
    UPDATE = "update"  # edXML: corrected information about the document
    REPLACE = "replace"  # edXML: a new version replaces the document


class EntryLink(SQLModel, table=True):
    """One inbound message that refers to an entry already in the register."""

    __tablename__ = "entry_link"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound_message.id", index=True)
    entry_id: int = Field(foreign_key="register_entry.id", index=True)
    kind: str = Field(max_length=16)
    created_at: datetime = utc_field()
    note: str = ""


def document_key(
    document_number: str | None, issuer: str | None, issued_on: date | None
) -> str | None:
    """``issuer|number|date``, folded, spaces and stray punctuation removed; None unless the
    document states all three (without them there is no lawful identity to compare)."""
    if not (document_number and issuer and issued_on):
        return None
    number = _NOT_KEY.sub("", fold(document_number))
    body = squash(fold(issuer))
    if not number or not body:
        return None
    return f"{body}|{number}|{issued_on.isoformat()}"


def lock_register(session: Session, year: int) -> None:
    """Serialise registering transactions of ``year`` from here on (see the module note)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already made this transaction the only writer
    table: Any = NumberCounter.__table__  # type: ignore[attr-defined]
    session.execute(
        postgresql.insert(table).values(year=year, last_number=0).on_conflict_do_nothing()
    )
    session.execute(select(table.c.year).where(table.c.year == year).with_for_update())


def find_registered(session: Session, key: str | None) -> RegisterEntry | None:
    """The entry already registered under ``key``, or None."""
    if key is None:
        return None
    return session.scalars(
        select(RegisterEntry).where(col(RegisterEntry.document_key) == key)
    ).first()


def find_by_edxml_id(session: Session, document_id: str | None) -> RegisterEntry | None:
    """The entry registered with the edXML DocumentId ``document_id``, or None."""
    if not document_id:
        return None
    return session.scalars(
        select(RegisterEntry).where(col(RegisterEntry.edxml_document_id) == document_id)
    ).first()


def find_by_number(
    session: Session, document_number: str, sender_agency_code: str | None
) -> RegisterEntry | None:
    """The latest entry with this number/symbol (compared as in :func:`document_key`) that
    came from ``sender_agency_code``: the document an edXML recall names by number."""
    number = _NOT_KEY.sub("", fold(document_number))
    if not number or not sender_agency_code:
        return None
    return session.scalars(
        select(RegisterEntry)
        .where(col(RegisterEntry.document_key).contains(f"|{number}|", autoescape=True))
        .where(col(RegisterEntry.sender_agency_code) == sender_agency_code)
        .order_by(col(RegisterEntry.id).desc())
    ).first()


def add_link(
    session: Session, *, inbound_id: int, entry: RegisterEntry, kind: LinkKind, now: datetime
) -> EntryLink:
    if entry.id is None:
        raise ValueError("entry has not been flushed")
    link = EntryLink(inbound_id=inbound_id, entry_id=entry.id, kind=kind, created_at=now)
    session.add(link)
    return link


def linked_numbers(session: Session, inbound_ids: list[int]) -> dict[int, list[str]]:
    """``YEAR/NUMBER`` of the entries each message is linked to (its copies, recalls…)."""
    rows = session.execute(
        select(
            col(EntryLink.inbound_id), col(RegisterEntry.year), col(RegisterEntry.incoming_number)
        )
        .join(RegisterEntry, col(RegisterEntry.id) == col(EntryLink.entry_id))
        .where(col(EntryLink.inbound_id).in_(inbound_ids))
        .order_by(col(EntryLink.id))
    )
    found: dict[int, list[str]] = {}
    for inbound_id, year, number in rows:
        found.setdefault(inbound_id, []).append(register_label(year, number))
    return found


def first_linked_entry(session: Session, inbound_id: int) -> RegisterEntry | None:
    """The first entry a message was linked to (the one it copied, recalled or replaced)."""
    return session.scalars(
        select(RegisterEntry)
        .join(EntryLink, col(EntryLink.entry_id) == col(RegisterEntry.id))
        .where(col(EntryLink.inbound_id) == inbound_id)
        .order_by(col(EntryLink.id))
    ).first()
