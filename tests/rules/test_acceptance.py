"""The acceptance chain: each outcome of DESIGN §4.5, with its trace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mailparse.reasons import Reason
from mailparse.signatures.verdicts import SignatureVerdict
from rules.acceptance import decide
from rules.decision import DocumentAction, MessageFacts, MessageOutcome, PdfFacts, Policy

VALID = PdfFacts("cv.pdf", readable=True, signed=True, worst_verdict=SignatureVerdict.VALID)
UNSIGNED = PdfFacts("phu-luc.pdf", readable=True)


def known(*pdfs: PdfFacts) -> MessageFacts:
    return MessageFacts(malformed=False, sender_known=True, pdfs=pdfs)


def test_malformed_message_is_rejected_first() -> None:
    """GIVEN an unreadable message WHEN decided THEN rejected malformed-message, nothing more."""
    decision = decide(MessageFacts(malformed=True, sender_known=False), Policy())
    assert decision.outcome is MessageOutcome.REJECTED
    assert decision.reasons == (Reason.MALFORMED_MESSAGE,)
    assert [s.rule for s in decision.trace] == ["malware", "malformed-message"]


def test_unknown_sender_is_rejected_or_held_for_review_by_policy() -> None:
    """GIVEN a sender not in the directory under sub.example.gov.vn WHEN policy is reject /
    review (the default) THEN rejected unknown-sender / held for a clerk with that reason;
    once a clerk released it, its document is registered."""
    facts = MessageFacts(
        malformed=False, sender_known=False, pdfs=(VALID,), sender_domain="snv.example.gov.vn"
    )
    rejected = decide(facts, Policy(unknown_sender="reject"))
    assert rejected.outcome is MessageOutcome.REJECTED
    assert rejected.reasons == (Reason.UNKNOWN_SENDER,)
    review = decide(facts, Policy())
    assert (review.outcome, review.reasons) == (MessageOutcome.HELD, (Reason.UNKNOWN_SENDER,))
    assert review.documents == ()
    released = decide(replace(facts, released_by="vanthu1"), Policy())
    assert released.outcome is MessageOutcome.ACCEPTED
    assert [d.action for d in released.documents] == [DocumentAction.REGISTER]
    assert ("released", True) in [(s.rule, s.hit) for s in released.trace]


@pytest.mark.parametrize(
    ("domain", "auth_failed", "domains"),
    [
        ("example.com", False, ("gov.vn",)),  # not an administrative domain
        ("gov.vn.example.com", False, ("gov.vn",)),  # only a look-alike suffix
        ("snv.kiengiang.gov.vn", True, ("gov.vn",)),  # DKIM/SPF/DMARC failed
        ("snv.kiengiang.gov.vn", False, ()),  # no administrative domain configured
        ("", False, ("gov.vn",)),  # no readable From
    ],
)
def test_only_authenticated_senders_of_administrative_domains_are_held(
    domain: str, auth_failed: bool, domains: tuple[str, ...]
) -> None:
    """GIVEN an unknown sender outside the administrative domains, or one whose sender
    authentication failed WHEN decided under review THEN refused unknown-sender, not held;
    the trace says why it was not held."""
    facts = MessageFacts(
        malformed=False,
        sender_known=False,
        pdfs=(VALID,),
        sender_domain=domain,
        sender_auth_failed=auth_failed,
    )
    decision = decide(facts, Policy(administrative_domains=domains))
    assert (decision.outcome, decision.reasons) == (
        MessageOutcome.REJECTED,
        (Reason.UNKNOWN_SENDER,),
    )
    [step] = [s for s in decision.trace if s.rule == "unknown-sender"]
    assert "không thuộc tên miền hành chính" in step.why


def test_a_subdomain_of_an_administrative_domain_is_held() -> None:
    """GIVEN [policy] administrative_domains = ["kiengiang.gov.vn"] WHEN a stranger of
    snv.kiengiang.gov.vn sends THEN held; one of an other province's domain is refused."""
    policy = Policy(administrative_domains=("kiengiang.gov.vn",))
    base = MessageFacts(malformed=False, sender_known=False, pdfs=(VALID,))
    held = decide(replace(base, sender_domain="snv.kiengiang.gov.vn"), policy)
    other = decide(replace(base, sender_domain="snv.angiang.gov.vn"), policy)
    assert (held.outcome, other.outcome) == (MessageOutcome.HELD, MessageOutcome.REJECTED)


