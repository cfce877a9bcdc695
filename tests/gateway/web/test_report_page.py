"""The dashboard and the monthly report pages against a real ``gateway serve`` (R-MONTHLY,
DESIGN §4.6): the chart is server-rendered (names as text, bars as SVG), the downloads carry
the page's numbers, and those numbers are the register's; every unit of the directory has
its row."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from openpyxl import load_workbook

from gateway.reports.month_inputs import directory_units
from gateway.web.report_page import chart
from gateway.wiring import sample_directory_text
from registry.agencies.directory import parse_directory
from registry.reports.reporting import FIGURE_NAMES, Figures, ReportRow
from tests.gateway.web.conftest import Console

pytestmark = pytest.mark.slow


def _month(console: Console) -> str:
    entries = console.gateway.cli_json("register", "list")
    return str(entries[0]["received_at"])[:7]


@contextmanager
def _signed_in(console: Console, username: str) -> Iterator[httpx.Client]:
    with console.client() as client:
        assert console.login(client, username).status_code == 303
        yield client


def _figure(html: str, table: str, code: str, name: str) -> int:
    """One cell of the report page's table ``table`` (row ``data-code``)."""
    section = html[html.index(f'id="{table}"') :]
    row = re.search(rf'<tr[^>]*data-code="{re.escape(code)}".*?</tr>', section, re.S)
    assert row is not None, section[:2000]
    cell = re.search(rf'data-figure="{name}">(\d+)<', row.group(0))
    assert cell is not None
    return int(cell.group(1))


def test_r_monthly_page_chart_table_and_xlsx_match_the_register(console: Console) -> None:
    """GIVEN the console's register (documents received this month, routed to PTP and PKT)
    WHEN a leader opens /reports/monthly for this month and downloads XLSX and JSON
    THEN the page has a chart with a bar per unit and the data table; the received
    count equals the register's entries of the month; the XLSX opened with openpyxl and
    the page's table hold the same numbers as the JSON download; each of the directory's
    30 units has its row in both tables and in the chart, zeros included (CV54 §3); the
    signed share is written with a decimal comma."""
    month = _month(console)
    register = console.gateway.cli_json("register", "list")
    in_month = [e for e in register if str(e["received_at"]).startswith(month)]
    with _signed_in(console, "lanhdao") as client:
        page = client.get("/reports/monthly", params={"month": month})
        data = client.get(f"/reports/monthly.json?month={month}").json()
        xlsx = client.get(f"/reports/monthly.xlsx?month={month}")
    assert page.status_code == 200
    assert '<ol class="bars">' in page.text and "<rect" in page.text
    sample = parse_directory(sample_directory_text(), "sample")
    directory = [code for code, _ in directory_units(sample)]
    assert len(directory) == 30
    assert [r["code"] for r in data["by_agency"]][:30] == directory
    assert [r["code"] for r in data["by_unit"]][:30] == directory
    for code in directory:
        assert f'<li data-code="{code}">' in page.text
        assert _figure(page.text, "bang-co-quan", code, "received") >= 0
    assert re.search(r'data-figure="share">\d+,\d%<', page.text)
    assert "Báo cáo tình hình giải quyết văn bản đến" in page.text
    assert data["total"]["received"] == len(in_month)
    units = {row["code"]: row for row in data["by_unit"]}
    assert units and sum(row["received"] for row in units.values()) == len(in_month)
    for code, row in units.items():
        assert _figure(page.text, "bang-don-vi", code, "received") == row["received"]
    assert _figure(page.text, "bang-don-vi", "*", "received") == len(in_month)
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    sheet = list(book["Theo đơn vị"].iter_rows(values_only=True))
    by_code = {(r[0] or ""): list(r[2 : 2 + len(FIGURE_NAMES)]) for r in sheet[2:-1]}
    assert by_code == {code: [row[name] for name in FIGURE_NAMES] for code, row in units.items()}


