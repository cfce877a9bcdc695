"""The Vietnamese words of the acceptance (inbound) trace: why each rule of the acceptance
chain hit or missed, as administrators and clerks read it on the document page, on
``/held`` and in the CLI.

Only the ``why`` text is worded here; a step keeps its data (``rule``, ``hit``, ``why``,
``subject``), so traces stored before this wording still render. Whether a rule hit is shown
beside the reason ("khớp" / "không khớp"), so the reasons state the fact without repeating
it. A policy setting is named in Vietnamese first, then as written in the settings file, for
the administrator who would change it. Reason codes are named in Vietnamese
(:data:`REASON_NAMES`: a clerk never reads a code); other values (user names, scanner
findings) stay verbatim. File names never appear here: they are the step's subject, which is
concealed for a secret document (gateway.secrecy).
"""

from __future__ import annotations

from collections.abc import Iterable

from mailparse.reasons import Reason
from rules.decision import CountMismatch, MessageFacts, Policy
from rules.trace_words import VERDICT_NAMES, listed

# DESIGN §4.5 reason codes as the trace names them (the answer mail explains them at
# length: templates/reasons.py; rules may not import templates).
REASON_NAMES: dict[str, str] = {
    Reason.MALFORMED_MESSAGE: "thư sai cấu trúc",
    Reason.UNKNOWN_SENDER: "nơi gửi không có trong danh bạ",
    Reason.NO_DOCUMENT: "thư không có văn bản",
    Reason.UNREADABLE_DOCUMENT: "không đọc được văn bản",
    Reason.UNSUPPORTED_ATTACHMENT: "tệp đính kèm không được chấp nhận",
    Reason.UNSIGNED: "văn bản không có chữ ký số",
    Reason.SIGNATURE_INVALID: "chữ ký số không hợp lệ",
    Reason.SIGNATURE_MODIFIED: "văn bản bị sửa sau khi ký",
    Reason.SIGNATURE_UNTRUSTED: "chữ ký số không được tin cậy",
    Reason.SIGNATURE_EXPIRED: "chứng thư số hết hạn hoặc chưa có hiệu lực",
    Reason.SIGNATURE_REVOKED: "chứng thư số bị thu hồi",
    Reason.SIGNATURE_INDETERMINATE: "chưa xác định được tính hợp lệ của chữ ký số",
    Reason.SIGNER_MISMATCH: "chữ ký không phải của cơ quan gửi",
    Reason.SECRET_DOCUMENT: "văn bản mật",
    Reason.MALWARE: "mã độc hoặc nội dung thực thi",
    Reason.PAGE_COUNT_MISMATCH: "số trang không khớp",
    Reason.SENDER_AUTHENTICATION_FAILED: "xác thực nơi gửi không đạt",
}

NO_MALWARE = "không phát hiện mã độc"
MIME_UNREADABLE = "không đọc được cấu trúc MIME của thư"
MIME_READABLE = "đọc được cấu trúc MIME của thư"
OUR_MAIL: dict[str, str] = {
    "bounce": "báo cáo chuyển phát (DSN) của thư do hệ thống gửi: đã ghi nhận vào thư đó",
    "own-answer": "thư trả lời của chính hệ thống bị gửi ngược lại (vòng lặp thư)",
    "": "không phải thư do hệ thống gửi",
}
AUTH_FAILED = "xác thực nơi gửi (DKIM/SPF/DMARC) không đạt"
AUTH_PASSED = "xác thực nơi gửi (DKIM/SPF/DMARC) không có lỗi"
AUTH_NOT_CHECKED = (
    "không kiểm tra xác thực nơi gửi (DKIM/SPF/DMARC): hệ thống được cấu hình không tra cứu "
    "DNS ([auth] resolver = off)"
)
SENDER_KNOWN = "nơi gửi có trong danh bạ cơ quan"
NO_PDF = "thư không đính kèm tệp PDF nào"
COUNT_NOT_CHECKED = "không kiểm tra: văn bản có dấu chỉ độ mật (R-SECRET)"
PDF_UNREADABLE = "tệp bị mã hóa, bị hỏng hoặc không phải PDF"
PDF_READABLE = "đọc được tệp PDF"
SECRECY_MARK = "có dấu chỉ độ mật"
NO_SECRECY_MARK = "không có dấu chỉ độ mật"
NO_ACTIVE_CONTENT = "không có nội dung thực thi"
SIGNER: dict[bool | None, str] = {
    True: "chữ ký cơ quan là của cơ quan gửi",
    False: "chữ ký cơ quan là của một tổ chức khác",
    None: "không kiểm tra (danh bạ chưa ghi tổ chức ký của nơi gửi)",
}
APPENDIX = "tệp không có chữ ký số đi kèm văn bản (phụ lục)"

_HOLD = "tạm giữ chờ văn thư quyết định"
_REJECT = "từ chối"
_MEANINGS: dict[str, dict[str, str]] = {
    "[auth] policy": {"record": "chỉ ghi nhận", "hold": _HOLD, "reject": _REJECT},
    "[policy] unknown_sender": {"reject": _REJECT, "review": _HOLD},
    "[policy] unsigned": {"reference": "vào sổ, chỉ để tham khảo", "reject": _REJECT},
    "[policy] active_content": {
        "hold": _HOLD,
        "flag": "vẫn tiếp nhận, ghi chú vào sổ",
        "reject": _REJECT,
    },
}
_SOURCES = {"body": "nội dung thư", "edxml": "tệp edXML"}
_UNITS = {"pages": "trang", "files": "tệp"}