def test_no_pdf_is_rejected_no_document() -> None:
    """GIVEN a known sender and no PDF WHEN decided THEN rejected no-document."""
    decision = decide(known(), Policy())
    assert (decision.outcome, decision.reasons) == (MessageOutcome.REJECTED, (Reason.NO_DOCUMENT,))


def test_valid_signed_document_is_registered_and_unsigned_files_are_its_appendices() -> None:
    """GIVEN a validly signed PDF and an unsigned one WHEN decided
    THEN the signed one is registered and the unsigned one is its appendix (phụ lục)."""
    decision = decide(known(VALID, UNSIGNED), Policy())
    assert decision.outcome is MessageOutcome.ACCEPTED
    assert [d.action for d in decision.documents] == [
        DocumentAction.REGISTER,
        DocumentAction.APPENDIX,
    ]


def test_unsigned_document_alone_is_reference_only_or_rejected_by_policy() -> None:
    """GIVEN only an unsigned PDF (R-REF) WHEN policy is reference / reject
    THEN registered reference_only / rejected unsigned."""
    reference = decide(known(UNSIGNED), Policy(unsigned="reference"))
    assert reference.outcome is MessageOutcome.ACCEPTED
    assert reference.documents[0].reference_only is True
    rejected = decide(known(UNSIGNED), Policy(unsigned="reject"))
    assert (rejected.outcome, rejected.reasons) == (MessageOutcome.REJECTED, (Reason.UNSIGNED,))


@pytest.mark.parametrize(
    ("verdict", "reason"),
    [
        (SignatureVerdict.INVALID, Reason.SIGNATURE_INVALID),
        (SignatureVerdict.MODIFIED, Reason.SIGNATURE_MODIFIED),
        (SignatureVerdict.UNTRUSTED, Reason.SIGNATURE_UNTRUSTED),
        (SignatureVerdict.EXPIRED, Reason.SIGNATURE_EXPIRED),
        (SignatureVerdict.REVOKED, Reason.SIGNATURE_REVOKED),
    ],
)
def test_bad_signatures_are_rejected_with_their_reason(
    verdict: SignatureVerdict, reason: Reason
) -> None:
    """GIVEN a signed PDF whose worst verdict is bad WHEN decided THEN rejected with that reason."""
    pdf = PdfFacts("cv.pdf", readable=True, signed=True, worst_verdict=verdict)
    decision = decide(known(pdf), Policy())
    assert (decision.outcome, decision.reasons) == (MessageOutcome.REJECTED, (reason,))


def test_indeterminate_is_held_or_rejected_by_policy() -> None:
    """GIVEN an undecidable signature WHEN policy is hold / reject THEN held / rejected."""
    pdf = PdfFacts("cv.pdf", True, True, SignatureVerdict.INDETERMINATE)
    assert decide(known(pdf), Policy(indeterminate="hold")).outcome is MessageOutcome.HELD
    rejected = decide(known(pdf), Policy(indeterminate="reject"))
    assert rejected.reasons == (Reason.SIGNATURE_INDETERMINATE,)


def test_mixed_message_registers_the_good_document_and_lists_the_refusal() -> None:
    """GIVEN one valid and one tampered document WHEN decided
    THEN accepted (a receipt) with signature-invalid among the reasons."""
    bad = PdfFacts("bad.pdf", True, True, SignatureVerdict.INVALID)
    decision = decide(known(VALID, bad), Policy())
    assert decision.outcome is MessageOutcome.ACCEPTED
    assert [d.filename for d in decision.registered] == ["cv.pdf"]
    assert decision.reasons == (Reason.SIGNATURE_INVALID,)


