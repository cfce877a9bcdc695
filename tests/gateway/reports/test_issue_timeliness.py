"""Were our documents issued in time (R-ISSUE, QD278-3.3): the day on the document, at the
latest the next working morning; an urgent one the same working day. The monthly report
judges every document issued in the month on the ``[office_hours]`` calendar (07:00–11:30,
13:30–17:00, Monday to Friday) — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from gateway.config.settings import load
from gateway.reports.month_inputs import compute
from gateway.reports.monthly import to_csv, to_json, to_pdf, to_xlsx
from gateway.reports.monthly_sections import ISSUE_LABELS, ISSUE_TITLE
from mailparse.documents.pdftext import read_pdf
from registry.database import write_session
from registry.outgoing.writer import OutgoingDraft, add_document

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY = date(2026, 12, 4)


def _issue(engine: Engine, number: int, on: date | None, at: datetime, urgency: str) -> None:
    with write_session(engine) as session:
        add_document(
            session,
            OutgoingDraft(
                year=2026,
                document_number=f"{number}/UBND-VP",
                number=str(number),
                symbol="UBND-VP",
                issued_on=on,
                document_type="Công văn",
                summary="tăng cường gửi, nhận văn bản điện tử",
                urgency=urgency,
                pages=1,
                signer_name="Bùi Trung Thực",
                issuer_name=None,
                filename=f"{number}.pdf",
                document_sha256=f"{number:064d}",
                issued_at=at.astimezone(UTC),
                issued_by="vanthu",
            ),
            recipients_text=("QLDT",),
        )


def test_r_issue_the_month_counts_documents_issued_in_time_and_lists_the_late_ones(
    engine: Engine, tmp_path: Path
) -> None:
    """GIVEN five documents issued in December 2026: dated Friday 04/12 and issued that
    afternoon (in time), issued Monday 07/12 at 10:00 (the next working morning: in time)
    and Monday at 14:00 (late: the morning ended at 11:30); an urgent one dated Friday and
    issued Monday at 09:00 (late: urgent ones go the same day); one whose date was not read
    WHEN the month's report is computed
    THEN 5 issued, 2 in time, 2 late with their numbers, local issue times and limits, 1
    not judged; the XLSX, CSV, JSON and PDF say the same."""
    _issue(engine, 1, FRIDAY, datetime(2026, 12, 4, 16, 0, tzinfo=VN), "thuong")
    _issue(engine, 2, FRIDAY, datetime(2026, 12, 7, 10, 0, tzinfo=VN), "thuong")
    _issue(engine, 3, FRIDAY, datetime(2026, 12, 7, 14, 0, tzinfo=VN), "thuong")
    _issue(engine, 4, FRIDAY, datetime(2026, 12, 7, 9, 0, tzinfo=VN), "khan")
    _issue(engine, 5, None, datetime(2026, 12, 7, 9, 30, tzinfo=VN), "thuong")
    (tmp_path / "gateway.toml").write_text("", encoding="utf-8")
    deployment = load(tmp_path / "gateway.toml", environ={})
    now = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
    report = compute(engine, deployment, 2026, 12, now=now)

    issuing = report.issuing
    assert issuing is not None
    assert (issuing.issued, issuing.in_time, issuing.undated) == (5, 2, 1)
    late = {item.document_number: item for item in issuing.late}
    assert sorted(late) == ["3/UBND-VP", "4/UBND-VP"]
    assert late["3/UBND-VP"].limit == datetime(2026, 12, 7, 11, 30, tzinfo=VN)
    assert late["4/UBND-VP"].limit == datetime(2026, 12, 4, 17, 0, tzinfo=VN)
    assert late["3/UBND-VP"].issued_at.utcoffset() == VN.utcoffset(datetime(2026, 12, 7))

    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["Phát hành văn bản đi"]
    rows = [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]
    assert (ISSUE_LABELS["in_time"], 2) in rows and (ISSUE_LABELS["late"], 2) in rows
    assert ("3/UBND-VP", "04/12/2026", "14:00 07/12/2026", "11:30 07/12/2026") in rows

    lines = list(csv.reader(io.StringIO(to_csv(report))))
    urgent = ["4/UBND-VP", "04/12/2026", "09:00 07/12/2026", "17:00 04/12/2026"]
    assert [ISSUE_TITLE, *urgent] in lines
    assert [ISSUE_TITLE, ISSUE_LABELS["late"], "2"] in lines
    document = json.loads(to_json(report))["issuing"]
    assert (document["issued"], document["in_time"], len(document["late"])) == (5, 2, 2)
    text = " ".join(read_pdf(to_pdf(report), max_pages=5).text.split())
    assert "Phát hành muộn 2" in text and "14:00 07/12/2026" in text


def test_r_issue_an_ordinary_document_dated_before_a_weekend_may_wait_for_monday_morning(
    engine: Engine, tmp_path: Path
) -> None:
    """GIVEN a document dated Saturday 05/12 (a day off) issued Monday 07/12 at 11:00
    WHEN judged THEN it is in time (the next working morning after its date)."""
    _issue(engine, 9, date(2026, 12, 5), datetime(2026, 12, 7, 11, 0, tzinfo=VN), "thuong")
    (tmp_path / "gateway.toml").write_text("", encoding="utf-8")
    deployment = load(tmp_path / "gateway.toml", environ={})
    report = compute(engine, deployment, 2026, 12, now=datetime(2026, 12, 31, tzinfo=UTC))
    assert report.issuing is not None
    assert (report.issuing.in_time, report.issuing.late) == (1, ())
