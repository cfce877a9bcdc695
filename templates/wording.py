"""Vietnamese beside developer English: the notes the pipeline stores on inbound records,
the warnings logged for ``/system`` and the error lines of a rules file.

The stored and logged text stays English (developer logs, DESIGN §5); what a person reads
is matched here against the known forms and said in Vietnamese. A line not known is kept,
introduced by a Vietnamese sentence, so nothing is hidden. This package imports nothing
of ours (DESIGN §2).
"""

from __future__ import annotations

import re

__all__ = ["note_text", "problem_text", "rules_error_text"]


# The notes the pipeline stores on an inbound record (developer English, kept as written in
# the database and the logs) and what a clerk reads instead. Patterns, first match wins.
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (
            r"re-delivery of a message already processed; its first answer stands",
            "thư được gửi lại, trùng với thư đã xử lý; giữ nguyên lần trả lời trước",
        ),
        (
            r"held for a clerk's decision; answered when decided",
            "tạm giữ chờ văn thư quyết định; nơi gửi được trả lời khi có quyết định",
        ),
        (
            r"not answered: null sender, automatic mail \(RFC 3834\) or unusable return address",
            "không trả lời: thư không có địa chỉ gửi lại, là thư tự động (RFC 3834) "
            "hoặc địa chỉ trả lời không dùng được",
        ),
        (
            r"delivery status notification \(RFC 3464\) of our answer (?P<id>\S+): (?P<why>.*); "
            r"recorded against it, not registered, not answered",
            "báo cáo chuyển phát không thành (RFC 3464) của thư hệ thống đã gửi {id}: {why}; "
            "đã ghi nhận vào thư đó, không vào sổ, không trả lời",
        ),
        (
            r"one of our own answers came back; not answered \(mail loop\)",
            "thư trả lời của chính hệ thống bị gửi ngược lại; không trả lời (vòng lặp thư)",
        ),
        (
            r"rejection not sent: the sender is outside the directory .*",
            "không gửi thư từ chối: nơi gửi không có trong danh bạ và tên miền của họ không "
            "xác thực được thư (DKIM, SPF) — tránh gửi thư ngược đến người không gửi",
        ),
        (
            r"not answered: (?P<who>\S+) already got (?P<n>\d+) automatic mails in 24 h",
            "không trả lời: {who} đã nhận {n} thư tự động trong 24 giờ qua",
        ),
        (r"quarantined: (?P<why>.*)", "cách ly chờ quản trị: {why}"),
    )
)
_LATIN_ONLY = re.compile(r"[\x00-\x7f]+")


def note_text(note: str) -> str:
    """The Vietnamese of an inbound record's note; a note already in Vietnamese (a clerk's
    decision) as written; an unknown English note explained as a technical note."""
    for pattern, words in _NOTES:
        found = pattern.fullmatch(note)
        if found:
            return words.format(**found.groupdict())
    if note and _LATIN_ONLY.fullmatch(note) and " " in note:
        return f"ghi chú kỹ thuật của hệ thống (tiếng Anh): {note}"
    return note


# What the newest warnings and errors on /system mean, for the administrator who reads
# Vietnamese: the log line stays English (developer logs), this sentence goes beside it.
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"virus scanning is OFF", "Chưa bật quét virus: chưa cấu hình máy quét (R-VIRUS)."),
        (
            r".*virus scanner unavailable",
            "Máy quét virus không trả lời; thư chờ và được xử lý lại sau.",
        ),
        (r".*malware found", "Phát hiện mã độc trong thư; thư bị từ chối."),
        (r"ALERT .*quarantined", "Một thư bị cách ly, chờ quản trị xem xét (trang Thư tạm giữ)."),
        (r"ALERT IMAP", "Hộp thư IMAP gặp lỗi; xem chi tiết bên cạnh."),
        (r"IMAP .*working again", "Hộp thư IMAP đã hoạt động trở lại."),
        (r"IMAP .*", "Lỗi khi đọc hộp thư IMAP."),
        (r".*pipeline failure", "Xử lý một thư bị lỗi; hệ thống sẽ thử lại."),
        (r".*attempt \d+ failed, retry", "Gửi thư đi không được; hệ thống sẽ gửi lại sau."),
        (r"outbox: .*", "Lỗi khi gửi thư đi; hệ thống sẽ thử lại."),
        (r".*spool failure.*", "Không ghi được thư vào hàng chờ (đĩa đầy hoặc lỗi quyền ghi)."),
        (r"rules file .* not found.*", "Không thấy tệp quy tắc; đang dùng quy tắc mẫu."),
        (
            r"rules file refused.*",
            "Tệp quy tắc mới có lỗi nên không được áp dụng; quy tắc cũ vẫn dùng.",
        ),
        (r"CRL .* not refreshed.*", "Không cập nhật được danh sách chứng thư bị thu hồi (CRL)."),
        (r"AUTH failed.*", "Đăng nhập SMTP sai tên hoặc mật khẩu."),
        (r"rate limit: .*", "Một máy gửi quá nhiều thư trong một phút; đã tạm từ chối."),
        (r"connection limit: .*", "Một máy mở quá nhiều kết nối cùng lúc; đã tạm từ chối."),
        (
            r".*From names agency .* fails DMARC.*",
            "Thư mạo danh cơ quan trong danh bạ (DMARC không đạt).",
        ),
        (r".*went over the memory limit", "Một văn bản vượt giới hạn bộ nhớ khi đọc."),
        (
            r"signature verifier process died.*",
            "Tiến trình kiểm tra chữ ký bị dừng; đã khởi động lại.",
        ),
        (r"clock: round failed.*", "Lỗi khi nhắc hạn, báo quá hạn; sẽ thử lại."),
        (r"console error on .*", "Lỗi khi hiển thị một trang của bảng điều khiển."),
        (r"recovered \d+ item.*", "Đã nhận lại các thư đang xử lý dở khi hệ thống dừng trước đó."),
        (
            r"directory table unreadable.*",
            "Không đọc được danh bạ cơ quan; đang dùng bản đọc lần trước.",
        ),
        (r"cannot write .*", "Không ghi được tệp."),
        (r"SMTP session error.*", "Lỗi trong một phiên nhận thư SMTP."),
        (r"issue refused.*", "Một văn bản phát hành bị từ chối trước khi gửi."),
        (r".*did not stop within.*", "Một thành phần không dừng kịp khi tắt hệ thống."),
    )
)


