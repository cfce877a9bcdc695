"""The identity of every mail the gateway sends: its kind, Message-ID and reply address.

One place (DESIGN §4.4): the outbox row's ``kind``, the first label of the stable
Message-ID ``<LABEL.KEY@domain>`` (delivery is idempotent on it), whether it is marked
``Auto-Submitted``, and the plus-address that carries replies. The loop guard
(:mod:`gateway.senderauth.backscatter`) recognises our own mail by :data:`LABELS`, so a kind
added here is recognised there without a second list to keep in step.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from email.message import Message
from enum import StrEnum


class MailKind(StrEnum):
    """What a mail we send is; the value is the outbox row's ``kind``."""

    RECEIPT = "receipt"  # the answer 03 (DESIGN §4.4)
    REJECTION = "rejection"  # the answer 02
    STATUS = "status"  # a later status notice 04/05/06 (R-TRACK)
    HELP = "help"  # an assignee's reply we did not understand
    ROUTED_COPY = "routed-copy"  # the document to its assignee (R-ASSIGN)
    WITHDRAWAL = "withdrawal"  # the unit a document was taken from
    REMINDER = "reminder"  # the working-hours clock (R-FOLLOW)
    ESCALATION = "escalation"
    UNASSIGNED = "unassigned"
    RETURNED = "returned"
    ALERT = "alert"  # to the administrator
    DISTRIBUTION_NOTICE = "distribution-notice"  # to a leader (R-DISTRIB)
    DISTRIBUTION_DIGEST = "distribution-digest"
    ISSUE = "issue"  # a document we issue (R-ISSUE); not automatic


# The Message-ID's first label where it is not the kind itself (older, stable forms).
_LABEL: Mapping[MailKind, str] = {
    MailKind.HELP: "alert",
    MailKind.REMINDER: "alert",
    MailKind.ESCALATION: "alert",
    MailKind.UNASSIGNED: "alert",
    MailKind.RETURNED: "alert",
    MailKind.DISTRIBUTION_NOTICE: "distribution",
    MailKind.DISTRIBUTION_DIGEST: "digest",
}

LABELS: frozenset[str] = frozenset(_LABEL.get(kind, kind.value) for kind in MailKind)

# RFC 3834: answers are auto-replied, what we generate on our own is auto-generated; an
# issued document is a person's act, and the receiving gateway must answer it.
AUTO_SUBMITTED: Mapping[MailKind, str | None] = {
    kind: (
        None
        if kind is MailKind.ISSUE
        else "auto-replied"
        if kind in {MailKind.RECEIPT, MailKind.REJECTION, MailKind.STATUS, MailKind.HELP}
        else "auto-generated"
    )
    for kind in MailKind
}


def mark_automatic(msg: Message, kind: MailKind) -> None:
    """Set ``Auto-Submitted`` as :data:`AUTO_SUBMITTED` says for ``kind`` (RFC 3834);
    every composer calls this instead of writing the header's value itself."""
    value = AUTO_SUBMITTED[kind]
    if value is not None:
        msg["Auto-Submitted"] = value


def domain_of(from_address: str) -> str:
    """The domain our Message-IDs carry: the gateway address's, else ``localhost``."""
    return from_address.rpartition("@")[2] or "localhost"


def message_id(kind: MailKind, key: str, from_address: str) -> str:
    """``<LABEL.KEY@domain>``: stable for the same ``key`` (idempotent delivery)."""
    label = _LABEL.get(kind, kind.value)
    return f"<{label}.{key}@{domain_of(from_address)}>"


def incident_key() -> str:
    """A fresh key for a mail that has no natural one (a new incident)."""
    return secrets.token_hex(6)


def reply_address(from_address: str, token: str) -> str:
    """``vanthu+TOKEN@domain``: where replies about one assignment come back (DESIGN §4.4).

    Split at the last ``@`` (a quoted local part may hold another)."""
    local, _, domain = from_address.rpartition("@")
    return f"{local}+{token}@{domain}"