def test_secret_and_unreadable_documents_are_refused() -> None:
    """GIVEN a secret-marked PDF (R-SECRET) and an unreadable one WHEN decided
    THEN both are refused with their reasons and the message is rejected."""
    secret = PdfFacts("mat.pdf", True, True, SignatureVerdict.VALID, secret=True)
    broken = PdfFacts("hong.pdf", readable=False)
    decision = decide(known(secret, broken), Policy())
    assert decision.outcome is MessageOutcome.REJECTED
    assert decision.reasons == (Reason.SECRET_DOCUMENT, Reason.UNREADABLE_DOCUMENT)


def test_trace_says_which_rules_hit_and_missed() -> None:
    """GIVEN a valid document signed by a person then its own agency WHEN decided
    THEN the trace lists every rule looked at, none hit."""
    signed = PdfFacts(
        "cv.pdf",
        True,
        True,
        SignatureVerdict.VALID,
        two_signatures=True,
        agency_signature_matches=True,
        valid_signatures=2,
    )
    decision = decide(known(signed), Policy())
    assert [(s.rule, s.hit) for s in decision.trace] == [
        ("malware", False),
        ("malformed-message", False),
        ("our-mail", False),
        ("sender-authentication", False),
        ("unknown-sender", False),
        ("no-document", False),
        ("page-count", False),
        ("unreadable-document", False),
        ("secret-document", False),
        ("active-content", False),
        ("signature", False),
        ("nd30-two-signatures", False),
        ("signer-mismatch", False),
    ]


def test_agency_signature_from_another_agency_is_refused() -> None:
    """GIVEN a document whose signatures are all valid but whose agency signature belongs to
    another organisation WHEN decided THEN it is refused with signer-mismatch (R-FORGE)."""
    forged = PdfFacts("cv.pdf", True, True, SignatureVerdict.VALID, agency_signature_matches=False)
    decision = decide(known(forged), Policy())
    assert decision.outcome is MessageOutcome.REJECTED
    assert decision.reasons == (Reason.SIGNER_MISMATCH,)


def test_single_signature_is_noted_not_refused() -> None:
    """GIVEN a valid document with one signature (no NĐ 30 person+agency pair)
    WHEN decided THEN it is registered and the trace notes the missing practice."""
    single = PdfFacts("cv.pdf", True, True, SignatureVerdict.VALID, valid_signatures=1)
    decision = decide(known(single), Policy())
    assert decision.outcome is MessageOutcome.ACCEPTED
    [note] = [s for s in decision.trace if s.rule == "nd30-two-signatures"]
    assert note.hit and "chỉ ghi nhận" in note.why


def test_a_released_message_registers_what_would_hold_it_and_nothing_else() -> None:
    """GIVEN a person released a held message (DESIGN §4.4: held items are answered when a
    person decides) WHEN decided again THEN an undecidable signature and a failed sender
    authentication under policy hold no longer hold it, each release is in the trace, and
    an invalid signature is still refused."""
    undecided = PdfFacts("a.pdf", True, True, SignatureVerdict.INDETERMINATE)
    invalid = PdfFacts("b.pdf", True, True, SignatureVerdict.INVALID)
    facts = MessageFacts(
        malformed=False,
        sender_known=True,
        pdfs=(undecided, invalid),
        sender_auth_failed=True,
        released_by="vanthu",
    )
    decision = decide(facts, Policy(indeterminate="hold", auth="hold"))
    assert decision.outcome is MessageOutcome.ACCEPTED
    assert [d.action for d in decision.documents] == [
        DocumentAction.REGISTER,
        DocumentAction.REFUSE,
    ]
    released = [s.why for s in decision.trace if s.rule == "released"]
    assert released == [
        "bị tạm giữ vì xác thực nơi gửi không đạt; vanthu đã chấp nhận",
        "bị tạm giữ (chưa xác định được tính hợp lệ của chữ ký số); vanthu đã chấp nhận",
    ]
