"""The acceptance (inbound) trace in Vietnamese: every reason ``decide()`` gives, as clerks
and administrators read it beside "khớp" / "không khớp"; codes and names stay verbatim."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from mailparse.signatures.verdicts import SignatureVerdict
from rules.acceptance import decide
from rules.decision import Decision, MessageFacts, PdfFacts, Policy

SIGNED = PdfFacts(
    "cv.pdf",
    readable=True,
    signed=True,
    worst_verdict=SignatureVerdict.VALID,
    valid_signatures=2,
    agency_signature_matches=True,
    two_signatures=True,
    pages=2,
)


def steps(decision: Decision) -> list[tuple[str, bool, str]]:
    return [(s.rule, s.hit, s.why) for s in decision.trace]


def test_registered_document_trace_reads_in_vietnamese() -> None:
    """GIVEN a known sender's validly signed 2-page document plus a 1-page unsigned file,
    the body declaring 3 pages WHEN decided THEN each rule looked at gives its reason in
    Vietnamese, in chain order, with the page counts as declared and found."""
    appendix = PdfFacts("phu-luc.pdf", readable=True, pages=1)
    facts = MessageFacts(
        malformed=False,
        sender_known=True,
        pdfs=(SIGNED, appendix),
        declared_pages=3,
        attachments=2,
    )
    assert steps(decide(facts, Policy())) == [
        ("malware", False, "không phát hiện mã độc"),
        ("malformed-message", False, "đọc được cấu trúc MIME của thư"),
        ("our-mail", False, "không phải thư do hệ thống gửi"),
        (
            "sender-authentication",
            False,
            "xác thực nơi gửi (DKIM/SPF/DMARC) không có lỗi; "
            "theo cấu hình: chỉ ghi nhận ([auth] policy = record)",
        ),
        ("unknown-sender", False, "nơi gửi có trong danh bạ cơ quan"),
        ("no-document", False, "2 tệp PDF"),
        (
            "page-count",
            False,
            "nội dung thư ghi 3 trang; thư có 2 tệp, 3 trang (2+1): đúng như khai báo",
        ),
        ("unreadable-document", False, "đọc được tệp PDF"),
        ("secret-document", False, "không có dấu chỉ độ mật"),
        ("active-content", False, "không có nội dung thực thi"),
        ("signature", False, "kết quả kém nhất trong các chữ ký số: hợp lệ"),
        ("nd30-two-signatures", False, "chữ ký cá nhân rồi chữ ký cơ quan (NĐ 30): có"),
        ("signer-mismatch", False, "chữ ký cơ quan là của cơ quan gửi"),
        ("unreadable-document", False, "đọc được tệp PDF"),
        ("secret-document", False, "không có dấu chỉ độ mật"),
        ("active-content", False, "không có nội dung thực thi"),
        ("appendix", True, "tệp không có chữ ký số đi kèm văn bản (phụ lục)"),
    ]


def test_r_forge_forged_sender_under_review_names_the_agency_and_the_setting() -> None:
    """GIVEN a From naming agency VP that fails DMARC (R-FORGE), [auth] policy = record and
    [policy] unknown_sender = review WHEN decided THEN the failure is recorded and the
    unknown sender's reason names VP, DMARC and why it is refused although the setting is
    review (a failed authentication is never held for a clerk, DESIGN §4.9)."""
    facts = MessageFacts(
        malformed=False,
        sender_known=False,
        pdfs=(SIGNED,),
        sender_auth_failed=True,
        forged_agency="VP",
    )
    trace = steps(decide(facts, Policy(unknown_sender="review")))
    assert (
        "sender-authentication",
        True,
        "xác thực nơi gửi (DKIM/SPF/DMARC) không đạt; "
        "theo cấu hình: chỉ ghi nhận ([auth] policy = record)",
    ) in trace
    assert (
        "unknown-sender",
        True,
        "trường From ghi tên cơ quan VP nhưng không qua được DMARC (R-FORGE), nên coi là "
        "nơi gửi không có trong danh bạ cơ quan; "
        "từ chối: nơi gửi không thuộc tên miền hành chính gov.vn ([policy] "
        "administrative_domains) hoặc xác thực nơi gửi không đạt",
    ) in trace


def test_r_count_r_virus_r_ref_reasons_keep_codes_verbatim() -> None:
    """GIVEN an edXML declaring 5 pages for a 4-page document; a document with JavaScript
    under [policy] active_content = hold; an unsigned document alone WHEN decided THEN the
    mismatch names the edXML, the active content its codes and the hold, and the unsigned
    one the reference-only setting (R-COUNT, R-VIRUS, R-REF)."""
    four = PdfFacts("cv.pdf", True, True, SignatureVerdict.VALID, pages=4)
    counted = MessageFacts(malformed=False, sender_known=True, pdfs=(four,), edxml_pages=5)
    assert steps(decide(counted, Policy()))[-1] == (
        "page-count",
        True,
        "tệp edXML ghi 5 trang, thư thực có 4 trang",
    )
    active = PdfFacts("cv.pdf", True, True, SignatureVerdict.VALID, active_content=("javascript",))
    facts = MessageFacts(malformed=False, sender_known=True, pdfs=(active,))
    assert steps(decide(facts, Policy()))[-1] == (
        "active-content",
        True,
        "có nội dung thực thi: JavaScript; "
        "theo cấu hình: tạm giữ chờ văn thư quyết định ([policy] active_content = hold)",
    )
    unsigned = MessageFacts(
        malformed=False, sender_known=True, pdfs=(PdfFacts("cv.pdf", readable=True),)
    )
    assert steps(decide(unsigned, Policy()))[-1] == (
        "unsigned",
        True,
        "không có chữ ký số; "
        "theo cấu hình: vào sổ, chỉ để tham khảo ([policy] unsigned = reference)",
    )


def test_every_reason_of_every_branch_is_vietnamese_nfc() -> None:
    """GIVEN messages taking each branch of the chain (malware, unreadable MIME, our own
    mail, no PDF, secret, unreadable, revoked, single signature, foreign signer, release)
    WHEN decided THEN every reason carries Vietnamese letters and is in NFC."""
    known = MessageFacts(malformed=False, sender_known=True)
    pdf = PdfFacts("a.pdf", readable=True, signed=True, worst_verdict=SignatureVerdict.VALID)
    cases = [
        MessageFacts(malformed=False, sender_known=True, malware=("Eicar-Signature",)),
        MessageFacts(malformed=True, sender_known=True),
        MessageFacts(malformed=False, sender_known=True, our_mail="bounce"),
        MessageFacts(malformed=False, sender_known=True, our_mail="own-answer"),
        known,
        MessageFacts(
            malformed=False,
            sender_known=True,
            declared_pages=9,
            pdfs=(
                PdfFacts("m.pdf", readable=True, secret=True),
                PdfFacts("h.pdf", readable=False),
                PdfFacts("r.pdf", True, True, SignatureVerdict.REVOKED),
                replace(pdf, filename="f.pdf", agency_signature_matches=False),
                pdf,
            ),
        ),
        MessageFacts(
            malformed=False,
            sender_known=True,
            pdfs=(PdfFacts("i.pdf", True, True, SignatureVerdict.INDETERMINATE),),
            sender_auth_failed=True,
            released_by="vanthu",
        ),
    ]
    policy = Policy(auth="hold")
    reasons = [s.why for facts in cases for s in decide(facts, policy).trace]
    assert len(reasons) > 30
    assert [why for why in reasons if why.isascii()] == []
    assert all(unicodedata.is_normalized("NFC", why) for why in reasons)
    assert "trình quét virus phát hiện mã độc: Eicar-Signature" in reasons
    assert "kết quả kém nhất trong các chữ ký số: bị thu hồi" in reasons
    assert (
        "bị tạm giữ (chưa xác định được tính hợp lệ của chữ ký số); vanthu đã chấp nhận" in reasons
    )


def test_sender_authentication_not_checked_is_never_called_a_pass() -> None:
    """GIVEN ``[auth] resolver = off`` (no DNS: nothing was checked) WHEN a message is
    decided THEN its trace says sender authentication was not checked — not "không có
    lỗi", which the same facts with checking on still say."""
    unchecked = MessageFacts(malformed=False, sender_known=True, sender_auth_checked=False)
    checked = MessageFacts(malformed=False, sender_known=True)
    step = {s[0]: s[2] for s in steps(decide(unchecked, Policy()))}["sender-authentication"]
    assert step.startswith("không kiểm tra xác thực nơi gửi")
    assert "không có lỗi" not in step and "resolver = off" in step
    passed = {s[0]: s[2] for s in steps(decide(checked, Policy()))}["sender-authentication"]
    assert "không có lỗi" in passed
