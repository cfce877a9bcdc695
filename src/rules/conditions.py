"""The ``when`` of a rule: conditions on RoutingFacts, each explaining itself.

Every condition set in one ``when`` must hold (AND); ``any`` / ``all`` / ``not`` combine
nested ``when`` blocks. Text conditions compare folded text (no diacritics, no case, đ = d)
unless ``exact_diacritics: true``. :func:`evaluate` returns whether the block matched and a
plain-English reason naming the condition that decided it (shown in ``gateway rules test``
and stored in the trace).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mailparse.document import Secrecy, Urgency
from mailparse.text import fold, nfc
from rules.calendar import WorkingCalendar
from rules.routing_types import RoutingFacts

TextField = Literal["summary", "subject", "body"]
_LIST_KEYS = frozenset(
    {"agency_code", "agency_group", "sender_domain", "document_type", "urgency", "secrecy"}
    | {"signature", "words", "look_in", "attachment"}
)
UNSIGNED = "unsigned"
VERDICTS = ("valid", "invalid", "modified", "untrusted", "expired", "revoked", "indeterminate")


class When(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    agency_code: tuple[str, ...] = ()
    agency_group: tuple[str, ...] = ()
    sender_domain: tuple[str, ...] = ()  # the domain or any subdomain of it
    document_type: tuple[str, ...] = ()
    urgency: tuple[Urgency, ...] = ()
    secrecy: tuple[Secrecy, ...] = ()
    signature: tuple[str, ...] = ()  # worst verdict, or "unsigned"
    reference_only: bool | None = None
    paper_required: bool | None = None
    words: tuple[str, ...] = ()  # any of these words or phrases
    regex: str | None = None
    look_in: tuple[TextField, ...] = ("summary", "subject", "body")
    exact_diacritics: bool = False
    attachment: tuple[str, ...] = ()  # globs on attachment names, case-insensitive
    office_hours: bool | None = None  # true: received within office hours; false: outside
    any_of: tuple[When, ...] = Field(default=(), alias="any")
    all_of: tuple[When, ...] = Field(default=(), alias="all")
    not_: When | None = Field(default=None, alias="not")

    @model_validator(mode="before")
    @classmethod
    def _scalars_as_lists(cls, value: object) -> object:
        """``urgency: khan`` means ``urgency: [khan]`` (for every list condition)."""
        if not isinstance(value, dict):
            return value
        return {k: [v] if isinstance(v, str) and k in _LIST_KEYS else v for k, v in value.items()}

    @field_validator("signature")
    @classmethod
    def _known_verdicts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in (*VERDICTS, UNSIGNED)]
        if unknown:
            raise ValueError(f"unknown verdict {unknown[0]!r}; expected {UNSIGNED} or {VERDICTS}")
        return value

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


@dataclass(frozen=True)
class Verdict:
    matched: bool
    why: str


Check = Callable[[When, RoutingFacts, WorkingCalendar], Verdict | None]


def evaluate(when: When | None, facts: RoutingFacts, calendar: WorkingCalendar) -> Verdict:
    """All conditions of ``when`` in order; the first that fails decides a miss."""
    if when is None:
        return Verdict(True, "no conditions: always applies")
    held: list[str] = []
    for check in _CHECKS:
        verdict = check(when, facts, calendar)
        if verdict is None:
            continue
        if not verdict.matched:
            return verdict
        held.append(verdict.why)
    if not held:
        return Verdict(True, "no conditions: always applies")
    return Verdict(True, "; ".join(held))


def _one_of(label: str, actual: str | None, wanted: tuple[str, ...], *, folded: bool) -> Verdict:
    key = fold if folded else str
    hit = actual is not None and key(actual) in {key(w) for w in wanted}
    shown = actual if actual is not None else "none"
    if hit:
        return Verdict(True, f"{label} is {shown}")
    return Verdict(False, f"{label} is {shown}, not one of {', '.join(wanted)}")


def _agency_code(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.agency_code:
        return None
    return _one_of("sending agency", f.sender_agency_code, w.agency_code, folded=True)


def _agency_group(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.agency_group:
        return None
    return _one_of("agency group", f.sender_agency_group, w.agency_group, folded=True)


def _sender_domain(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.sender_domain:
        return None
    domain = (f.sender_domain or "").lower()
    for written in w.sender_domain:
        wanted = written.lower().lstrip("@")
        if domain == wanted or domain.endswith("." + wanted):
            return Verdict(True, f"sender domain {domain} is under {wanted}")
    return Verdict(
        False, f"sender domain {domain or 'none'} is not under {', '.join(w.sender_domain)}"
    )


def _document_type(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.document_type:
        return None
    return _one_of("document type", f.document_type, w.document_type, folded=True)


def _urgency(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.urgency:
        return None
    return _one_of("urgency", f.urgency, tuple(str(u) for u in w.urgency), folded=False)


def _secrecy(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.secrecy:
        return None
    return _one_of("secrecy", f.secrecy, tuple(str(s) for s in w.secrecy), folded=False)


def _signature(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.signature:
        return None
    return _one_of("signature", f.signature_verdict or UNSIGNED, w.signature, folded=False)


def _flag(label: str, wanted: bool | None, actual: bool) -> Verdict | None:
    if wanted is None:
        return None
    shown = "yes" if actual else "no"
    return Verdict(actual == wanted, f"{label}: {shown}")


def _reference_only(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    return _flag("reference only", w.reference_only, f.reference_only)


def _paper_required(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    return _flag("paper copy required", w.paper_required, f.paper_required)


def _texts(w: When, f: RoutingFacts) -> list[tuple[str, str]]:
    prepare = nfc if w.exact_diacritics else fold
    return [(name, prepare(getattr(f, name))) for name in w.look_in]


def _words(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.words:
        return None
    prepare = nfc if w.exact_diacritics else fold
    for name, text in _texts(w, f):
        for word in w.words:
            if re.search(rf"(?<!\w){re.escape(prepare(word))}(?!\w)", text):
                return Verdict(True, f"the {name} contains “{word}”")
    places = "/".join(w.look_in)
    return Verdict(False, f"none of “{'”, “'.join(w.words)}” in the {places}")


def _regex(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if w.regex is None:
        return None
    pattern = re.compile(w.regex if w.exact_diacritics else fold(w.regex), re.IGNORECASE)
    for name, text in _texts(w, f):
        if pattern.search(text):
            return Verdict(True, f"the {name} matches /{w.regex}/")
    return Verdict(False, f"the {'/'.join(w.look_in)} does not match /{w.regex}/")


def _attachment(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.attachment:
        return None
    for name in f.attachment_names:
        for glob in w.attachment:
            if fnmatchcase(name.casefold(), glob.casefold()):
                return Verdict(True, f"attachment {name} matches {glob}")
    return Verdict(False, f"no attachment name matches {', '.join(w.attachment)}")


def _office_hours(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if w.office_hours is None:
        return None
    inside = calendar.is_working_time(f.received_at)
    shown = "within" if inside else "outside"
    return Verdict(inside == w.office_hours, f"received {shown} office hours")


def _any(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if not w.any_of:
        return None
    misses = []
    for block in w.any_of:
        verdict = evaluate(block, f, calendar)
        if verdict.matched:
            return Verdict(True, f"any: {verdict.why}")
        misses.append(verdict.why)
    return Verdict(False, f"none of the alternatives held ({'; '.join(misses)})")


def _all(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if not w.all_of:
        return None
    held = []
    for block in w.all_of:
        verdict = evaluate(block, f, calendar)
        if not verdict.matched:
            return verdict
        held.append(verdict.why)
    return Verdict(True, "; ".join(held))


def _not(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if w.not_ is None:
        return None
    verdict = evaluate(w.not_, f, calendar)
    return Verdict(not verdict.matched, f"not ({verdict.why})")


_CHECKS: tuple[Check, ...] = (
    _agency_code,
    _agency_group,
    _sender_domain,
    _document_type,
    _urgency,
    _secrecy,
    _signature,
    _reference_only,
    _paper_required,
    _words,
    _regex,
    _attachment,
    _office_hours,
    _any,
    _all,
    _not,
)
