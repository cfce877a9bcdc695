"""``gateway report monthly`` as an office runs it, on SQLite and PostgreSQL (R-MONTHLY):
the XLSX opens with openpyxl and its numbers are the register's, and so are the CSV's,
the JSON's and the PDF's."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gateway.config.settings import load
from gateway.reports.month_inputs import CalendarLimits, directory_units
from gateway.reports.monthly import FIGURE_LABELS, TOTAL_LABEL
from gateway.routing.in_force import calendar_for
from gateway.wiring import load_directory
from registry.database import read_session
from registry.models import RegisterEntry
from registry.reports.reporting import (
    FIGURE_NAMES,
    Figures,
    MonthlyReport,
    month_bounds,
    monthly_report,
)
from tests.registry.test_reporting import ZONE, _document, build_register, recompute
from tests.support.gateway_process import run_cli


def _deploy(tmp_path: Path, database_url: str) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "deploy"
    result = run_cli("init", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return root, {"GATEWAY_GATEWAY__DATABASE_URL": database_url}


def _report(root: Path, env: dict[str, str], *args: str) -> str:
    result = run_cli(
        "report", "monthly", *args, "-c", str(root / "gateway.toml"), cwd=root, env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _figures(values: list[object]) -> Figures:
    return Figures(*(int(v) for v in values))  # type: ignore[call-overload]


def test_r_monthly_xlsx_numbers_equal_the_register(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """GIVEN a two-month register (urgent and paper entries among them) in the deployment's
    database
    WHEN ``gateway report monthly --month 2026-11 --format xlsx`` runs
    THEN the workbook opens with openpyxl; its unit and agency sheets hold one row per unit
    or agency with exactly the figures recomputed from the register's entries on the
    deployment's working-hours calendar, a zero row for every other unit of the directory
    (CV54 §3: all 30), and a total row equal to the report's total."""
    build_register(engine)
    root, env = _deploy(tmp_path, database_url)
    output = tmp_path / "thang-11.xlsx"
    said = _report(root, env, "--month", "2026-11", "--format", "xlsx", "--output", str(output))
    assert "đã lập báo cáo tháng 11/2026" in said
    deployment = load(root / "gateway.toml")
    limits = CalendarLimits(calendar_for(deployment))
    directory = [code for code, _ in directory_units(load_directory(deployment))]
    assert len(directory) == 30
    with read_session(engine) as session:
        expected = recompute(session, 2026, 11, limits=limits)
        report = monthly_report(session, 2026, 11, ZONE, limits=limits)
    book = load_workbook(output, read_only=True)
    assert book.sheetnames == [
        "Theo đơn vị",
        "Theo cơ quan gửi",
        "Gửi nhận theo đơn vị",
        "Phát hành văn bản đi",
        "Lý do từ chối",
    ]
    exchange = list(book["Gửi nhận theo đơn vị"].iter_rows(values_only=True))
    assert [row[0] for row in exchange[2:-1]] == directory  # every unit, nothing issued yet
    for sheet, groups in (
        ("Theo đơn vị", expected.by_unit),
        ("Theo cơ quan gửi", expected.by_agency),
    ):
        rows = list(book[sheet].iter_rows(values_only=True))
        assert list(rows[1][2 : 2 + len(FIGURE_NAMES)]) == [FIGURE_LABELS[n] for n in FIGURE_NAMES]
        body, total = rows[2:-1], rows[-1]
        found = {(row[0] or ""): _figures(list(row[2 : 2 + len(FIGURE_NAMES)])) for row in body}
        wanted = {code: Figures() for code in directory} | {
            code: Figures(**{n: counts[n] for n in FIGURE_NAMES})
            for code, counts in groups.items()
            if counts
        }
        assert found == wanted
        assert [row[0] for row in body][:30] == directory
        assert total[1] == TOTAL_LABEL
        if sheet == "Theo cơ quan gửi":
            assert _figures(list(total[2 : 2 + len(FIGURE_NAMES)])) == report.total
    reasons = {r[0]: r[2] for r in list(book["Lý do từ chối"].iter_rows(values_only=True))[1:]}
    assert reasons == dict(expected.reasons)


def _json_report(root: Path, env: dict[str, str]) -> dict[str, object]:
    text = _report(root, env, "--month", "2026-10", "--format", "json", "--output", "-")
    document: dict[str, object] = json.loads(text)
    return document


