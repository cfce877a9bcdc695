"""The dashboard and the monthly report pages (R-MONTHLY, DESIGN §4.6).

``GET /dashboard``: this month's figures for the person's scope (an officer: their unit,
everyone else: the whole register). ``GET /reports/monthly?month=YYYY-MM``: the report
with a server-rendered chart (no JavaScript: each unit's full name as text, its bar a small
SVG; one line per unit on a wide screen, name above bar on a phone) and its data tables;
``GET /reports/monthly.{xlsx,csv,pdf,json}?month=…``: the same report as a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.reports.export import MAX_ROWS, export_xlsx, parse_columns
from gateway.reports.month_inputs import compute
from gateway.reports.monthly import (
    EXCHANGE_LABELS,
    EXCHANGE_TITLE,
    FIGURE_LABELS,
    MEDIA_TYPES,
    OUTCOMES,
    ReportFormat,
    file_name,
    hours_text,
    parse_month,
    percent_text,
    render_report,
    signed_share,
)
from gateway.reports.monthly_sections import sections
from gateway.web.admin.system import alert_lines
from gateway.web.auth import signed_in
from gateway.web.register.filters import filtered_entries, parse_filters
from gateway.web.register.progress import todo_of
from gateway.web.rendering import render
from gateway.wiring import Components, load_directory
from registry.console.accounts import Role
from registry.database import read_session
from registry.reports.exchange import EXCHANGE_NAMES
from registry.reports.reporting import (
    FIGURE_NAMES,
    Figures,
    MonthlyReport,
    ReportRow,
)

REPORT_ROLES = {Role.CLERK, Role.LEADER, Role.ADMIN}
# The chart's stacked segments: what became of each document counted in the month.
SEGMENTS = tuple(zip(OUTCOMES, ("#2e7d32", "#ef6c00", "#1565c0", "#c62828"), strict=True))


@dataclass(frozen=True)
class Bar:
    """One segment, in percent of the chart's width (the largest row's total is 100)."""

    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class ChartRow:
    code: str
    label: str  # the unit's full name: HTML text that wraps, never cut
    total: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """One HTML row per unit: its full name, then its bar (a small SVG stretched to the
    width left, so that the names stay readable text at a phone's width)."""

    rows: tuple[ChartRow, ...]
    legend: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Dashboard:
    scope: str
    figures: Figures

    @property
    def overdue_share(self) -> float:
        return self.figures.share(self.figures.in_progress_overdue, self.figures.total)


def chart(rows: tuple[ReportRow, ...]) -> Chart:
    """Stacked bars, one per row, scaled to the largest total."""
    largest = max((r.figures.total for r in rows), default=0) or 1
    drawn = []
    for row in rows:
        x = 0.0
        bars = []
        for name, colour in SEGMENTS:
            value = getattr(row.figures, name)
            if value:
                width = 100.0 * value / largest
                title = f"{FIGURE_LABELS[name]}: {value}"
                bars.append(Bar(round(x, 2), round(width, 2), colour, title))
                x += width
        drawn.append(ChartRow(row.code, row.name, row.figures.total, tuple(bars)))
    legend = tuple((FIGURE_LABELS[name], colour) for name, colour in SEGMENTS)
    return Chart(tuple(drawn), legend)


def _month_of(request: Request, deployment: Deployment) -> tuple[int, int]:
    text = request.query_params.get("month", "")
    if not text:
        today = datetime.now(deployment.zone).date()
        return today.year, today.month
    try:
        return parse_month(text)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


def _report(request: Request, year: int, month: int, unit: str | None = None) -> MonthlyReport:
    """Judged now (min(now, the month's end)), on the running router's calendar, with a row
    for every unit of the directory (R-MONTHLY, CV54 §3)."""
    deployment: Deployment = request.app.state.deployment
    components: Components | None = request.app.state.components
    directory = components.pipeline.directory if components else load_directory(deployment)
    router = components.router if components else None
    return compute(
        request.app.state.engine,
        deployment,
        year,
        month,
        directory=directory,
        calendar=router.calendar if router else None,
        unit=unit,
    )


def unit_scope(person: Person) -> str | None:
    """None: the whole register; an officer: their unit ("" when they have none)."""
    return (person.unit_code or "") if person.role is Role.OFFICER else None


def scope_of(report: MonthlyReport, person: Person) -> Dashboard:
    unit = unit_scope(person)
    if unit is None:
        return Dashboard("Toàn cơ quan", report.total)
    return Dashboard(f"Đơn vị {unit}" if unit else "Chưa gắn đơn vị", report.total)


@signed_in()
async def dashboard(request: Request, person: Person) -> Response:
    deployment: Deployment = request.app.state.deployment
    today = datetime.now(deployment.zone).date()
    report = await run_in_threadpool(_report, request, today.year, today.month, unit_scope(person))
    board = scope_of(report, person)
    alerts = (  # R-SECRET, R-VIRUS: shown to administrators until acknowledged
        await run_in_threadpool(alert_lines, request.app.state.engine)
        if person.role == Role.ADMIN
        else []
    )
    todo = await run_in_threadpool(todo_of, request, person)  # R-FOLLOW
    return render(
        request,
        "dashboard.html",
        board=board,
        report=report,
        percent=percent_text,
        alerts=alerts,
        todo=todo,
    )


@signed_in(roles=REPORT_ROLES)
async def monthly(request: Request, person: Person) -> Response:
    year, month = _month_of(request, request.app.state.deployment)
    report = await run_in_threadpool(_report, request, year, month)
    return render(
        request,
        "report.html",
        report=report,
        chart=chart(report.by_unit),
        names=FIGURE_NAMES,
        labels=FIGURE_LABELS,
        share=lambda figures: percent_text(signed_share(figures)),
        exchange_title=EXCHANGE_TITLE,
        exchange_names=EXCHANGE_NAMES,
        exchange_labels=EXCHANGE_LABELS,
        sections=sections(report),
        hours=hours_text,
        formats=[f.value for f in ReportFormat if f is not ReportFormat.JSON],
    )


@signed_in(roles=REPORT_ROLES)
async def monthly_file(request: Request, person: Person) -> Response:
    try:
        form = ReportFormat(request.path_params["form"])
    except ValueError as exc:
        raise HTTPException(404) from exc
    year, month = _month_of(request, request.app.state.deployment)

    def build() -> tuple[bytes, str]:
        report = _report(request, year, month)
        return render_report(report, form), file_name(report, form)

    data, name = await run_in_threadpool(build)
    headers: dict[str, Any] = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=MEDIA_TYPES[form], headers=headers)


@signed_in()
async def register_xlsx(request: Request, person: Person) -> Response:
    """The register list with the page's filters (and the person's scope) as XLSX."""
    filters = parse_filters(request.query_params)
    columns = parse_columns(request.query_params.getlist("col"))
    deployment: Deployment = request.app.state.deployment

    def build() -> bytes:
        with read_session(request.app.state.engine) as session:
            entries = filtered_entries(session, person, filters, limit=MAX_ROWS)
            return export_xlsx(session, entries, columns, deployment.zone)

    data = await run_in_threadpool(build)
    headers = {"Content-Disposition": 'attachment; filename="so-van-ban-den.xlsx"'}
    return Response(data, media_type=MEDIA_TYPES[ReportFormat.XLSX], headers=headers)


def routes() -> list[BaseRoute]:
    return [
        Route("/register/export.xlsx", register_xlsx),
        Route("/dashboard", dashboard),
        Route("/reports/monthly", monthly),
        Route("/reports/monthly.{form}", monthly_file),
    ]
