"""Facts in, Decision out: the typed values of the acceptance policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from mailparse.reasons import Reason
from mailparse.signatures.verdicts import SignatureVerdict


class DocumentAction(StrEnum):
    REGISTER = "register"
    REFUSE = "refuse"
    HOLD = "hold"
    APPENDIX = "appendix"  # an unsigned file accompanying a signed document (phụ lục)


class MessageOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HELD = "held"


@dataclass(frozen=True)
class Policy:
    """The ``[policy]`` section: what the regulations leave to the administrator."""

    unsigned: Literal["reference", "reject"] = "reference"
    # review: held for a clerk, but only a sender under one of ``administrative_domains``
    # whose authentication did not fail; other strangers are refused (DESIGN §4.9).
    unknown_sender: Literal["reject", "review"] = "review"
    administrative_domains: tuple[str, ...] = ("gov.vn",)
    indeterminate: Literal["hold", "reject"] = "hold"
    active_content: Literal["hold", "flag", "reject"] = "hold"  # R-VIRUS
    # [auth] policy: what a failed sender authentication (DKIM/SPF/DMARC) does (R-FORGE)
    auth: Literal["record", "hold", "reject"] = "record"


@dataclass(frozen=True)
class PdfFacts:
    """What the decision needs to know about one PDF of the message."""

    filename: str
    readable: bool
    signed: bool = False
    worst_verdict: SignatureVerdict | None = None
    secret: bool = False
    valid_signatures: int = 0
    # The agency (last) signature is the sending agency's; None: not checked.
    agency_signature_matches: bool | None = None
    two_signatures: bool = False  # NĐ 30 practice: a person, then the agency
    # JavaScript, launch actions, embedded files… (mailparse.activecontent), R-VIRUS
    active_content: tuple[str, ...] = ()
    pages: int | None = None  # the PDF's page count (R-COUNT)


@dataclass(frozen=True)
class MessageFacts:
    malformed: bool
    sender_known: bool
    pdfs: tuple[PdfFacts, ...] = ()
    # Signatures the virus scanner found in the message or its files (R-VIRUS).
    malware: tuple[str, ...] = ()
    # Sender authentication failed (DMARC fail, SPF fail, or every DKIM signature fails).
    sender_auth_failed: bool = False
    # False when nothing was checked ([auth] resolver = off: no DNS lookups were made).
    sender_auth_checked: bool = True
    # The directory agency a From names while failing DMARC: the sender is unknown (R-FORGE).
    forged_agency: str | None = None
    # "bounce": a delivery report of our own mail; "own-answer": our answer came back.
    our_mail: Literal["", "bounce", "own-answer"] = ""
    # R-COUNT: what the message declares (mail body; edXML PageAmount) and what it carries.
    declared_pages: int | None = None
    declared_files: int | None = None
    edxml_pages: int | None = None
    attachments: int = 0
    # A person released this message after it was held: what would hold it is accepted.
    released_by: str | None = None
    # The domain of the From address, lower case ("" without one): an unknown sender under
    # an administrative domain may be held for review (DESIGN §4.9).
    sender_domain: str = ""


@dataclass(frozen=True)
class CountMismatch:
    """R-COUNT: what the message declared and what was found (told to the sender)."""

    counted: Literal["pages", "files"]
    declared: int
    found: int
    source: Literal["body", "edxml"]  # where the declaration was read


@dataclass(frozen=True)
class TraceStep:
    """One rule looked at: did it hit, and why (shown to administrators)."""

    rule: str
    hit: bool
    why: str
    subject: str = "message"  # "message" or the file name the rule looked at

    def as_row(self) -> dict[str, object]:
        """The stored form of the step (the inbound record's ``trace`` column)."""
        return {"rule": self.rule, "hit": self.hit, "why": self.why, "subject": self.subject}


@dataclass(frozen=True)
class DocumentDecision:
    filename: str
    action: DocumentAction
    reasons: tuple[Reason, ...] = ()
    reference_only: bool = False
    note: str = ""  # a routing rule's own wording of its refusal, mailed to the sender


@dataclass(frozen=True)
class Decision:
    outcome: MessageOutcome
    reasons: tuple[Reason, ...]
    documents: tuple[DocumentDecision, ...] = ()
    needs_review: bool = False
    trace: tuple[TraceStep, ...] = field(default=())
    count_mismatch: CountMismatch | None = None  # set with Reason.PAGE_COUNT_MISMATCH

    @property
    def registered(self) -> tuple[DocumentDecision, ...]:
        return tuple(d for d in self.documents if d.action is DocumentAction.REGISTER)

    @property
    def refused(self) -> tuple[DocumentDecision, ...]:
        return tuple(d for d in self.documents if d.action is DocumentAction.REFUSE)
