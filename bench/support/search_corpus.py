"""A synthetic incoming register for bench/search.py: realistic Vietnamese entries, bulk-loaded.

Entries are made from a vocabulary of document types, topics, issuing bodies, places and
signer names as a văn thư would see them; the ``search_text`` is folded exactly as the
gateway folds it (``registry.search.searchable_text``). The vocabulary is folded once, so a
million rows take seconds. Rows go in with ``executemany`` on SQLite and ``COPY`` on
PostgreSQL, into the schema of revision 0004 (before the search index exists).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice

from sqlalchemy.engine import Engine

from registry.search import searchable_text

TYPES = (
    ("Công văn", "UBND-VP"),
    ("Quyết định", "QĐ-UBND"),
    ("Kế hoạch", "KH-UBND"),
    ("Thông báo", "TB-UBND"),
    ("Báo cáo", "BC-STC"),
    ("Tờ trình", "TTr-SNV"),
    ("Giấy mời", "GM-VP"),
    ("Chỉ thị", "CT-UBND"),
)
TOPICS = (
    "chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử",
    "thu hồi đất đai để thực hiện dự án",
    "phân bổ dự toán ngân sách nhà nước",
    "cải cách hành chính và chuyển đổi số",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "tổ chức kỳ thi tốt nghiệp trung học phổ thông",
    "đảm bảo trật tự an toàn giao thông dịp Tết Nguyên đán",
    "kiện toàn tổ chức bộ máy và biên chế công chức",
    "triển khai tiêm chủng mở rộng cho trẻ em",
    "quản lý, sử dụng tài sản công tại cơ quan, đơn vị",
    "xây dựng nông thôn mới nâng cao",
    "phòng cháy, chữa cháy tại khu dân cư",
    "bảo vệ môi trường và xử lý rác thải sinh hoạt",
    "đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức",
    "hỗ trợ hộ nghèo, hộ cận nghèo năm",
    "nâng cấp hệ thống thủy lợi nội đồng",
    "góp ý dự thảo nghị quyết của Hội đồng nhân dân",
    "thanh tra việc chấp hành pháp luật về đất đai",
    "phát triển du lịch biển đảo",
    "quyết toán vốn đầu tư xây dựng cơ bản",
)
RARE = "ứng phó sạt lở bờ biển"  # about one entry in 20 000
ISSUERS = (
    "Ủy ban nhân dân thành phố Rạch Giá",
    "Văn phòng HĐND và UBND thành phố",
    "Sở Tài chính tỉnh Kiên Giang",
    "Sở Nội vụ tỉnh Kiên Giang",
    "Sở Tài nguyên và Môi trường",
    "Phòng Giáo dục và Đào tạo",
    "Ủy ban nhân dân phường Vĩnh Thanh Vân",
    "Ủy ban nhân dân xã Phi Thông",
)
PLACES = ("phường Vĩnh Lạc", "phường An Hòa", "xã Phi Thông", "phường Rạch Sỏi", "đảo Hòn Tre")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Bùi", "Đặng", "Võ")
MIDDLE = ("Văn", "Thị", "Trung", "Minh", "Quốc", "Ngọc")
GIVEN = ("Thực", "Hùng", "Lan", "Dũng", "Hương", "Đức", "Tâm", "Phúc", "Nga", "Khánh")
STATUSES = ("registered", "assigned", "in_progress", "done")
START = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
ROW_COLUMNS = (
    "inbound_id, year, incoming_number, received_at, sender_agency_name, document_number,"
    " issued_on, document_type, summary, issuer_name, signer_name, urgency, reference_only,"
    " paper_required, needs_review, status, sha256, filename, document_sha256, search_text"
)


@dataclass(frozen=True)
class Row:
    inbound_id: int
    year: int
    incoming_number: int
    received_at: datetime
    sender_agency_name: str
    document_number: str
    issued_on: date
    document_type: str
    summary: str
    issuer_name: str
    signer_name: str
    urgency: str
    reference_only: bool
    paper_required: bool
    needs_review: bool
    status: str
    sha256: str
    filename: str
    document_sha256: str
    search_text: str


def generate(count: int, seed: int = 2026) -> Iterator[Row]:
    """``count`` entries over three years, oldest first (ids follow the register order)."""
    rng = random.Random(seed)
    folded = {s: searchable_text(s) for s in (*TOPICS, RARE, *ISSUERS, *PLACES)}
    signers = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    folded_signers = {s: searchable_text(s) for s in signers}
    step = timedelta(days=3 * 365) / max(count, 1)
    year, number = START.year, 0
    for index in range(count):
        received = START + step * index
        year, number = received.year, (number + 1 if received.year == year else 1)
        kind, symbol = TYPES[rng.randrange(len(TYPES))]
        topic = RARE if rng.randrange(20_000) == 0 else TOPICS[rng.randrange(len(TOPICS))]
        place, issuer = rng.choice(PLACES), rng.choice(ISSUERS)
        signer = rng.choice(signers)
        doc_number = f"{rng.randrange(1, 3000)}/{symbol}"
        summary = f"{kind} về việc {topic} trên địa bàn {place}"
        search_text = " ".join(
            (
                searchable_text(doc_number, kind),
                "ve viec",
                folded[topic],
                "tren dia ban",
                folded[place],
                folded[issuer],
                folded_signers[signer],
                f"{year}/{number}",
            )
        )
        yield Row(
            1, year, number, received, issuer, doc_number, received.date(), kind, summary,
            issuer, signer, "thuong", False, False, False,
            STATUSES[min(3, int(4 * index / count + rng.random()))], "a" * 64,
            doc_number.replace("/", "-") + ".pdf", "b" * 64, search_text,
        )  # fmt: skip


def load(engine: Engine, count: int) -> None:
    """Insert one inbound message and ``count`` entries (schema 0004, no search index yet)."""
    rows = (astuple(row) for row in generate(count))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "INSERT INTO inbound_message (spool_id, sha256, fingerprint, received_at, protocol,"
            " envelope_from, subject, outcome, reasons, trace, answered, note) VALUES"
            " ('bench', 'a', 'f', '2024-01-01 00:00:00', 'smtp', 'a@b.vn', 's', 'accepted',"
            " '[]', '[]', true, '')"
        )
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" * len(ROW_COLUMNS.split(",")))
            sql = f"INSERT INTO register_entry ({ROW_COLUMNS}) VALUES ({marks})"
            cursor.execute("BEGIN")  # the engine's connections run in autocommit mode
            while batch := [_sqlite_values(row) for row in islice(rows, 50_000)]:
                cursor.executemany(sql, batch)
            cursor.execute("COMMIT")
        else:
            with cursor.copy(f"COPY register_entry ({ROW_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
    finally:
        raw.close()
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE register_entry")


def _sqlite_values(row: tuple[object, ...]) -> tuple[object, ...]:
    """Dates as SQLAlchemy stores them on SQLite (naive UTC text)."""
    received, issued = row[3], row[6]
    assert isinstance(received, datetime) and isinstance(issued, date)
    stamp = received.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return (*row[:3], stamp, *row[4:6], issued.isoformat(), *row[7:])
