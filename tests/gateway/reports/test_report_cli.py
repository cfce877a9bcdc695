"""``gateway report monthly`` as an office runs it, on SQLite and PostgreSQL (R-MONTHLY):
the XLSX opens with openpyxl and its numbers are the register's, and so are the CSV's,
the JSON's and the PDF's."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.engine import Engine

from gateway.reports.monthly import FIGURE_LABELS, TOTAL_LABEL
from registry.database import read_session
from registry.models import RegisterEntry
from registry.reports.reporting import FIGURE_NAMES, Figures, MonthlyReport, monthly_report
from tests.registry.test_reporting import ZONE, build_register, recompute
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
    """GIVEN a two-month register in the deployment's database
    WHEN ``gateway report monthly --month 2026-11 --format xlsx`` runs
    THEN the workbook opens with openpyxl; its unit and agency sheets hold one row per unit
    or agency with exactly the figures recomputed from the register's entries, and a total
    row equal to the report's total."""
    build_register(engine)
    root, env = _deploy(tmp_path, database_url)
    output = tmp_path / "thang-11.xlsx"
    said = _report(root, env, "--month", "2026-11", "--format", "xlsx", "--output", str(output))
    assert "đã lập báo cáo tháng 11/2026" in said
    with read_session(engine) as session:
        expected = recompute(session, 2026, 11)
        report = monthly_report(session, 2026, 11, ZONE)
    book = load_workbook(output, read_only=True)
    assert book.sheetnames == ["Theo đơn vị", "Theo cơ quan gửi", "Lý do từ chối"]
    for sheet, groups in (
        ("Theo đơn vị", expected.by_unit),
        ("Theo cơ quan gửi", expected.by_agency),
    ):
        rows = list(book[sheet].iter_rows(values_only=True))
        assert list(rows[1][2 : 2 + len(FIGURE_NAMES)]) == [FIGURE_LABELS[n] for n in FIGURE_NAMES]
        body, total = rows[2:-1], rows[-1]
        found = {(row[0] or ""): _figures(list(row[2 : 2 + len(FIGURE_NAMES)])) for row in body}
        wanted = {
            code: Figures(**{n: counts[n] for n in FIGURE_NAMES})
            for code, counts in groups.items()
            if counts
        }
        assert found == wanted
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
    with read_session(engine) as session:
        report: MonthlyReport = monthly_report(session, 2026, 10, ZONE)
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
