"""The values routing works with: facts about one registered document in, Routing out.

The engine (:func:`rules.routing.route`) is a pure function of (RoutingFacts, RuleSet,
WorkingCalendar, now); the gateway stores what it returns with the register entry
(assignments, trace, rules version) and acts on it (routed copies, holds, the clock).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """An assignee's part in handling a document (R-LEAD)."""

    LEAD = "lead"  # chủ trì
    COOPERATE = "cooperate"  # phối hợp
    INFORM = "inform"  # để biết


@dataclass(frozen=True)
class Unit:
    """A unit of the receiving body, from the ``units`` list of rules.yaml."""

    code: str
    name: str
    mailbox: str
    leader: str | None = None  # the leader's mailbox: escalations (R-ASSIGN, R-DEADLINE)
    supervisor: str | None = None  # the supervisor's mailbox: second escalation


@dataclass(frozen=True)
class Leader:
    """A leader who distributes documents (R-DISTRIB), from the ``leaders`` of rules.yaml."""

    code: str
    name: str
    mailbox: str  # digests and urgent notices; only replies from it decide
    account: str | None = None  # the console user name whose queue shows these documents


# The rules read the mail's body up to here. A cover letter is far shorter; a body padded
# to 25 MB is then neither folded once per rule nor kept whole in every entry's facts.
BODY_CHARS = 100_000


@dataclass(frozen=True)
class RoutingFacts:
    """What the rules may look at for one registered document (plain values, no parsing)."""

    received_at: datetime  # aware; deadlines count from it (R-DEADLINE)
    sender_address: str | None = None
    sender_domain: str | None = None
    sender_agency_code: str | None = None
    sender_agency_group: str | None = None
    document_type: str | None = None  # e.g. "Công văn" (catalogue name)
    document_number: str | None = None
    urgency: str = "thuong"  # DESIGN §4.3 spelling
    secrecy: str | None = None
    signature_verdict: str | None = None  # the worst verdict; None: unsigned
    reference_only: bool = False
    paper_required: bool = False
    summary: str = ""
    subject: str = ""
    body: str = ""  # its first BODY_CHARS characters
    attachment_names: tuple[str, ...] = ()
    due_date: date | None = None  # the document's own deadline (edXML DueDate), if any

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (ISO dates, lists), stored as ``register_entry.routing_facts``."""
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        data["due_date"] = self.due_date.isoformat() if self.due_date else None
        data["attachment_names"] = list(self.attachment_names)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoutingFacts:
        """The inverse of :meth:`as_json`; keys it does not know are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["received_at"] = datetime.fromisoformat(data["received_at"])
        due = data.get("due_date")
        values["due_date"] = date.fromisoformat(due) if due else None
        values["attachment_names"] = tuple(data.get("attachment_names") or ())
        return cls(**values)


@dataclass(frozen=True)
class Assignment:
    """One assignee of one document, with a deadline on the working-hours calendar."""

    unit: str  # unit code
    role: Role
    mailbox: str  # where the routed copy goes: the named person's, else the unit's
    due_at: datetime | None = None
    person: str | None = None  # a named officer's mailbox, when the rule names one


@dataclass(frozen=True)
class RuleTrace:
    """One rule looked at: matched or not, and the condition that decided it."""

    rule: str
    matched: bool
    why: str


@dataclass(frozen=True)
class Routing:
    """The routing decision for one document; stored with its register entry."""

    assignments: tuple[Assignment, ...]
    trace: tuple[RuleTrace, ...]
    rules_version: str  # hash of the rules file in force
    matched_rules: tuple[str, ...] = ()
    priority: int = 0  # higher first; urgent documents are raised (R-URGENT)
    hold: bool = False  # a clerk must review before it goes out
    hold_reason: str = ""
    reject_reason: str = ""  # a rule refused the document; the reason is mailed
    reject_code: str = ""  # its mailparse.reasons.Reason code (X-Reject-Reasons)
    tags: tuple[str, ...] = ()
    process_by: datetime | None = None  # R-2H: processing within 2 working hours
    assign_by: datetime | None = None  # R-ASSIGN: same day / next working morning
    propose: bool = False  # R-DISTRIB: the assignments are a proposal a leader decides on
    leader: Leader | None = None  # who decides a proposal (None: any leader)

    @property
    def lead(self) -> Assignment | None:
        return next((a for a in self.assignments if a.role is Role.LEAD), None)

    def trace_json(self) -> list[dict[str, Any]]:
        """The trace as stored in ``register_entry.routing_trace``."""
        return [{"rule": t.rule, "matched": t.matched, "why": t.why} for t in self.trace]