def test_r_monthly_json_csv_and_pdf_agree(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """GIVEN the same register WHEN October is asked as JSON, CSV and PDF
    THEN the JSON total is the report's, the CSV total row carries the same numbers, and
    the PDF's text has the Vietnamese title and the received count."""
    build_register(engine)
    root, env = _deploy(tmp_path, database_url)
    limits = CalendarLimits(calendar_for(load(root / "gateway.toml")))
    with read_session(engine) as session:
        report: MonthlyReport = monthly_report(session, 2026, 10, ZONE, limits=limits)
    document = _json_report(root, env)
    assert document["month"] == "2026-10"
    assert document["total"] == {n: getattr(report.total, n) for n in FIGURE_NAMES}
    text = _report(root, env, "--month", "2026-10", "--format", "csv", "--output", "-")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    total_row = next(r for r in rows if r[0] == TOTAL_LABEL)
    assert [int(v) for v in total_row[3 : 3 + len(FIGURE_NAMES)]] == [
        getattr(report.total, n) for n in FIGURE_NAMES
    ]
    pdf = tmp_path / "t10.pdf"
    _report(root, env, "--month", "2026-10", "--format", "pdf", "--output", str(pdf))
    extracted = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN" in extracted
    assert "Tiếp nhận trong tháng" in extracted
    assert f"{TOTAL_LABEL} {report.total.carried_over} {report.total.received}" in extracted


def test_r_monthly_refuses_a_malformed_month(tmp_path: Path) -> None:
    """GIVEN a deployment WHEN the month is written 11/2026 THEN a Vietnamese error, exit ≠ 0."""
    root, _ = _deploy(tmp_path, f"sqlite:///{tmp_path / 'g.db'}")
    result = run_cli(
        "report", "monthly", "--month", "11/2026", "-c", str(root / "gateway.toml"), cwd=root
    )
    assert result.returncode != 0
    assert "YYYY-MM" in result.stderr


def test_tracking_book_prints_seven_columns_with_each_lead_and_its_progress(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """GIVEN the two-month register WHEN ``gateway register track --year 2026 --from
    2026-11-01 --to 2026-11-30`` runs
    THEN a PDF whose cover is the sổ theo dõi giải quyết văn bản đến with November's first
    and last incoming numbers, whose table has the seven headings, the lead units marked
    "chủ trì" and the progress in words (done on a date, in progress, not assigned)."""
    build_register(engine)
    root, env = _deploy(tmp_path, database_url)
    with read_session(engine) as session:
        numbers = sorted(
            e.incoming_number
            for e in session.scalars(select(RegisterEntry))
            if e.received_at.astimezone(ZONE).strftime("%Y-%m") == "2026-11"
        )
    output = tmp_path / "theo-doi.pdf"
    result = run_cli(
        *("register", "track", "--year", "2026", "--from", "2026-11-01", "--to", "2026-11-30"),
        *("--output", str(output), "-c", str(root / "gateway.toml")),
        cwd=root,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert f"({len(numbers)} văn bản)" in result.stdout
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(output).pages]
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in pages[0]
    assert f"Từ số {numbers[0]} đến số {numbers[-1]}" in pages[0]
    table = " ".join(pages[1:])
    for heading in ("Số đến", "Ngày đến", "Trích yếu nội dung", "Đơn vị hoặc người nhận"):
        assert heading in table
    for heading in ("Thời hạn giải quyết", "Tiến độ giải quyết", "Ghi chú"):
        assert heading in table
    assert "(chủ trì)" in table
    assert "Đã giải quyết ngày" in table and "Đang giải quyết" in table
    assert "Chưa giao xử lý" in table


def test_r_monthly_xlsx_has_a_chart_unclipped_headings_and_percentages(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """GIVEN the two-month register WHEN November is written as XLSX
    THEN the unit sheet carries a stacked bar chart whose four series are the outcome
    columns and whose categories are the unit names; the headings wrap inside a row tall
    enough to show them (they used to be clipped); the signed share is a number formatted
    as a percentage, and the CSV writes it with a decimal comma."""
    build_register(engine)
    root, env = _deploy(tmp_path, database_url)
    output = tmp_path / "thang-11.xlsx"
    _report(root, env, "--month", "2026-11", "--format", "xlsx", "--output", str(output))
    book = load_workbook(output)
    sheet = book["Theo đơn vị"]
    (chart,) = sheet._charts
    assert chart.type == "bar" and chart.grouping == "stacked"
    titles = [sheet[s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in chart.series]
    assert titles == [
        FIGURE_LABELS[n]
        for n in ("done_on_time", "done_late", "in_progress_within", "in_progress_overdue")
    ]
    categories = chart.series[0].cat.strRef or chart.series[0].cat.numRef
    assert categories.f.replace("$", "") == f"'Theo đơn vị'!B3:B{sheet.max_row - 1}"
    assert all(cell.alignment.wrap_text for cell in sheet[2])
    assert sheet.row_dimensions[2].height >= 45
    assert sheet.column_dimensions["B"].width >= 36
    share = sheet.cell(row=sheet.max_row, column=3 + len(FIGURE_NAMES))  # the total row
    assert share.number_format == "0.0%" and isinstance(share.value, float)
    assert 0 < share.value < 1
    text = _report(root, env, "--month", "2026-11", "--format", "csv", "--output", "-")
    total_row = next(
        r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r[0] == TOTAL_LABEL
    )
    assert total_row[-1].endswith("%") and "," in total_row[-1] and "." not in total_row[-1]


def test_r_monthly_the_month_in_course_is_judged_now_from_the_command_line(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    """R-MONTHLY: GIVEN a document received earlier this month, due later this month (after
    now), not done WHEN ``gateway report monthly`` reports the current month
    THEN it is "in progress within the deadline", not overdue (the command used to judge
    the month in course at its end)."""
    now = datetime.now(UTC)
    start, end = month_bounds(now.astimezone(ZONE).year, now.astimezone(ZONE).month, ZONE)
    received = now - min(timedelta(hours=1), (now - start) / 2)
    _document(engine, "now1", received, due_at=now + (end - now) / 2)
    root, env = _deploy(tmp_path, database_url)
    month = now.astimezone(ZONE).strftime("%Y-%m")
    text = _report(root, env, "--month", month, "--format", "json", "--output", "-")
    total = json.loads(text)["total"]
    assert (total["in_progress_within"], total["in_progress_overdue"]) == (1, 0), total
