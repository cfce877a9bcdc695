"""The clerk's day on one document: corrections in Vietnamese with dd/mm/yyyy dates, the
default deadline of a manual assignment, the withdrawal notice of a reassignment, the
printed register (units in force, the agency on the cover, numbered columns) and the
register list's day filters, total and urgent rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import col

from gateway.routing.in_force import rules_path
from registry.database import read_session
from registry.models import AssignmentRecord, RegisterEntry
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console
from tests.gateway.web.visible import ISO_DATE, codes_in, visible_text
from tests.support.messages import official_mail
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

DEFAULT_THEN = 'then: {lead: VP, deadline: "by next working morning"}'
HOLD_THEN = 'then: {hold: "Văn thư phân công thủ công"}'
AGENCY_NAME = "Ủy ban nhân dân thành phố Rạch Giá"
PARENT_NAME = "Ủy ban nhân dân tỉnh Kiên Giang"


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One registered document the rules leave to the clerk; the agency configured."""
    console = make_console(
        tmp_path / "d",
        pki,
        database_url,
        GATEWAY_WEB__AGENCY_NAME=AGENCY_NAME,
        GATEWAY_WEB__AGENCY_PARENT=PARENT_NAME,
    )
    path = rules_path(console.components.deployment)
    text = path.read_text(encoding="utf-8")
    assert DEFAULT_THEN in text
    path.write_text(text.replace(DEFAULT_THEN, HOLD_THEN), encoding="utf-8")
    assert console.components.router is not None and console.components.router.reload()
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    yield console
    console.close()


def page_of(entry: RegisterEntry) -> str:
    return f"/register/{entry.year}/{entry.incoming_number}"


def assignments(console: InProcessConsole) -> list[AssignmentRecord]:
    with read_session(console.components.engine) as session:
        return list(session.scalars(select(AssignmentRecord).order_by(col(AssignmentRecord.id))))


def test_corrections_offer_vietnamese_choices_and_read_day_first_dates(
    console: InProcessConsole,
) -> None:
    """GIVEN a registered document WHEN the clerk opens its page THEN the urgency is a
    choice of Vietnamese names and no field is labelled with a code; WHEN they correct the
    date as 05/03/2026 and the urgency to Thượng khẩn THEN both are stored, and the history
    reads "Ngày tháng văn bản “20/11/2026” → “05/03/2026”" — no field key, code or ISO date
    anywhere on the page."""
    entry = console.the_entry()
    with console.signed_in("vanthu") as client:
        page = client.get(page_of(entry)).text
        assert '<option value="thuong_khan">Thượng khẩn</option>' in page
        assert codes_in(page, ("thuong", "khan", "thuong_khan", "hoa_toc")) == []
        token = csrf(page)
        for field, value in (("issued_on", "05/03/2026"), ("urgency", "thuong_khan")):
            form = {"csrf_token": token, "field": field, "value": value}
            assert client.post(page_of(entry) + "/correct", data=form).status_code == 303
        bad = {"csrf_token": token, "field": "issued_on", "value": "31/02/2026"}
        refused = client.post(page_of(entry) + "/correct", data=bad)
        after = client.get(page_of(entry)).text
    corrected = console.the_entry()
    assert (corrected.issued_on, corrected.urgency) == (date(2026, 3, 5), "thuong_khan")
    assert refused.status_code == 409 and "ngày/tháng/năm" in refused.text
    text = visible_text(after)
    assert "Ngày tháng văn bản “20/11/2026” → “05/03/2026”" in text
    assert "Độ khẩn “Thường” → “Thượng khẩn”" in text
    codes = ("issued_on", "urgency", "entry.corrected", "entry.registered", "our-mail", "clerk")
    assert codes_in(after, codes) == []
    assert not ISO_DATE.search(text)


