"""The dashboard and the monthly report pages (R-MONTHLY, DESIGN §4.6).

``GET /dashboard``: this month's figures for the person's scope (an officer: their unit,
everyone else: the whole register). ``GET /reports/monthly?month=YYYY-MM``: the report
with a server-rendered SVG chart (no JavaScript) and its data table beside it;
``GET /reports/monthly.{xlsx,csv,pdf,json}?month=…``: the same report as a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.clerk.accounts import Person
from gateway.config.settings import Deployment
from gateway.reports.export import MAX_ROWS, export_xlsx, parse_columns
from gateway.reports.monthly import (
    FIGURE_LABELS,
    MEDIA_TYPES,
    ReportFormat,
    file_name,
    parse_month,
    render_report,
    signed_share,
)
from gateway.web.auth import signed_in
from gateway.web.register_filters import filtered_query, parse_filters
from gateway.web.rendering import render
from registry.accounts import Role
from registry.database import read_session
from registry.reports.reporting import (
    FIGURE_NAMES,
    Figures,
    MonthlyReport,
    ReportRow,
    monthly_report,
)

REPORT_ROLES = {Role.CLERK, Role.LEADER, Role.ADMIN}
# The chart's stacked segments: what became of each document counted in the month.
SEGMENTS = (
    ("done_on_time", "#2e7d32"),
    ("done_late", "#ef6c00"),
    ("in_progress_within", "#1565c0"),
    ("in_progress_overdue", "#c62828"),
)
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 720, 250, 22, 10
LABEL_CHARS = 28  # what fits LABEL_WIDTH at the chart's font size; the full name is the title


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class ChartRow:
    y: int
    label: str
    total: int
    bars: tuple[Bar, ...]

    @property
    def short_label(self) -> str:
        """The label cut to fit left of the bars (long unit names would spill off)."""
        if len(self.label) <= LABEL_CHARS:
            return self.label
        return self.label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
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
    """Horizontal stacked bars, one per row, scaled to the largest total."""
    largest = max((r.figures.total for r in rows), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 40) / largest
    drawn = []
    for index, row in enumerate(rows):
        x: float = LABEL_WIDTH
        bars = []
        for name, colour in SEGMENTS:
            value = getattr(row.figures, name)
            if value:
                title = f"{FIGURE_LABELS[name]}: {value}"
                bars.append(Bar(round(x, 1), round(value * scale, 1), colour, title))
                x += value * scale
        drawn.append(ChartRow(index * (BAR_HEIGHT + GAP), row.name, row.figures.total, tuple(bars)))
    legend = tuple((FIGURE_LABELS[name], colour) for name, colour in SEGMENTS)
    height = max(1, len(rows)) * (BAR_HEIGHT + GAP) + 30
    return Chart(CHART_WIDTH, height, LABEL_WIDTH, BAR_HEIGHT, tuple(drawn), legend)


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
    deployment: Deployment = request.app.state.deployment
    with read_session(request.app.state.engine) as session:
        return monthly_report(
            session, year, month, deployment.zone, as_of=datetime.now(UTC), unit=unit
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
    return render(request, "dashboard.html", board=scope_of(report, person), report=report)


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
        share=signed_share,
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
            query = filtered_query(session, person, filters).limit(MAX_ROWS)
            entries = list(session.scalars(query))
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