def test_dashboard_shows_an_officer_only_their_unit(console: Console) -> None:
    """GIVEN an officer of unit PTP and a clerk WHEN each opens /dashboard
    THEN the officer's figures count only the month's documents assigned to PTP (as the
    register shows them to the officer), the clerk's the whole office's month; the
    officer is refused the monthly report (403)."""
    month = _month(console)
    register = console.gateway.cli_json("register", "list")
    ptp_received = sum(
        1
        for e in register
        if str(e["received_at"]).startswith(month)
        and any(a["unit"] == "PTP" for a in e["assignments"])
    )
    with _signed_in(console, "vanthu") as clerk:
        data = clerk.get(f"/reports/monthly.json?month={month}").json()
        whole = clerk.get("/dashboard")
    with _signed_in(console, "chuyenvien") as officer:
        own = officer.get("/dashboard")
        refused = officer.get("/reports/monthly")
    assert own.status_code == 200
    assert 'id="pham-vi">Đơn vị PTP<' in own.text
    assert ptp_received >= 1
    assert f'id="so-tiep-nhan">{ptp_received}<' in own.text
    assert "Toàn cơ quan" in whole.text
    assert f'id="so-tiep-nhan">{data["total"]["received"]}<' in whole.text
    assert refused.status_code == 403


def test_report_pages_need_a_session(console: Console) -> None:
    """GIVEN no session WHEN the dashboard or a report download is asked THEN 303 /login."""
    with console.client() as client:
        for path in ("/dashboard", "/reports/monthly", "/reports/monthly.xlsx"):
            response = client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/login"


def _sheet(response: httpx.Response) -> list[tuple[object, ...]]:
    assert response.status_code == 200, response.text[:500]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book["Sổ văn bản đến"].iter_rows(values_only=True))


def test_register_export_keeps_the_search_the_columns_and_the_scope(console: Console) -> None:
    """GIVEN the register WHEN a clerk exports the search "chan chinh" with two columns, and
    the PTP officer exports everything
    THEN the clerk's workbook has exactly those two headed columns and the one matching
    document; the officer's holds only the documents assigned to PTP."""
    register = console.gateway.cli_json("register", "list")
    matching = [e for e in register if "chấn chỉnh" in (e["summary"] or "").lower()]
    ptp = [e for e in register if any(a["unit"] == "PTP" for a in e["assignments"])]
    with _signed_in(console, "vanthu") as clerk:
        page = clerk.get("/register", params={"q": "chan chinh"})
        searched = _sheet(
            clerk.get("/register/export.xlsx?q=chan+chinh&col=summary&col=number&col=bogus")
        )
    with _signed_in(console, "chuyenvien") as officer:
        scoped = _sheet(officer.get("/register/export.xlsx"))
    assert 'action="/register/export.xlsx"' in page.text
    assert searched[0] == ("Số đến", "Trích yếu")
    assert sorted(searched[1:]) == sorted(
        (f"{e['incoming_number']}/{e['year']}", e["summary"]) for e in matching
    )
    assert len(matching) >= 1
    assert scoped[0][0] == "Số đến" and len(scoped[0]) == 10
    assert sorted(str(r[0]) for r in scoped[1:]) == sorted(
        f"{e['incoming_number']}/{e['year']}" for e in ptp
    )


def test_chart_keeps_every_unit_name_whole() -> None:
    """GIVEN a unit whose name is long WHEN the chart is drawn THEN its label is the whole
    name (it used to be cut with an ellipsis), and the bars are percentages of the largest
    total."""
    long_name = "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố"
    figures = Figures(received=4, done_on_time=1, in_progress_within=3)
    drawn = chart(
        (
            ReportRow("VP", long_name, figures),
            ReportRow("TP", "Phòng Tư pháp", Figures(received=2, done_on_time=2)),
        )
    )
    whole, short = drawn.rows
    assert whole.label == long_name and short.label == "Phòng Tư pháp"
    assert [(b.x, b.width) for b in whole.bars] == [(0.0, 25.0), (25.0, 75.0)]
    assert [(b.x, b.width) for b in short.bars] == [(0.0, 50.0)]