def test_assignment_without_date_gets_the_rules_default_and_reassignment_notifies(
    console: InProcessConsole,
) -> None:
    """GIVEN the rules file's default deadline "3 working days" WHEN the clerk assigns
    Phòng Tư pháp without a date THEN the deadline is 3 working days from receipt on the
    calendar (R-DEADLINE); WHEN the clerk then moves it to Phòng Nội vụ THEN Tư pháp gets
    a withdrawal notice (threaded to its copy, auto-generated, naming the new unit)."""
    entry = console.the_entry()
    router = console.components.router
    assert router is not None and router.rules.deadline is not None
    expected = router.rules.deadline.due(router.calendar, entry.received_at)
    with console.signed_in("vanthu") as client:
        token = csrf(client.get(page_of(entry)).text)
        form = {"csrf_token": token, "unit": "TP", "role": "lead", "due": ""}
        assert client.post(page_of(entry) + "/assign", data=form).status_code == 303
        [tp] = assignments(console)
        assert tp.due_at == expected
        move = {"csrf_token": token, "assignment": str(tp.id), "unit": "NV", "due": ""}
        assert client.post(page_of(entry) + "/reassign", data=move).status_code == 303
    [notice] = console.outbox("withdrawal")
    mail = message_from_bytes(notice.raw, policy=policy.default)
    subject = str(mail["Subject"])
    assert notice.recipient == "tuphap@example.gov.vn"
    assert subject == f"Thu hồi phân công xử lý văn bản đến số {entry.year}/1"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["In-Reply-To"] == tp.routed_message_id
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    text = body.get_content()
    assert "Phòng Nội vụ" in text and "không còn được giao" in text


def test_the_printed_register_lists_units_in_force_with_agency_and_numbered_columns(
    console: InProcessConsole,
) -> None:
    """GIVEN a document assigned to Tư pháp, then moved to Nội vụ WHEN the register is
    printed THEN "Đơn vị hoặc người nhận" names Nội vụ only, the cover names the agency and
    its parent (NĐ 30 Phụ lục IV), and the columns carry their numbers (1)–(10)."""
    entry = console.the_entry()
    with console.signed_in("vanthu") as client:
        token = csrf(client.get(page_of(entry)).text)
        form = {"csrf_token": token, "unit": "TP", "role": "lead", "due": "15/12/2026"}
        assert client.post(page_of(entry) + "/assign", data=form).status_code == 303
        [tp] = assignments(console)
        move = {"csrf_token": token, "assignment": str(tp.id), "unit": "NV"}
        assert client.post(page_of(entry) + "/reassign", data=move).status_code == 303
        printed = client.get(f"/register/print?year={entry.year}")
    assert printed.status_code == 200
    reader = PdfReader(io.BytesIO(printed.content))
    cover = reader.pages[0].extract_text()
    table = reader.pages[1].extract_text()
    assert AGENCY_NAME.upper() in cover and PARENT_NAME.upper() in cover
    assert "(1)" in table and "(10)" in table
    assert "Phòng Nội vụ" in table and "Phòng Tư pháp" not in table


def test_register_list_filters_by_day_counts_and_marks_urgent_rows(
    console: InProcessConsole,
) -> None:
    """GIVEN one document received now, corrected to Khẩn WHEN the clerk lists "hôm nay"
    or a range of days around today THEN it is listed, with "Tổng số: 1 văn bản" and its
    row marked urgent; a range in the past lists none ("0 văn bản")."""
    entry = console.the_entry()
    zone = console.components.deployment.zone
    today = datetime.now(UTC).astimezone(zone).date()
    around = (
        f"from={(today - timedelta(days=1)):%d/%m/%Y}&to={(today + timedelta(days=1)):%d/%m/%Y}"
    )
    with console.signed_in("vanthu") as client:
        token = csrf(client.get(page_of(entry)).text)
        form = {"csrf_token": token, "field": "urgency", "value": "khan"}
        assert client.post(page_of(entry) + "/correct", data=form).status_code == 303
        pages = {
            query: client.get(f"/register?{query}").text
            for query in ("today=1", around, "from=01/01/2020&to=31/01/2020")
        }
    for query in ("today=1", around):
        text = visible_text(pages[query])
        assert "Tổng số: 1 văn bản" in text, query
        assert '<tr class="urgent">' in pages[query]
        assert '<span class="badge urgent">Khẩn</span>' in pages[query]
    assert "Tổng số: 0 văn bản" in visible_text(pages["from=01/01/2020&to=31/01/2020"])
    assert 'value="01/01/2020"' in pages["from=01/01/2020&to=31/01/2020"]
