"""The tables the corpus is drawn from (tests/support/corpus.py): issuing bodies, types
with their summaries, signers, names, stamps. Vietnamese as official documents write it."""

# (parent, body lines, issuer as registered, symbol suffix, place)
BODIES = (
    (
        None,
        ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ RẠCH GIÁ"),
        "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ",
        "UBND",
        "Rạch Giá",
    ),
    (
        None,
        ("ỦY BAN NHÂN DÂN", "TỈNH KIÊN GIANG"),
        "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        "UBND",
        "Kiên Giang",
    ),
    (
        None,
        ("ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH",),
        "ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH",
        "UBND",
        "Châu Thành",
    ),
    ("ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", ("SỞ TÀI CHÍNH",), "SỞ TÀI CHÍNH", "STC", "Kiên Giang"),
    ("ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", ("SỞ NỘI VỤ",), "SỞ NỘI VỤ", "SNV", "Kiên Giang"),
    ("ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", ("SỞ XÂY DỰNG",), "SỞ XÂY DỰNG", "SXD", "Rạch Giá"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ", ("PHÒNG NỘI VỤ",), "PHÒNG NỘI VỤ", "PNV", "Rạch Giá"),
    (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ",
        ("ỦY BAN NHÂN DÂN", "PHƯỜNG VĨNH THANH"),
        "ỦY BAN NHÂN DÂN PHƯỜNG VĨNH THANH",
        "UBND",
        "Vĩnh Thanh",
    ),
    (
        "HỘI ĐỒNG NHÂN DÂN TỈNH KIÊN GIANG",
        ("THƯỜNG TRỰC HĐND",),
        "THƯỜNG TRỰC HĐND",
        "HĐND",
        "Kiên Giang",
    ),
    (
        "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        ("SỞ THÔNG TIN VÀ", "TRUYỀN THÔNG"),
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "STTTT",
        "Kiên Giang",
    ),
    (
        "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
        ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",),
        "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
        "STNMT",
        "Kiên Giang",
    ),
)

# (title, symbol abbreviation or None for a công văn, catalogue code, summaries)
TYPES = (
    (
        None,
        None,
        "20",
        (
            "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử trong các cơ quan nhà nước"
            " trên địa bàn",
            "đề nghị báo cáo tình hình thực hiện nhiệm vụ quý III năm 2026",
            "tham mưu dự toán ngân sách nhà nước năm 2027",
            "góp ý dự thảo quy hoạch sử dụng đất thời kỳ 2021 - 2030",
        ),
    ),
    (
        "QUYẾT ĐỊNH",
        "QĐ",
        "6",
        (
            "Về việc bổ nhiệm cán bộ lãnh đạo Phòng Tài chính - Kế hoạch",
            "Về việc thành lập Tổ công tác chuyển đổi số của thành phố",
            "Về việc phê duyệt kế hoạch lựa chọn nhà thầu công trình trường học",
        ),
    ),
    (
        "KẾ HOẠCH",
        "KH",
        "14",
        (
            "Triển khai gửi, nhận văn bản điện tử năm 2027",
            "Kiểm tra công tác cải cách hành chính năm 2026 trên địa bàn tỉnh",
        ),
    ),
    (
        "THÔNG BÁO",
        "TB",
        "11",
        (
            "Kết luận của Chủ tịch Ủy ban nhân dân tại cuộc họp giao ban tháng 10",
            "Lịch tiếp công dân định kỳ của lãnh đạo tháng 12 năm 2026",
        ),
    ),
    (
        "BÁO CÁO",
        "BC",
        "18",
        (
            "Tình hình kinh tế - xã hội tháng 11 và nhiệm vụ trọng tâm tháng 12 năm 2026",
            "Kết quả thực hiện công tác phòng, chống thiên tai năm 2026",
        ),
    ),
    (
        "TỜ TRÌNH",
        "TTr",
        "19",
        (
            "Về việc đề nghị phê duyệt chủ trương đầu tư dự án nâng cấp đường nội ô",
            "Về việc xin ý kiến sắp xếp tổ chức bộ máy các phòng chuyên môn",
        ),
    ),
    ("GIẤY MỜI", "GM", "23", ("Dự hội nghị tổng kết công tác văn thư, lưu trữ năm 2026",)),
    ("CHỈ THỊ", "CT", "7", ("Về tăng cường kỷ luật, kỷ cương hành chính trong cơ quan nhà nước",)),
    ("NGHỊ QUYẾT", "NQ", "5", ("Về việc thông qua chương trình giám sát năm 2027",)),
    ("HƯỚNG DẪN", "HD", "12", ("Thực hiện quy trình số hóa hồ sơ lưu trữ điện tử",)),
    ("CÔNG ĐIỆN", "CĐ", "21", ("Về việc chủ động ứng phó với áp thấp nhiệt đới",)),
    ("QUY CHẾ", "QC", "8", ("Làm việc của Ủy ban nhân dân nhiệm kỳ 2021 - 2026",)),
    ("CHƯƠNG TRÌNH", "CTr", "13", ("Công tác trọng tâm của Ủy ban nhân dân năm 2027",)),
    ("PHƯƠNG ÁN", "PA", "15", ("Ứng phó sự cố tràn dầu trên vùng biển Kiên Giang",)),
    ("BIÊN BẢN", "BB", None, ("Họp Hội đồng thẩm định hồ sơ đề nghị khen thưởng",)),
    ("HỢP ĐỒNG", "HĐ", None, ("Cung cấp dịch vụ bảo trì hệ thống phần mềm quản lý văn bản",)),
)
NAMES = (
    "Bùi Trung Thực",
    "Lê Thị Minh Phượng",
    "Nguyễn Văn Hòa",
    "Trần Quốc Khánh",
    "Phạm Thị Thu Hà",
    "Đặng Văn Lực",
    "Võ Minh Tuấn",
    "Huỳnh Thị Ánh",
)
# (lines, mark, position)
SIGNERS = (
    (("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "KT.", "PHÓ CHỦ TỊCH"),
    (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "TM.", "CHỦ TỊCH"),
    (("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"), "TL.", "CHÁNH VĂN PHÒNG"),
    (("TUQ. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"), "TUQ.", "CHÁNH VĂN PHÒNG"),
    (("Q. GIÁM ĐỐC",), "Q.", "GIÁM ĐỐC"),
    (("GIÁM ĐỐC",), None, "GIÁM ĐỐC"),
    (("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "KT.", "PHÓ GIÁM ĐỐC"),
    (("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "KT.", "PHÓ CHỦ TỊCH"),
)
URGENCIES = (
    (None, None),
    ("KHẨN", "khan"),
    ("THƯỢNG KHẨN", "thuong_khan"),
    ("HỎA TỐC", "hoa_toc"),
    ("HỎA TỐC HẸN GIỜ", "hoa_toc_hen_gio"),
)
SECRECIES = ((None, None), ("MẬT", "mat"), ("TỐI MẬT", "toi_mat"), ("TUYỆT MẬT", "tuyet_mat"))
BODY = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; căn cứ Nghị định số "
    "30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành văn bản này kể từ ngày ký./.",
)
