"""The acceptance trace a clerk reads names every reason in Vietnamese, never by its code
(the held document released by a clerk used to read "bị tạm giữ (signature-indeterminate)")."""

from __future__ import annotations

from mailparse.reasons import Reason
from mailparse.signatures.verdicts import SignatureVerdict
from rules.acceptance import decide
from rules.acceptance_words import REASON_NAMES, released
from rules.decision import MessageFacts, PdfFacts, Policy


def test_every_reason_code_has_a_vietnamese_name() -> None:
    """GIVEN the reason codes of DESIGN §4.5 THEN each has a name in the trace's words,
    none of which is the code or plain ASCII."""
    assert set(REASON_NAMES) == {str(r) for r in Reason}
    assert [code for code, name in REASON_NAMES.items() if name.isascii()] == []


def test_a_released_documents_trace_names_what_held_it_in_vietnamese() -> None:
    """GIVEN a document held for an indeterminate signature and released by vanthu
    WHEN decided THEN the trace's release step says in Vietnamese what held it and who
    released it, with no reason code in it."""
    facts = MessageFacts(
        malformed=False,
        sender_known=True,
        pdfs=(PdfFacts("i.pdf", True, True, SignatureVerdict.INDETERMINATE),),
        released_by="vanthu",
    )
    whys = [s.why for s in decide(facts, Policy()).trace if s.rule == "released"]

    assert whys == [
        "bị tạm giữ (chưa xác định được tính hợp lệ của chữ ký số); vanthu đã chấp nhận"
    ]
    assert all(str(code) not in why for why in whys for code in Reason)
    assert released((), "vanthu") == "bị tạm giữ (cần xem xét); vanthu đã chấp nhận"