def by_setting(setting: str, value: str) -> str:
    """e.g. "theo cấu hình: chỉ ghi nhận ([auth] policy = record)"."""
    meaning = _MEANINGS.get(setting, {}).get(value, value)
    return f"theo cấu hình: {meaning} ({setting} = {value})"


def malware_found(findings: Iterable[str]) -> str:
    return f"trình quét virus phát hiện mã độc: {listed(findings)}"


def sender_authentication(failed: bool, policy: str, checked: bool = True) -> str:
    """R-FORGE; with no resolver nothing was checked, and the trace must not call that a
    pass."""
    if not checked:
        return AUTH_NOT_CHECKED
    return f"{AUTH_FAILED if failed else AUTH_PASSED}; {by_setting('[auth] policy', policy)}"


def unknown_sender(forged_agency: str | None, policy: Policy, held: bool) -> str:
    """The sender is not in the directory (R-FORGE: a From naming an agency that fails
    DMARC is not that agency); under ``review`` only a sender of an administrative domain
    whose authentication did not fail is held (DESIGN §4.9)."""
    forged = (
        f"trường From ghi tên cơ quan {forged_agency} nhưng không qua được DMARC (R-FORGE), "
        "nên coi là "
        if forged_agency
        else ""
    )
    setting = by_setting("[policy] unknown_sender", policy.unknown_sender)
    if policy.unknown_sender == "review" and not held:
        domains = listed(policy.administrative_domains) or "(không có)"
        setting = (
            f"{_REJECT}: nơi gửi không thuộc tên miền hành chính {domains} "
            "([policy] administrative_domains) hoặc xác thực nơi gửi không đạt"
        )
    return f"{forged}nơi gửi không có trong danh bạ cơ quan; {setting}"


def released_after_auth(by: str) -> str:
    return f"bị tạm giữ vì xác thực nơi gửi không đạt; {by} đã chấp nhận"


def released(held_for: Iterable[str], by: str) -> str:
    """A held document a person released, with what held it named in Vietnamese."""
    reasons = listed(REASON_NAMES.get(r, r) for r in held_for) or "cần xem xét"
    return f"bị tạm giữ ({reasons}); {by} đã chấp nhận"


def pdf_files(count: int) -> str:
    return f"{count} tệp PDF"


def count_checked(facts: MessageFacts, found: CountMismatch | None) -> str:
    """R-COUNT: what was declared against what the message carries."""
    if found is not None:
        unit = _UNITS[found.counted]
        return (
            f"{_SOURCES[found.source]} ghi {found.declared} {unit}, "
            f"thư thực có {found.found} {unit}"
        )
    declared = [
        f"{_SOURCES[source]} ghi {value} {_UNITS[counted]}"
        for source, counted, value in (
            ("edxml", "pages", facts.edxml_pages),
            ("body", "pages", facts.declared_pages),
            ("body", "files", facts.declared_files),
        )
        if value is not None
    ]
    carried = f"thư có {facts.attachments} tệp, {_pages(facts)}"
    if not declared:
        return f"thư không khai báo số trang, số tệp; {carried}"
    return f"{listed(declared)}; {carried}: đúng như khai báo"


def _pages(facts: MessageFacts) -> str:
    """e.g. "3 trang (2+1)"; one PDF: "2 trang"."""
    pages = [p.pages for p in facts.pdfs if p.pages is not None]
    if not pages:
        return "không rõ số trang"
    each = f" ({'+'.join(map(str, pages))})" if len(pages) > 1 else ""
    return f"{sum(pages)} trang{each}"


ACTIVE_CONTENT_NAMES: dict[str, str] = {  # mailparse.documents.activecontent values
    "javascript": "JavaScript",
    "launch": "lệnh mở chương trình khác",
    "embedded-file": "tệp nhúng bên trong",
    "rich-media": "nội dung đa phương tiện nhúng",
    "auto-action": "thao tác tự chạy khi mở tệp",
}


def active_content(found: Iterable[str], policy: str) -> str:
    """R-VIRUS: JavaScript, launch actions, embedded files…, named in Vietnamese."""
    names = listed(ACTIVE_CONTENT_NAMES.get(kind, kind) for kind in found)
    return f"có nội dung thực thi: {names}; {by_setting('[policy] active_content', policy)}"


def worst_signature(verdict: str) -> str:
    return f"kết quả kém nhất trong các chữ ký số: {VERDICT_NAMES.get(verdict, verdict)}"


def two_signatures(present: bool) -> str:
    """NĐ 30: a person's signature, then the agency's; its absence is noted only."""
    found = "có" if present else "không có (chỉ ghi nhận)"
    return f"chữ ký cá nhân rồi chữ ký cơ quan (NĐ 30): {found}"


def unsigned(policy: str) -> str:
    """R-REF: an unsigned e-document is for reference only (or refused, by policy)."""
    return f"không có chữ ký số; {by_setting('[policy] unsigned', policy)}"


def with_note(why: str, note: str) -> str:
    return f"{why}: {note}" if note else why


def rejected_when_held(actor: str, note: str = "") -> str:
    """A clerk rejected a held message (gateway.held_decisions)."""
    return with_note(f"{actor} từ chối thư đang tạm giữ", note)


def rejected_from_quarantine(actor: str, note: str = "") -> str:
    """An administrator rejected a quarantined message (gateway.quarantine_tools)."""
    return with_note(f"{actor} từ chối thư đang cách ly", note)


def paper_registered(actor: str) -> str:
    """A paper document a clerk entered in the register (gateway.paper)."""
    return f"văn bản giấy do {actor} vào sổ"