def problem_text(message: str) -> str:
    """The Vietnamese meaning of a logged warning or error; a general sentence when the
    line is not one the console knows."""
    for pattern, words in _PROBLEMS:
        if pattern.match(message):
            return words
    return "Cảnh báo kỹ thuật của hệ thống; xem chi tiết bên cạnh hoặc trong nhật ký."


# rules.rulesfile error lines ("rules.yaml:14: rule 'Đất đai': then.lead: unknown unit 'X'")
# as the /rules page shows them: where first, then the fault in Vietnamese.
_RULES_LINE = re.compile(
    r"(?P<source>[^:]*?)(?::(?P<line>\d+))?:(?: rule (?P<rule>'[^']*'|\"[^\"]*\"|#\d+):)?"
    r" (?P<field>[^:]+): (?P<msg>.*)"
)
_RULES_FAULTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"unknown key", "khóa không có trong mẫu tệp quy tắc (viết sai tên?)"),
        (r"required", "thiếu mục bắt buộc"),
        (
            r"unknown unit (?P<v>.*) \(not in units\)",
            "mã đơn vị {v} không có trong danh sách units",
        ),
        (r"(?P<v>.*) is not an e-mail address", "{v} không phải địa chỉ thư điện tử"),
        (r"unit code (?P<v>.*) is defined twice", "mã đơn vị {v} bị khai báo hai lần"),
        (r"rule names must be distinct", "tên các quy tắc phải khác nhau"),
        (
            r"a default rule .* is required, once, as the last rule",
            "phải có đúng một quy tắc mặc định (default: true), đặt cuối cùng",
        ),
        (
            r"the default rule has no conditions and cannot be disabled",
            "quy tắc mặc định không có điều kiện và không được tắt",
        ),
        (r"deadline_fallback cannot itself be due_date", "hạn dự phòng không được là due_date"),
        (r"not a valid regular expression.*", "biểu thức chính quy không hợp lệ"),
        (r"unknown verdict (?P<v>\S+);.*", "kết quả chữ ký {v} không có"),
        (r"not valid YAML: (?P<v>.*)", "sai cú pháp YAML ({v})"),
        (r"Input should be a valid (?P<v>\w+).*", "giá trị sai kiểu (cần {v})"),
    )
)

_KINDS = {
    "list": "danh sách",
    "string": "chuỗi chữ",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "đúng/sai (true/false)",
    "dictionary": "bảng khóa: giá trị",
}


def rules_error_text(line: str) -> str:
    """One error line of a rules file, in Vietnamese ("Dòng 14, quy tắc 'Đất đai', mục
    then.lead: mã đơn vị 'X' không có trong danh sách units"); an unknown fault keeps its
    English words after the Vietnamese place."""
    found = _RULES_LINE.fullmatch(line)
    if found is None:
        if line.endswith("expected a mapping with 'units' and 'rules'"):
            return "Tệp quy tắc phải có hai phần units và rules."
        return line
    place = [f"Dòng {found['line']}" if found["line"] else "Tệp quy tắc"]
    if found["field"] == "not valid YAML":
        return f"{place[0]}: sai cú pháp YAML (chi tiết kỹ thuật: {found['msg']})."
    if found["rule"]:
        place.append(f"quy tắc {found['rule']}")
    if found["field"] not in ("file", ""):
        place.append(f"mục {found['field']}")
    message = found["msg"]
    for pattern, words in _RULES_FAULTS:
        fault = pattern.fullmatch(message)
        if fault:
            values = {k: _KINDS.get(v, v) for k, v in fault.groupdict().items()}
            return f"{', '.join(place)}: {words.format(**values)}."
    return f"{', '.join(place)}: giá trị không hợp lệ (chi tiết kỹ thuật: {message})."
