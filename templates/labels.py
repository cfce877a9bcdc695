"""Every label a person reads for a code: one place for the console, the CLI and the mail.

A clerk never meets a code, an English word or an ISO date (DESIGN §4.6): what the database,
the audit trail and the traces store as codes (``entry.assigned``, ``summary``,
``our-mail``, ``clerk``, ``held``…) is shown through these tables. This package imports
nothing of ours (DESIGN §2), so the tables are keyed by the codes' string values; a code
missing from a table is shown through :func:`label`, which never shows the raw code of a
known kind but falls back to it rather than hiding information.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from templates.reasons import ROLE_LABELS as ASSIGNMENT_ROLE_LABELS
from templates.reasons import URGENCY_LABELS

__all__ = [
    "ACCOUNT_ROLE_LABELS",
    "ACTION_LABELS",
    "ACTIVE_CONTENT_LABELS",
    "ASSIGNMENT_ROLE_LABELS",
    "ASSIGNMENT_STATUS_LABELS",
    "FIELD_LABELS",
    "GROUP_LABELS",
    "OUTCOME_LABELS",
    "PROTOCOL_LABELS",
    "SECRECY_LABELS",
    "STATUS_LABELS",
    "TRACE_RULE_LABELS",
    "URGENCY_LABELS",
    "account_role",
    "action",
    "field",
    "group",
    "label",
    "trace_rule",
]


def _frozen(values: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(values)


# R-ACCOUNT: the roles of console accounts (registry.accounts.Role values).
ACCOUNT_ROLE_LABELS = _frozen(
    {
        "clerk": "Văn thư",
        "officer": "Chuyên viên",
        "leader": "Lãnh đạo",
        "admin": "Quản trị",
    }
)

# DESIGN §4.3 ``status`` of a register entry.
STATUS_LABELS = _frozen(
    {
        "registered": "Đã vào sổ",
        "awaiting_distribution": "Chờ lãnh đạo phân công",
        "assigned": "Đã chuyển xử lý",
        "in_progress": "Đang xử lý",
        "done": "Đã giải quyết",
        "returned": "Bị trả lại",
        "recalled": "Đã thu hồi",
    }
)

# One assignee's progress (registry.models.AssignmentStatus).
ASSIGNMENT_STATUS_LABELS = _frozen(
    {
        "assigned": "Đã giao",
        "in_progress": "Đang xử lý",
        "done": "Đã xong",
        "returned": "Trả lại văn thư",
        "reassigned": "Đã chuyển đơn vị khác",
    }
)

# What happened to one inbound message (registry.models.Outcome).
OUTCOME_LABELS = _frozen(
    {
        "accepted": "Đã tiếp nhận",
        "rejected": "Đã từ chối",
        "held": "Tạm giữ chờ quyết định",
        "quarantined": "Cách ly chờ quản trị",
        "duplicate": "Nhận trùng",
    }
)

PROTOCOL_LABELS = _frozen(
    {
        "smtp": "thư điện tử (SMTP)",
        "lmtp": "thư điện tử (LMTP)",
        "imap": "hộp thư (IMAP)",
        "paper": "văn bản giấy",
        "cli": "dòng lệnh",
    }
)

# NĐ 30 độ mật (mailparse.documents.document.Secrecy values) and "no mark".
SECRECY_LABELS = _frozen(
    {
        "": "Không mật",
        "mat": "Mật",
        "toi_mat": "Tối mật",
        "tuyet_mat": "Tuyệt mật",
    }
)

# Active PDF content (mailparse.documents.activecontent.ActiveContent values), R-VIRUS.
ACTIVE_CONTENT_LABELS = _frozen(
    {
        "javascript": "JavaScript",
        "launch": "lệnh mở chương trình khác",
        "embedded-file": "tệp nhúng bên trong",
        "rich-media": "nội dung đa phương tiện nhúng",
        "auto-action": "thao tác tự chạy khi mở tệp",
    }
)

# The register fields by their stored names (corrections, history, forms).
FIELD_LABELS = _frozen(
    {
        "document_number": "Số, ký hiệu",
        "issued_on": "Ngày tháng văn bản",
        "document_type": "Loại văn bản",
        "summary": "Trích yếu",
        "issuer_name": "Cơ quan ban hành",
        "urgency": "Độ khẩn",
        "sender_agency_name": "Nơi gửi",
        "signer_name": "Người ký",
        "secrecy": "Độ mật",
        "pages": "Số trang",
        "paper_required": "Cần bản giấy",
        "paper_reason": "Lý do cần bản giấy",
    }
)

# Audit events (registry AuditEvent.action) as the document's history shows them.
ACTION_LABELS = _frozen(
    {
        "inbound.accepted": "Tiếp nhận thư",
        "inbound.rejected": "Từ chối tiếp nhận",
        "inbound.held": "Tạm giữ chờ văn thư quyết định",
        "inbound.quarantined": "Cách ly chờ quản trị xem xét",
        "inbound.duplicate": "Nhận trùng văn bản đã vào sổ",
        "entry.registered": "Vào sổ văn bản đến",
        "entry.paper": "Vào sổ văn bản giấy",
        "entry.paper_cancelled": "Hủy văn bản giấy vào sổ nhầm",
        "entry.paper_corrected": "Điều chỉnh yêu cầu bản giấy",
        "entry.held": "Tạm giữ chờ văn thư quyết định",
        "entry.assigned": "Phân công xử lý theo quy tắc",
        "entry.duplicate": "Nhận lại văn bản đã vào sổ (trùng)",
        "entry.recall": "Nơi gửi thu hồi văn bản",
        "entry.update": "Nơi gửi cập nhật thông tin văn bản",
        "entry.replace": "Nơi gửi thay thế văn bản",
        "entry.status": "Cập nhật tình trạng",
        "entry.corrected": "Sửa thông tin vào sổ",
        "entry.note": "Ghi chú",
        "entry.proposed": "Trình lãnh đạo phân công",
        "entry.distributed": "Lãnh đạo cho ý kiến phân công",
        "distribution.digest": "Gửi lãnh đạo danh sách văn bản chờ phân công",
        "distribution.reply_refused": "Không nhận thư trả lời (không phải hộp thư của lãnh đạo)",
        "distribution.delegated": "Ủy quyền cho ý kiến phân công",
        "distribution.delegation_cancelled": "Hủy ủy quyền cho ý kiến phân công",
        "assignment.transfer_requested": "Đơn vị đề nghị chuyển",
        "assignment.transfer_decided": "Quyết định về đề nghị chuyển",
        "assignment.result_file": "Đơn vị gửi tệp kết quả",
        "outbox.queued": "Chuẩn bị thư gửi đi",
        "assignment.assigned": "Phân công xử lý",
        "assignment.reassigned": "Chuyển đơn vị xử lý",
        "reply.accepted": "Nhận thư trả lời của đơn vị",
        "reply.ignored": "Bỏ qua thư trả lời",
        "reply.refused": "Không nhận thư trả lời",
        "reply.unrecognised": "Thư trả lời không nhận ra được",
        "held.reject": "Từ chối thư tạm giữ",
        "held.release": "Chấp nhận thư tạm giữ",
        "held.reprocess": "Xử lý lại thư tạm giữ",
        "quarantine.reject": "Từ chối thư cách ly",
        "quarantine.release": "Cho xử lý riêng thư cách ly",
        "quarantine.reprocess": "Xử lý lại thư cách ly",
        "register.print": "In sổ đăng ký văn bản đến",
        "register.track": "In sổ theo dõi giải quyết",
        "rules.save": "Lưu tệp quy tắc",
        "user.add": "Tạo tài khoản",
        "user.disable": "Khóa tài khoản",
        "login.failed": "Đăng nhập sai",
        "login.throttled": "Tạm chặn đăng nhập",
    }
)

# The steps of the acceptance chain and the people who decide (the trace's ``rule``).
TRACE_RULE_LABELS = _frozen(
    {
        "malware": "Quét mã độc",
        "malformed-message": "Cấu trúc thư",
        "our-mail": "Thư do hệ thống gửi",
        "sender-authentication": "Xác thực nơi gửi",
        "unknown-sender": "Nơi gửi trong danh bạ",
        "no-document": "Có văn bản đính kèm",
        "page-count": "Số trang, số tệp (R-COUNT)",
        "unreadable-document": "Đọc được tệp PDF",
        "secret-document": "Dấu chỉ độ mật",
        "active-content": "Nội dung thực thi trong PDF",
        "signature": "Chữ ký số",
        "nd30-two-signatures": "Hai chữ ký theo NĐ 30",
        "signer-mismatch": "Cơ quan ký",
        "unsigned": "Văn bản không ký số",
        "appendix": "Phụ lục",
        "released": "Người có thẩm quyền chấp nhận",
        "clerk": "Văn thư",
        "administrator": "Quản trị hệ thống",
        "routing-reject": "Quy tắc chuyển xử lý",
    }
)


# Directory groups (agencies.yaml ``group``): whom a document can be issued to at once.
GROUP_LABELS = _frozen(
    {
        "phong-ban": "Các phòng, ban, đơn vị thuộc thành phố",
        "phuong-xa": "Các phường, xã",
        "cap-tren": "Cơ quan cấp trên",
    }
)


def label(table: Mapping[str, str], code: str | None) -> str:
    """The label of ``code`` in ``table``; empty for None; an unknown code as given."""
    if code is None:
        return ""
    return table.get(code, code)


def account_role(code: str) -> str:
    return label(ACCOUNT_ROLE_LABELS, code)


def action(code: str) -> str:
    return label(ACTION_LABELS, code)


def field(code: str) -> str:
    return label(FIELD_LABELS, code)


def trace_rule(code: str) -> str:
    return label(TRACE_RULE_LABELS, code)


def group(code: str) -> str:
    """A directory group's name; a group an administrator made up: "Nhóm <its name>"."""
    return GROUP_LABELS.get(code, f"Nhóm {code}" if code else "Đơn vị khác")
