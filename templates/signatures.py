"""Vietnamese explanations of signature verdicts and ETSI (sub-)indications.

For senders (in answers) and clerks (``gateway trust check``, the register). Keys are plain
strings (``"valid"``, ``"TOTAL-PASSED"``, ``"TRY_LATER"``…): this package imports nothing
of ours. Unknown keys fall back to the key itself, never to an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

VERDICTS: Mapping[str, str] = MappingProxyType(
    {
        "valid": "Hợp lệ: chữ ký đúng, văn bản không bị thay đổi sau khi ký,"
        " chứng thư số tin cậy và còn hiệu lực khi nhận.",
        "indeterminate": "Chưa xác định được: hệ thống chưa đủ căn cứ để kết luận"
        " (văn thư sẽ xem xét và quyết định).",
        "untrusted": "Không tin cậy: chứng thư số không do tổ chức chứng thực được công nhận cấp.",
        "expired": "Hết hiệu lực: chứng thư số đã hết hạn hoặc chưa có hiệu lực"
        " tại thời điểm nhận văn bản.",
        "revoked": "Bị thu hồi: chứng thư số đã bị tổ chức chứng thực thu hồi.",
        "modified": "Bị thay đổi: văn bản đã bị sửa đổi hoặc bổ sung sau khi ký.",
        "invalid": "Không hợp lệ: chữ ký không khớp với nội dung văn bản hoặc bị hỏng.",
    }
)

INDICATIONS: Mapping[str, str] = MappingProxyType(
    {
        "TOTAL-PASSED": "Đạt (TOTAL-PASSED)",
        "TOTAL-FAILED": "Không đạt (TOTAL-FAILED)",
        "INDETERMINATE": "Chưa xác định (INDETERMINATE)",
    }
)

SUB_INDICATIONS: Mapping[str, str] = MappingProxyType(
    {
        "FORMAT_FAILURE": "Định dạng chữ ký không đúng chuẩn, không được hỗ trợ,"
        " hoặc tệp đã bị thay đổi sau khi ký.",
        "HASH_FAILURE": "Nội dung đã ký bị thay đổi (giá trị băm không khớp).",
        "SIG_CRYPTO_FAILURE": "Giá trị chữ ký không kiểm tra được bằng khóa công khai"
        " của người ký.",
        "REVOKED": "Chứng thư số đã bị thu hồi.",
        "NOT_YET_VALID": "Chứng thư số chưa đến thời hạn có hiệu lực.",
        "SIG_CONSTRAINTS_FAILURE": "Chữ ký không đáp ứng ràng buộc của ô chữ ký.",
        "CHAIN_CONSTRAINTS_FAILURE": "Chứng thư số không được phép dùng để ký văn bản"
        " (mục đích sử dụng khóa không phù hợp).",
        "CERTIFICATE_CHAIN_GENERAL_FAILURE": "Không kiểm tra được chuỗi chứng thư số.",
        "CRYPTO_CONSTRAINTS_FAILURE": "Thuật toán ký không còn được chấp nhận.",
        "NO_CERTIFICATE_CHAIN_FOUND": "Không xây dựng được chuỗi chứng thư đến tổ chức"
        " chứng thực gốc được tin cậy.",
        "REVOKED_NO_POE": "Chứng thư số của người ký đã bị thu hồi và không có bằng chứng"
        " chữ ký được tạo trước khi thu hồi.",
        "REVOKED_CA_NO_POE": "Chứng thư số của tổ chức chứng thực trung gian đã bị thu hồi.",
        "OUT_OF_BOUNDS_NO_POE": "Chứng thư số đã hết hạn tại thời điểm nhận và không có"
        " dấu thời gian tin cậy chứng minh chữ ký được tạo khi còn hạn.",
        "TIMESTAMP_ORDER_FAILURE": "Thứ tự các dấu thời gian không hợp lý.",
        "TRY_LATER": "Chưa có thông tin thu hồi chứng thư còn hiệu lực; cần kiểm tra lại sau"
        " khi cập nhật danh sách thu hồi (CRL).",
        "GENERIC": "Lỗi khác khi kiểm tra chữ ký.",
    }
)

REVOCATION: Mapping[str, str] = MappingProxyType(
    {
        "good": "đã kiểm tra, chứng thư chưa bị thu hồi",
        "revoked": "chứng thư đã bị thu hồi",
        "not-checked": "chưa kiểm tra (không có dữ liệu thu hồi)",
        "unknown": "không xác định (thiếu hoặc quá hạn dữ liệu thu hồi)",
    }
)

COVERAGE: Mapping[str, str] = MappingProxyType(
    {
        "entire-file": "toàn bộ tệp",
        "entire-revision": "toàn bộ phiên bản đã ký (có nội dung bổ sung sau đó)",
        "partial": "một phần tệp",
    }
)

MODIFICATIONS: Mapping[str, str] = MappingProxyType(
    {
        "none": "không có thay đổi sau khi ký",
        "lta-updates": "chỉ bổ sung dữ liệu kiểm tra dài hạn",
        "form-filling": "chỉ điền biểu mẫu hoặc thêm chữ ký khác",
        "annotations": "có thêm ghi chú",
        "other": "có thay đổi nội dung sau khi ký",
    }
)


def explain(table: Mapping[str, str], key: str | None) -> str:
    """The Vietnamese text for ``key`` in ``table``; ``-`` for None, the key when unknown."""
    if key is None:
        return "-"
    return table.get(key, key)
