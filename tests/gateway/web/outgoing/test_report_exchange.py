"""The monthly report's per-unit exchange (R-MONTHLY, CV54 §3, R-DELIVERY): for every unit
of the directory, what the city issued to it and what became of it — received (and how
fast, in working hours), refused, still unanswered — and what the unit sent us."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook

from gateway.reports.month_inputs import compute, directory_units
from gateway.routing.in_force import calendar_for
from registry.database import read_session
from registry.outgoing.queries import get_outgoing
from tests.gateway.web.inprocess import AGENCY, InProcessConsole
from tests.gateway.web.outgoing.conftest import city_document
from tests.gateway.web.outgoing.test_pages import answer, issue, preview
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency


def _cell(html: str, code: str, figure: str) -> str:
    section = html[html.index('id="bang-gui-nhan"') :]
    row = re.search(rf'<tr data-code="{re.escape(code)}">.*?</tr>', section, re.S)
    assert row is not None, section[:2000]
    cell = re.search(rf'data-figure="{figure}">([^<]*)<', row.group(0))
    assert cell is not None
    return cell.group(1)


def test_r_monthly_every_unit_has_its_exchange_row_with_what_we_issued_and_it_sent(
    city: InProcessConsole, pki: TestPki
) -> None:
    """R-MONTHLY, CV54 §3: GIVEN the city issued two documents this month — one to the
    phường/xã group and QLDT, one to QLDT only — QLDT confirmed the first (03), Rạch Sỏi
    refused it (02), and VP sent us one signed document
    WHEN this month's report is computed and shown
    THEN every one of the 30 units has a row, zeros included, in the directory's order;
    QLDT: issued 2, received 1 with the median working hours from the issue to its
    confirmation, unanswered 1; Rạch Sỏi: issued 1, refused 1; Vĩnh Lợi: issued 1,
    unanswered 1; VP: nothing issued, 1 sent to us; issued = received + refused + bounced
    + unanswered on every row; the console's table, the JSON and the XLSX say the same."""
    with city.signed_in("vanthu") as clerk:
        first = issue(clerk, preview(clerk, city_document(pki, 50), ["phuong-xa", "QLDT"]).text)
        second = issue(clerk, preview(clerk, city_document(pki, 51), ["QLDT"]).text)
    assert first.status_code == second.status_code == 303
    document_id = int(first.headers["location"].split("/")[2].split("?")[0])
    with read_session(city.components.engine) as session:
        view = get_outgoing(session, document_id)
    qldt = next(r for r in view.recipients if r.code == "QLDT")
    rachsoi = next(r for r in view.recipients if r.code == "P-RACHSOI")
    city.receive(answer(qldt.address, qldt.message_id, "03", X_Incoming_Number="2026/9"))
    city.receive(answer(rachsoi.address, rachsoi.message_id, "02", X_Reject_Reasons="unsigned"))
    signed = sign_as_person_then_agency(official_document_pdf(number="77"), pki)
    city.receive(official_mail(sender=AGENCY, attachments=[("77.pdf", signed, "application/pdf")]))
    with read_session(city.components.engine) as session:
        confirmed = get_outgoing(session, document_id)
    confirmed_qldt = next(r for r in confirmed.recipients if r.code == "QLDT")
    assert confirmed_qldt.status == "received" and confirmed_qldt.confirmed_at is not None
    deployment = city.components.deployment
    calendar = calendar_for(deployment)
    hours = round(
        calendar.working_hours_between(confirmed.issued_at, confirmed_qldt.confirmed_at), 1
    )
    now = datetime.now(UTC)
    local = now.astimezone(deployment.zone)
    report = compute(
        city.components.engine,
        deployment,
        local.year,
        local.month,
        directory=city.components.pipeline.directory,
        now=now,
    )
    units = [code for code, _ in directory_units(city.components.pipeline.directory)]
    assert len(units) == 30
    assert [r.code for r in report.exchange][:30] == units
    rows = {r.code: r for r in report.exchange}
    got = {
        code: (r.issued, r.received, r.refused, r.unanswered, r.sent_to_us)
        for code, r in rows.items()
        if code in ("QLDT", "P-RACHSOI", "P-VINHLOI", "VP", "TCKH")
    }
    assert got == {
        "QLDT": (2, 1, 0, 1, 0),
        "P-RACHSOI": (1, 0, 1, 0, 0),
        "P-VINHLOI": (1, 0, 0, 1, 0),
        "VP": (0, 0, 0, 0, 1),
        "TCKH": (0, 0, 0, 0, 0),
    }
    assert rows["QLDT"].median_hours == hours and rows["TCKH"].median_hours is None
    for row in report.exchange:
        assert row.issued == row.received + row.refused + row.bounced + row.unanswered, row
    assert report.exchange_total is not None and report.exchange_total.issued == 14
    with city.signed_in("vanthu") as clerk:
        page = clerk.get("/reports/monthly").text
        data = clerk.get("/reports/monthly.json").json()
        xlsx = clerk.get("/reports/monthly.xlsx").content
    for code in units:
        assert f'<tr data-code="{code}">' in page[page.index('id="bang-gui-nhan"') :]
    assert _cell(page, "QLDT", "issued") == "2" and _cell(page, "VP", "sent_to_us") == "1"
    assert _cell(page, "QLDT", "median_hours") == f"{hours:.1f}".replace(".", ",")
    assert _cell(page, "TCKH", "median_hours") == "—"
    assert [r["code"] for r in data["exchange"]][:30] == units
    assert data["exchange_total"]["refused"] == 1
    sheet = list(
        load_workbook(io.BytesIO(xlsx))["Gửi nhận theo đơn vị"].iter_rows(values_only=True)
    )
    by_code = {r[0]: r for r in sheet[2:-1]}
    assert by_code["QLDT"][2:5] == (2, 1, hours)
    assert len(by_code) == 30
