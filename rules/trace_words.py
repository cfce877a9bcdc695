"""The Vietnamese words of the routing trace: why a rule matched or missed, in the words
administrators read on the document page, on ``/rules`` and in ``gateway rules test``.

Only the ``why`` text is worded here; the trace keeps its data (``rule``, ``matched``,
``why``), so traces stored before this wording still render. Whether a rule matched is shown
beside the reason ("khớp" / "không khớp"), so the reasons do not repeat it. Values written
in rules.yaml as codes (``hoa_toc``, ``indeterminate``) are shown by their Vietnamese names.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from mailparse.documents.document import Secrecy, Urgency

DISABLED = "bị tắt"
DEFAULT_RULE = "quy tắc mặc định: không quy tắc nào trước đó quyết định"
NO_CONDITIONS = "không có điều kiện: luôn áp dụng"
UNKNOWN = "không xác định"


class Label(StrEnum):
    """What a condition looks at, as the reason names it."""

    AGENCY = "cơ quan gửi"
    DOCUMENT_TYPE = "loại văn bản"
    URGENCY = "độ khẩn"
    SECRECY = "độ mật"
    REFERENCE_ONLY = "chỉ để tham khảo"
    PAPER_REQUIRED = "cần bản giấy"


URGENCY_NAMES: dict[str, str] = {
    Urgency.THUONG: "Thường",
    Urgency.KHAN: "Khẩn",
    Urgency.THUONG_KHAN: "Thượng khẩn",
    Urgency.HOA_TOC: "Hỏa tốc",
    Urgency.HOA_TOC_HEN_GIO: "Hỏa tốc hẹn giờ",
}
SECRECY_NAMES: dict[str, str] = {
    Secrecy.MAT: "Mật",
    Secrecy.TOI_MAT: "Tối mật",
    Secrecy.TUYET_MAT: "Tuyệt mật",
}
VERDICT_NAMES: dict[str, str] = {
    "valid": "hợp lệ",
    "invalid": "không hợp lệ",
    "modified": "bị sửa đổi sau khi ký",
    "untrusted": "không được tin cậy",
    "expired": "hết hạn hoặc chưa có hiệu lực",
    "revoked": "bị thu hồi",
    "indeterminate": "chưa xác định được",
    "unsigned": "không có chữ ký số",
}
UNSIGNED_STATED = "văn bản không có chữ ký số"
PLACE_NAMES: dict[str, str] = {
    "summary": "trích yếu",
    "subject": "tiêu đề thư",
    "body": "nội dung thư",
}


def listed(values: Iterable[str]) -> str:
    return ", ".join(values)


def places(names: Iterable[str]) -> str:
    """``("summary", "subject", "body")`` → "trích yếu, tiêu đề thư hoặc nội dung thư"."""
    shown = [PLACE_NAMES.get(n, n) for n in names]
    return " hoặc ".join(filter(None, (listed(shown[:-1]), *shown[-1:])))


def is_one_of(label: str, shown: str | None, wanted: Iterable[str], *, hit: bool) -> str:
    """e.g. "loại văn bản là Công văn" / "độ khẩn là Thường, không thuộc: Hỏa tốc"."""
    stated = f"{label} là {shown}" if shown is not None else f"{label} {UNKNOWN}"
    return stated if hit else f"{stated}, không thuộc: {listed(wanted)}"


def signature_is(verdict: str, wanted: Iterable[str], *, hit: bool) -> str:
    """e.g. "chữ ký số hợp lệ" / "văn bản không có chữ ký số, không thuộc trường hợp: …"."""

    def stated(v: str) -> str:
        return UNSIGNED_STATED if v == "unsigned" else f"chữ ký số {VERDICT_NAMES.get(v, v)}"

    if hit:
        return stated(verdict)
    names = listed(VERDICT_NAMES.get(w, w) for w in wanted)
    return f"{stated(verdict)}, không thuộc trường hợp: {names}"


def in_group(actual: str | None, wanted: Iterable[str], *, hit: bool) -> str:
    """e.g. "nơi gửi thuộc nhóm so-nganh" / "nơi gửi không thuộc nhóm so-nganh (nhóm: …)"."""
    if hit:
        return f"nơi gửi thuộc nhóm {actual}"
    own = f"nhóm của nơi gửi: {actual}" if actual is not None else "nơi gửi chưa có nhóm"
    return f"nơi gửi không thuộc nhóm {listed(wanted)} ({own})"


def under_domain(domain: str, wanted: Iterable[str], *, hit: bool) -> str:
    shown = domain or UNKNOWN
    verb = "thuộc" if hit else "không thuộc"
    return f"tên miền gửi {shown} {verb} {listed(wanted)}"


def flag(label: str, actual: bool) -> str:
    return f"{label}: {'có' if actual else 'không'}"


def contains(place: str, word: str) -> str:
    return f"{PLACE_NAMES.get(place, place)} có “{word}”"


def contains_none(words: Iterable[str], looked_in: Iterable[str]) -> str:
    quoted = ", ".join(f"“{w}”" for w in words)
    return f"không có {quoted} trong {places(looked_in)}"


def matches_pattern(place: str, pattern: str) -> str:
    return f"{PLACE_NAMES.get(place, place)} khớp biểu thức /{pattern}/"


def matches_no_pattern(looked_in: Iterable[str], pattern: str) -> str:
    return f"{places(looked_in)} không khớp biểu thức /{pattern}/"


def attachment_matches(name: str, glob: str) -> str:
    return f"tệp đính kèm {name} khớp mẫu {glob}"


def no_attachment_matches(globs: Iterable[str]) -> str:
    return f"không tệp đính kèm nào khớp mẫu {listed(globs)}"


def office_hours(inside: bool) -> str:
    return f"nhận {'trong' if inside else 'ngoài'} giờ hành chính"


def one_alternative(why: str) -> str:
    return f"một trong các trường hợp: {why}"


def no_alternative(misses: Iterable[str]) -> str:
    return f"không trường hợp nào thỏa mãn ({'; '.join(misses)})"


def negated(why: str) -> str:
    return f"phủ định của ({why})"
