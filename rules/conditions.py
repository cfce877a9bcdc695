"""The ``when`` of a rule: conditions on RoutingFacts, each explaining itself.

Every condition set in one ``when`` must hold (AND); ``any`` / ``all`` / ``not`` combine
nested ``when`` blocks. Text conditions compare folded text (no diacritics, no case, đ = d)
unless ``exact_diacritics: true``. :func:`evaluate` returns whether the block matched and a
reason in Vietnamese naming the condition that decided it (worded by
:mod:`rules.trace_words`; shown in ``gateway rules test`` and stored in the trace).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mailparse.documents.document import Secrecy, Urgency
from mailparse.documents.text import fold, nfc
from rules import trace_words as say
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
        return Verdict(True, say.NO_CONDITIONS)
    held: list[str] = []
    for check in _CHECKS:
        verdict = check(when, facts, calendar)
        if verdict is None:
            continue
        if not verdict.matched:
            return verdict
        held.append(verdict.why)
    if not held:
        return Verdict(True, say.NO_CONDITIONS)
    return Verdict(True, "; ".join(held))


def _one_of(
    label: str,
    actual: str | None,
    wanted: tuple[str, ...],
    *,
    folded: bool,
    names: dict[str, str] | None = None,
) -> Verdict:
    key = fold if folded else str
    hit = actual is not None and key(actual) in {key(w) for w in wanted}
    name = (lambda value: names.get(value, value)) if names else str
    shown = name(actual) if actual is not None else None
    return Verdict(hit, say.is_one_of(label, shown, [name(w) for w in wanted], hit=hit))


def _agency_code(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.agency_code:
        return None
    return _one_of(say.Label.AGENCY, f.sender_agency_code, w.agency_code, folded=True)


def _agency_group(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.agency_group:
        return None
    actual = f.sender_agency_group
    hit = actual is not None and fold(actual) in {fold(g) for g in w.agency_group}
    return Verdict(hit, say.in_group(actual, w.agency_group, hit=hit))


def _sender_domain(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.sender_domain:
        return None
    domain = (f.sender_domain or "").lower()
    for written in w.sender_domain:
        wanted = written.lower().lstrip("@")
        if domain == wanted or domain.endswith("." + wanted):
            return Verdict(True, say.under_domain(domain, (wanted,), hit=True))
    return Verdict(False, say.under_domain(domain, w.sender_domain, hit=False))


def _document_type(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.document_type:
        return None
    return _one_of(say.Label.DOCUMENT_TYPE, f.document_type, w.document_type, folded=True)


def _urgency(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.urgency:
        return None
    wanted = tuple(str(u) for u in w.urgency)
    return _one_of(say.Label.URGENCY, f.urgency, wanted, folded=False, names=say.URGENCY_NAMES)


def _secrecy(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.secrecy:
        return None
    wanted = tuple(str(s) for s in w.secrecy)
    return _one_of(say.Label.SECRECY, f.secrecy, wanted, folded=False, names=say.SECRECY_NAMES)


def _signature(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.signature:
        return None
    actual = f.signature_verdict or UNSIGNED
    hit = actual in w.signature
    return Verdict(hit, say.signature_is(actual, w.signature, hit=hit))


def _flag(label: str, wanted: bool | None, actual: bool) -> Verdict | None:
    if wanted is None:
        return None
    return Verdict(actual == wanted, say.flag(label, actual))


def _reference_only(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    return _flag(say.Label.REFERENCE_ONLY, w.reference_only, f.reference_only)


def _paper_required(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    return _flag(say.Label.PAPER_REQUIRED, w.paper_required, f.paper_required)


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
                return Verdict(True, say.contains(name, word))
    return Verdict(False, say.contains_none(w.words, w.look_in))


def _regex(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if w.regex is None:
        return None
    pattern = re.compile(w.regex if w.exact_diacritics else fold(w.regex), re.IGNORECASE)
    for name, text in _texts(w, f):
        if pattern.search(text):
            return Verdict(True, say.matches_pattern(name, w.regex))
    return Verdict(False, say.matches_no_pattern(w.look_in, w.regex))


def _attachment(w: When, f: RoutingFacts, _: WorkingCalendar) -> Verdict | None:
    if not w.attachment:
        return None
    for name in f.attachment_names:
        for glob in w.attachment:
            if fnmatchcase(name.casefold(), glob.casefold()):
                return Verdict(True, say.attachment_matches(name, glob))
    return Verdict(False, say.no_attachment_matches(w.attachment))


def _office_hours(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if w.office_hours is None:
        return None
    inside = calendar.is_working_time(f.received_at)
    return Verdict(inside == w.office_hours, say.office_hours(inside))


def _any(w: When, f: RoutingFacts, calendar: WorkingCalendar) -> Verdict | None:
    if not w.any_of:
        return None
    misses = []
    for block in w.any_of:
        verdict = evaluate(block, f, calendar)
        if verdict.matched:
            return Verdict(True, say.one_alternative(verdict.why))
        misses.append(verdict.why)
    return Verdict(False, say.no_alternative(misses))


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
    return Verdict(not verdict.matched, say.negated(verdict.why))


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
