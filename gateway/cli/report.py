"""``gateway report monthly --month YYYY-MM --format xlsx|csv|json|pdf [--output FILE]``
and ``gateway register track --year Y [--from --to] [--output FILE.pdf]``.

Without ``--output`` the file is named ``bao-cao-van-ban-den-YYYY-MM.<format>`` in the
current folder; ``--output -`` writes JSON or CSV to standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.config.settings import load
from gateway.errors import ConfigError
from gateway.reports.arguments import iso_date
from gateway.wiring import load_directory, open_database

FORMATS = ("xlsx", "csv", "json", "pdf")  # gateway.report_monthly.ReportFormat


def add_parsers(
    commands: Any, register: Any, command: Callable[..., argparse.ArgumentParser]
) -> None:
    """``gateway report monthly`` and ``gateway register track`` wired into the parser;
    the modules doing the work (openpyxl, fpdf) are imported only when they run."""
    track = command(register, "track", _cmd_track, "the printed tracking book (PDF, NĐ 30)")
    track.add_argument("--year", type=int, required=True)
    track.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=iso_date)
    track.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=iso_date)
    track.add_argument("--output", type=Path, metavar="FILE.pdf")
    report = commands.add_parser("report", help="reports on the register").add_subparsers(
        dest="report_command", required=True
    )
    monthly = command(report, "monthly", cmd_monthly, "the monthly report (R-MONTHLY)")
    monthly.add_argument("--month", required=True, metavar="YYYY-MM")
    monthly.add_argument("--format", dest="form", choices=FORMATS, default="xlsx")
    monthly.add_argument("--output", metavar="FILE", help="file to write; '-' for stdout")


def _cmd_track(args: argparse.Namespace) -> int:
    from gateway.reports.tracking_print import cmd_track

    return cmd_track(args)


def cmd_monthly(args: argparse.Namespace) -> int:
    from gateway.reports.month_inputs import compute
    from gateway.reports.monthly import ReportFormat, file_name, parse_month, render_report

    try:
        year, month = parse_month(args.month)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    form = ReportFormat(args.form)
    deployment = load(args.config)
    directory = load_directory(deployment)
    report = compute(open_database(deployment), deployment, year, month, directory=directory)
    data = render_report(report, form)
    if args.output == "-":
        if form in (ReportFormat.XLSX, ReportFormat.PDF):
            raise ConfigError("định dạng xlsx và pdf cần --output FILE")
        sys.stdout.write(data.decode("utf-8"))
        return 0
    output = Path(args.output or file_name(report, form))
    output.write_bytes(data)
    total = report.total
    print(
        f"đã lập báo cáo tháng {month:02d}/{year}: {total.received} văn bản tiếp nhận,"
        f" {total.carried_over} kỳ trước chuyển sang → {output}"
    )
    return 0
