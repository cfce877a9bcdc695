"""The acceptance chain: may this message and each of its PDFs enter the register?

Read it like a table (rule, what it checks, what a hit does). Message rules run first and
the first hit ends the chain; then every PDF goes through the document rules. Every rule
looked at leaves a TraceStep, so an administrator can see why (DESIGN §5); its words,
in Vietnamese, are in :mod:`rules.acceptance_words`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mailparse.reasons import Reason
from mailparse.signatures.verdicts import SignatureVerdict
from rules import acceptance_words as words
from rules.counting import count_mismatch
from rules.decision import (
    Decision,
    DocumentAction,
    DocumentDecision,
    MessageFacts,
    MessageOutcome,
    PdfFacts,
    Policy,
    TraceStep,
)


def decide(facts: MessageFacts, policy: Policy) -> Decision:
    """The acceptance decision for one message; pure."""
    trace: list[TraceStep] = []

    def step(rule: str, hit: bool, why: str, subject: str = "message") -> bool:
        trace.append(TraceStep(rule, hit, why, subject))
        return hit

    # R-VIRUS: an infected message is refused whatever else it is.
    if step(
        "malware",
        bool(facts.malware),
        words.malware_found(facts.malware) if facts.malware else words.NO_MALWARE,
    ):
        return _rejected(Reason.MALWARE, trace)
    if step(
        "malformed-message",
        facts.malformed,
        words.MIME_UNREADABLE if facts.malformed else words.MIME_READABLE,
    ):
        return _rejected(Reason.MALFORMED_MESSAGE, trace)
    stopped = _sender_checks(facts, policy, step, trace)
    if stopped is not None:
        return stopped
    stopped = _unknown_sender(facts, policy, step, trace) or _content_checks(facts, step, trace)
    if stopped is not None:
        return stopped
    if not facts.sender_known and not facts.released_by:  # a clerk decides (DESIGN §4.9)
        return Decision(MessageOutcome.HELD, (Reason.UNKNOWN_SENDER,), trace=tuple(trace))

    any_signed = any(p.readable and p.signed for p in facts.pdfs)
    first_unsigned = next((p for p in facts.pdfs if p.readable and not p.signed), None)
    documents = tuple(
        _decide_pdf(pdf, policy, any_signed, pdf is first_unsigned, step) for pdf in facts.pdfs
    )
    if facts.released_by:
        documents = tuple(_released(d, facts.released_by, step) for d in documents)
    return _outcome(documents, False, trace)


def _unknown_sender(
    facts: MessageFacts, policy: Policy, step: _Step, trace: list[TraceStep]
) -> Decision | None:
    """A sender outside the directory is refused, or held for a clerk when
    :func:`reviewable` (the hold itself comes after the content checks: a message without
    a document is refused at once)."""
    if facts.sender_known:
        step("unknown-sender", False, words.SENDER_KNOWN)
        return None
    review = reviewable(facts, policy)
    step("unknown-sender", True, words.unknown_sender(facts.forged_agency, policy, review))
    if not review:
        return _rejected(Reason.UNKNOWN_SENDER, trace)
    if facts.released_by:
        step("released", True, words.released((Reason.UNKNOWN_SENDER,), facts.released_by))
    return None


def reviewable(facts: MessageFacts, policy: Policy) -> bool:
    """An unknown sender a clerk may accept: ``[policy] unknown_sender = "review"``, a From
    under one of the administrative domains, and no failed DKIM/SPF/DMARC (DESIGN §4.9)."""
    domain = facts.sender_domain.lower().rstrip(".")
    under = any(
        domain == d or domain.endswith(f".{d}")
        for d in (a.lower().strip(".") for a in policy.administrative_domains)
        if d
    )
    return policy.unknown_sender == "review" and under and not facts.sender_auth_failed


def _released(document: DocumentDecision, by: str, step: _Step) -> DocumentDecision:
    """A held document a person released is registered; its reasons stay in the trace."""
    if document.action is not DocumentAction.HOLD:
        return document
    step("released", True, words.released(document.reasons, by), document.filename)
    return DocumentDecision(document.filename, DocumentAction.REGISTER)


def _sender_checks(
    facts: MessageFacts, policy: Policy, step: _Step, trace: list[TraceStep]
) -> Decision | None:
    """Our own mail coming back is never registered; failed sender authentication acts
    by ``[auth] policy`` (record: noted only)."""
    if step("our-mail", bool(facts.our_mail), words.OUR_MAIL[facts.our_mail]):
        return Decision(MessageOutcome.REJECTED, (), trace=tuple(trace))
    failed = facts.sender_auth_failed
    checked = facts.sender_auth_checked
    step("sender-authentication", failed, words.sender_authentication(failed, policy.auth, checked))
    if not failed or policy.auth == "record":
        return None
    reason = (Reason.SENDER_AUTHENTICATION_FAILED,)
    if policy.auth == "hold" and facts.released_by:
        step("released", True, words.released_after_auth(facts.released_by))
        return None
    if policy.auth == "hold":
        return Decision(MessageOutcome.HELD, reason, trace=tuple(trace))
    return _rejected(Reason.SENDER_AUTHENTICATION_FAILED, trace)


def _content_checks(facts: MessageFacts, step: _Step, trace: list[TraceStep]) -> Decision | None:
    """A document at all; then R-COUNT / R-REFUSE: the pages and files the message declares
    are the ones it carries (a secret-marked message is left to R-SECRET alone)."""
    if step(
        "no-document",
        not facts.pdfs,
        words.pdf_files(len(facts.pdfs)) if facts.pdfs else words.NO_PDF,
    ):
        return _rejected(Reason.NO_DOCUMENT, trace)
    secret = any(p.secret for p in facts.pdfs)
    mismatch = None if secret else count_mismatch(facts)
    why = words.COUNT_NOT_CHECKED if secret else words.count_checked(facts, mismatch)
    if not step("page-count", mismatch is not None, why):
        return None
    return Decision(
        MessageOutcome.REJECTED,
        (Reason.PAGE_COUNT_MISMATCH,),
        trace=tuple(trace),
        count_mismatch=mismatch,
    )


def _decide_pdf(
    pdf: PdfFacts,
    policy: Policy,
    any_signed: bool,
    is_first_unsigned: bool,
    step: _Step,
) -> DocumentDecision:
    name = pdf.filename
    if step(
        "unreadable-document",
        not pdf.readable,
        words.PDF_READABLE if pdf.readable else words.PDF_UNREADABLE,
        name,
    ):
        return DocumentDecision(name, DocumentAction.REFUSE, (Reason.UNREADABLE_DOCUMENT,))
    stopped = _secret_or_active(pdf, policy, step)
    if stopped is not None:
        return stopped
    if not pdf.signed:
        return _decide_unsigned(pdf, policy, any_signed, is_first_unsigned, step)
    verdict = pdf.worst_verdict or SignatureVerdict.INDETERMINATE
    step(
        "signature",
        verdict is not SignatureVerdict.VALID,
        words.worst_signature(verdict),
        name,
    )
    if verdict is SignatureVerdict.VALID:
        return _decide_valid(pdf, step)
    reason = verdict.reason or Reason.SIGNATURE_INDETERMINATE
    if verdict is SignatureVerdict.INDETERMINATE and policy.indeterminate == "hold":
        return DocumentDecision(name, DocumentAction.HOLD, (reason,))
    return DocumentDecision(name, DocumentAction.REFUSE, (reason,))


def _secret_or_active(pdf: PdfFacts, policy: Policy, step: _Step) -> DocumentDecision | None:
    """R-SECRET: a secret-marked document never travels through the system.
    R-VIRUS: JavaScript, launch actions, embedded files… hold (default) or refuse the
    document; with ``flag`` it goes on and the register entry carries the flags."""
    if step(
        "secret-document",
        pdf.secret,
        words.SECRECY_MARK if pdf.secret else words.NO_SECRECY_MARK,
        pdf.filename,
    ):
        return DocumentDecision(pdf.filename, DocumentAction.REFUSE, (Reason.SECRET_DOCUMENT,))
    found = pdf.active_content
    if not step(
        "active-content",
        bool(found) and policy.active_content != "flag",
        words.active_content(found, policy.active_content) if found else words.NO_ACTIVE_CONTENT,
        pdf.filename,
    ):
        return None
    action = DocumentAction.HOLD if policy.active_content == "hold" else DocumentAction.REFUSE
    return DocumentDecision(pdf.filename, action, (Reason.MALWARE,))


def _decide_valid(pdf: PdfFacts, step: _Step) -> DocumentDecision:
    """Every signature valid: the agency's must be the sender's own (R-FORGE); the NĐ 30
    two-signature practice is noted in the trace, never a reason to refuse."""
    name = pdf.filename
    step(
        "nd30-two-signatures",
        not pdf.two_signatures,
        words.two_signatures(pdf.two_signatures),
        name,
    )
    matches = pdf.agency_signature_matches
    if step(
        "signer-mismatch",
        matches is False,
        words.SIGNER[matches],
        name,
    ):
        return DocumentDecision(name, DocumentAction.REFUSE, (Reason.SIGNER_MISMATCH,))
    return DocumentDecision(name, DocumentAction.REGISTER)


def _decide_unsigned(
    pdf: PdfFacts, policy: Policy, any_signed: bool, is_first_unsigned: bool, step: _Step
) -> DocumentDecision:
    name = pdf.filename
    if any_signed or not is_first_unsigned:
        step("appendix", True, words.APPENDIX, name)
        return DocumentDecision(name, DocumentAction.APPENDIX)
    # R-REF: an unsigned e-document is for reference only (or refused, by policy).
    step("unsigned", True, words.unsigned(policy.unsigned), name)
    if policy.unsigned == "reject":
        return DocumentDecision(name, DocumentAction.REFUSE, (Reason.UNSIGNED,))
    return DocumentDecision(name, DocumentAction.REGISTER, reference_only=True)


def _outcome(
    documents: tuple[DocumentDecision, ...], review: bool, trace: list[TraceStep]
) -> Decision:
    reasons = _distinct(r for d in documents for r in d.reasons)
    actions = {d.action for d in documents}
    if DocumentAction.REGISTER in actions:
        outcome = MessageOutcome.ACCEPTED
    elif DocumentAction.HOLD in actions:
        outcome = MessageOutcome.HELD
    else:
        outcome = MessageOutcome.REJECTED
    return Decision(outcome, reasons, documents, needs_review=review, trace=tuple(trace))


def _rejected(reason: Reason, trace: list[TraceStep]) -> Decision:
    return Decision(MessageOutcome.REJECTED, (reason,), trace=tuple(trace))


def _distinct(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(dict.fromkeys(reasons))


class _Step(Protocol):
    """The local trace recorder of :func:`decide`: records a step, returns ``hit``."""

    def __call__(self, rule: str, hit: bool, why: str, subject: str = "message") -> bool: ...
