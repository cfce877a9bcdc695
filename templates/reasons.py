"""Vietnamese wording for reason codes, urgency levels and assignment roles.

Keys are the plain code strings of DESIGN §4.5 (``"signature-invalid"``…), not the
``mailparse.reasons.Reason`` enum: this package imports nothing of ours. A test checks that
every code of the enum has a text here. The texts are user-facing, hence Vietnamese (NFC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ReasonText:
    """What went wrong (``summary``) and what the sender should do (``advice``)."""

    summary: str
    advice: str


_RESEND = "Đề nghị Quý cơ quan ký số lại văn bản bằng chứng thư số còn hiệu lực và gửi lại."

REASONS: Mapping[str, ReasonText] = MappingProxyType(
    {
        "malformed-message": ReasonText(
            "Thư điện tử không đúng định dạng nên hệ thống không đọc được nội dung.",
            "Đề nghị Quý cơ quan gửi lại thư từ hộp thư công vụ"
            " hoặc phần mềm quản lý văn bản của cơ quan.",
        ),
        "unknown-sender": ReasonText(
            "Địa chỉ gửi thư không có trong danh bạ các cơ quan, đơn vị"
            " được gửi văn bản điện tử đến cơ quan chúng tôi.",
            "Đề nghị Quý cơ quan gửi văn bản từ hộp thư công vụ đã đăng ký,"
            " hoặc liên hệ bộ phận văn thư để đăng ký địa chỉ thư.",
        ),
        "no-document": ReasonText(
            "Thư không kèm theo văn bản điện tử nào.",
            "Đề nghị Quý cơ quan đính kèm văn bản điện tử (định dạng PDF) và gửi lại.",
        ),
        "unreadable-document": ReasonText(
            "Tệp văn bản bị mã hóa, bị hỏng hoặc không phải là tệp PDF hợp lệ nên không đọc được.",
            "Đề nghị Quý cơ quan kiểm tra tệp, bỏ mật khẩu bảo vệ (nếu có)"
            " và gửi lại bản PDF đọc được.",
        ),
        "unsupported-attachment": ReasonText(
            "Thư có tệp đính kèm thuộc định dạng không được chấp nhận.",
            "Đề nghị Quý cơ quan chuyển văn bản sang định dạng PDF theo quy định và gửi lại.",
        ),
        "unsigned": ReasonText(
            "Văn bản điện tử chưa được ký số.",
            "Đề nghị Quý cơ quan ký số văn bản theo quy định và gửi lại; văn bản không có"
            " chữ ký số chỉ có giá trị tham khảo, không thay thế bản gốc bằng giấy.",
        ),
        "signature-invalid": ReasonText(
            "Chữ ký số trên văn bản không hợp lệ.",
            "Đề nghị Quý cơ quan ký số lại văn bản và gửi lại.",
        ),
        "signature-modified": ReasonText(
            "Nội dung văn bản đã bị thay đổi sau khi ký số.",
            "Đề nghị Quý cơ quan gửi lại đúng bản đã ký số, không chỉnh sửa tệp sau khi ký.",
        ),
        "signature-untrusted": ReasonText(
            "Không xác minh được chứng thư số của người ký với tổ chức cung cấp dịch vụ"
            " chứng thực chữ ký số được tin cậy.",
            "Đề nghị Quý cơ quan ký số bằng chứng thư số do tổ chức cung cấp dịch vụ chứng"
            " thực chữ ký số chuyên dùng cấp và gửi lại.",
        ),
        "signature-expired": ReasonText(
            "Chứng thư số của người ký đã hết hiệu lực hoặc chưa có hiệu lực"
            " tại thời điểm tiếp nhận văn bản.",
            _RESEND,
        ),
        "signature-revoked": ReasonText(
            "Chứng thư số của người ký đã bị thu hồi.",
            _RESEND,
        ),
        "signature-indeterminate": ReasonText(
            "Chưa xác định được tính hợp lệ của chữ ký số (chẳng hạn không kiểm tra được"
            " tình trạng thu hồi của chứng thư số).",
            "Đề nghị Quý cơ quan liên hệ bộ phận văn thư của cơ quan chúng tôi,"
            " hoặc ký số lại văn bản và gửi lại.",
        ),
        "signer-mismatch": ReasonText(
            "Chữ ký số của cơ quan trên văn bản không phải của cơ quan gửi thư.",
            "Đề nghị văn bản được gửi từ hộp thư công vụ của chính cơ quan đã ký số ban hành.",
        ),
        "secret-document": ReasonText(
            "Văn bản có đóng dấu độ mật; văn bản mật không được gửi, nhận"
            " qua hệ thống văn bản điện tử.",
            "Đề nghị Quý cơ quan gửi văn bản mật bằng bản giấy theo quy định về bảo vệ"
            " bí mật nhà nước.",
        ),
        "malware": ReasonText(
            "Tệp đính kèm có chứa mã độc hoặc nội dung thực thi không an toàn.",
            "Đề nghị Quý cơ quan kiểm tra, diệt mã độc trên máy gửi và gửi lại văn bản.",
        ),
        "page-count-mismatch": ReasonText(
            "Số lượng văn bản hoặc số trang nhận được không khớp với thông tin kèm theo thư.",
            "Đề nghị Quý cơ quan kiểm tra và gửi lại đầy đủ văn bản, đủ số trang.",
        ),
        "sender-authentication-failed": ReasonText(
            "Không xác thực được thư được gửi từ máy chủ thư của cơ quan gửi"
            " (kiểm tra DKIM/SPF/DMARC không đạt).",
            "Đề nghị Quý cơ quan gửi lại từ hộp thư công vụ; nếu vẫn bị từ chối, đề nghị"
            " bộ phận kỹ thuật kiểm tra cấu hình máy chủ thư của cơ quan.",
        ),
    }
)


def reason_text(code: str) -> ReasonText:
    """The wording for ``code``; an unknown code still yields a polite generic text.

    A new code must never make an answer unrenderable (the answer is owed exactly once);
    the test suite makes sure every known code has its own text.
    """
    known = REASONS.get(code)
    if known is not None:
        return known
    return ReasonText(
        f"Văn bản chưa đáp ứng yêu cầu tiếp nhận (mã lý do: {code}).",
        "Đề nghị Quý cơ quan liên hệ bộ phận văn thư của cơ quan chúng tôi để được hướng dẫn.",
    )


# R-URGENT: the urgency level is shown in the subject of every answer.
URGENCY_PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "thuong": "",
        "khan": "[KHẨN]",
        "thuong_khan": "[THƯỢNG KHẨN]",
        "hoa_toc": "[HỎA TỐC]",
        "hoa_toc_hen_gio": "[HỎA TỐC HẸN GIỜ]",
    }
)

URGENCY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "thuong": "Thường",
        "khan": "Khẩn",
        "thuong_khan": "Thượng khẩn",
        "hoa_toc": "Hỏa tốc",
        "hoa_toc_hen_gio": "Hỏa tốc hẹn giờ",
    }
)


def urgency_prefix(urgency: str | None) -> str:
    """The subject tag for ``urgency`` (empty for ordinary or unknown levels)."""
    if urgency is None:
        return ""
    return URGENCY_PREFIXES.get(urgency, "")


# R-LEAD: roles of DESIGN §4.3 (lead | cooperate | inform).
ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "lead": "Chủ trì",
        "cooperate": "Phối hợp",
        "inform": "Để biết",
    }
)


def role_label(role: str) -> str:
    """The Vietnamese label of an assignment role; an unknown role is shown as given."""
    return ROLE_LABELS.get(role, role)
