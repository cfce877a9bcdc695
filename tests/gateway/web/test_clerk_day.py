"""The clerk's day in the console: the paper form with its review step, secrecy and
cancellation; the inbound list; held mail a clerk decides; everything read in Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy import select
from sqlmodel import col

from registry.cancellations import EntryCancellation
from registry.database import read_session
from registry.models import InboundMessage, RegisterEntry
from tests.gateway.web.inprocess import AGENCY, InProcessConsole, csrf, make_console
from tests.gateway.web.paper_steps import confirmation_fields, register_by_hand
from tests.gateway.web.visible import ISO_DATE, codes_in, visible_text
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf, plain_pdf
from tests.support.pki import TestPki

pytestmark = pytest.mark.slow

PAPER = {
    "document_number": "12/GM-STP",
    "issued_on": "18/11/2026",
    "issuer_name": "Sở Tư pháp tỉnh Kiên Giang",
    "sender_name": "Văn phòng UBND tỉnh Kiên Giang",
    "signer_name": "Nguyễn Văn An",
    "document_type": "Giấy mời",
    "summary": "giấy mời họp giao ban quý IV",
    "urgency": "khan",
    "secrecy": "",
    "pages": "1",
}
STRANGER = "nguoila@example.com"
CODES = (
    "thuong",
    "khan",
    "accepted",
    "rejected",
    "held",
    "malware",
    "our-mail",
    "page-count",
    "clerk",
    "entry.paper",
    "entry.assigned",
    "summary",
    "issuer_name",
    "None",
)


@pytest.fixture
def console(
    tmp_path: Path, pki: TestPki, database_url: str, signed_pdf: bytes
) -> Iterator[InProcessConsole]:
    """One electronic document already registered (number 1 of the year)."""
    console = make_console(tmp_path / "d", pki, database_url)
    console.receive(
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    )
    yield console
    console.close()


def entries(console: InProcessConsole) -> list[RegisterEntry]:
    with read_session(console.components.engine) as session:
        query = select(RegisterEntry).order_by(col(RegisterEntry.incoming_number))
        return list(session.scalars(query))


def pdf_with_javascript() -> bytes:
    """An unsigned PDF that runs JavaScript when opened (R-VIRUS: active content)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf("Công văn có JavaScript"))))
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('xin chao');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_paper_form_takes_a_number_only_after_review_and_records_sender_and_signer(
    console: InProcessConsole,
) -> None:
    """GIVEN number 1 taken WHEN a clerk fills the paper form (dd/mm/yyyy date, nơi gửi,
    người ký) and posts it THEN a review page shows the fields in Vietnamese and no number
    is taken; "Sửa lại" brings the form back filled in; confirming takes number 2 with
    nơi gửi and người ký in the register and on the document page."""
    with console.signed_in("vanthu") as client:
        form = client.get("/register/paper")
        for label in ("Nơi gửi", "Người ký", "Độ mật", "Trích yếu nội dung", "Tuyệt mật"):
            assert label in form.text
        assert 'type="date"' not in form.text  # a browser's date widget shows its own format
        data = {**PAPER, "csrf_token": csrf(form.text)}
        review = client.post("/register/paper", data=data)
        assert review.status_code == 200
        shown = visible_text(review.text)
        assert "Xác nhận và cấp số đến" in shown
        for text in ("18/11/2026", "Nguyễn Văn An", "Văn phòng UBND tỉnh Kiên Giang", "Khẩn"):
            assert text in shown
        assert [e.incoming_number for e in entries(console)] == [1]
        again = client.post("/register/paper", data=confirmation_fields(review.text, "edit"))
        assert again.status_code == 200
        assert 'value="Nguyễn Văn An"' in again.text and 'value="18/11/2026"' in again.text
        done = client.post("/register/paper", data=confirmation_fields(review.text))
        assert done.status_code == 303
        page = client.get(done.headers["location"]).text
    year = date.today().year
    assert done.headers["location"] == f"/register/{year}/2?moi=1"
    paper = entries(console)[1]
    assert (paper.incoming_number, paper.sender_agency_name, paper.signer_name) == (
        2,
        "Văn phòng UBND tỉnh Kiên Giang",
        "Nguyễn Văn An",
    )
    assert paper.issued_on == date(2026, 11, 18)
    assert "Đã vào sổ, số đến 2" in page and "Nguyễn Văn An" in page
    assert codes_in(page, CODES) == []
    assert not ISO_DATE.search(visible_text(page))


def test_r_secret_a_secret_paper_document_is_refused_with_guidance_and_nothing_is_kept(
    console: InProcessConsole,
) -> None:
    """GIVEN the paper form WHEN the clerk chooses độ mật "Tối mật" (with a scan) THEN the
    review is refused with the guidance to use the separate secret register, no number is
    taken and the scan is stored nowhere (R-SECRET; NĐ 30: secret documents have their own
    register); a forged confirmation with độ mật is refused the same way."""
    archive = console.components.pipeline.archive
    scan = official_document_pdf(number="9", summary="tài liệu mật")
    with console.signed_in("vanthu") as client:
        token = csrf(client.get("/register/paper").text)
        refused = client.post(
            "/register/paper",
            data={**PAPER, "secrecy": "toi_mat", "csrf_token": token},
            files={"scan": ("mat.pdf", scan, "application/pdf")},
        )
        forged = client.post(
            "/register/paper",
            data={**PAPER, "secrecy": "mat", "step": "confirm", "csrf_token": token},
        )
    for answer in (refused, forged):
        assert answer.status_code == 422
        assert "sổ đăng ký văn bản mật đến" in answer.text
    assert [e.incoming_number for e in entries(console)] == [1]
    with pytest.raises(OSError):  # the scan was kept nowhere
        archive.read(hashlib.sha256(scan).hexdigest())


def test_a_mistaken_paper_entry_is_cancelled_keeping_its_number_with_the_reason_audited(
    console: InProcessConsole,
) -> None:
    """GIVEN paper entry 2 WHEN the clerk cancels it with a reason THEN it keeps number 2,
    its page and the register list say "Đã hủy" with the reason, the audit names the
    clerk; the same document entered again gets number 3 (not refused as a duplicate); a
    second cancellation, one without a reason and one of an electronic entry are refused."""
    year = date.today().year
    with console.signed_in("vanthu") as client:
        token = csrf(client.get("/register/paper").text)
        assert register_by_hand(client, {**PAPER, "csrf_token": token}).status_code == 303
        page = client.get(f"/register/{year}/2").text
        assert "Hủy văn bản giấy vào sổ nhầm" in page
        assert "Hủy văn bản giấy" not in client.get(f"/register/{year}/1").text
        empty = client.post(f"/register/{year}/2/cancel", data={"csrf_token": token})
        assert empty.status_code == 409
        reason = "vào sổ nhầm, trùng với văn bản đã nhận qua thư"
        done = client.post(
            f"/register/{year}/2/cancel", data={"csrf_token": token, "reason": reason}
        )
        assert done.status_code == 303
        page = client.get(f"/register/{year}/2").text
        listing = client.get("/register").text
        twice = client.post(
            f"/register/{year}/2/cancel", data={"csrf_token": token, "reason": reason}
        )
        electronic = client.post(
            f"/register/{year}/1/cancel", data={"csrf_token": token, "reason": reason}
        )
        again = register_by_hand(client, {**PAPER, "csrf_token": token})
    assert "Đã hủy" in page and reason in page
    assert "Đã hủy" in listing and 'class=" cancelled"' in listing.replace("urgent", "")
    assert (twice.status_code, electronic.status_code) == (409, 409)
    assert "Chỉ hủy được văn bản giấy" in electronic.text
    [event] = console.audit("entry.paper_cancelled")
    assert (event.actor, event.details["reason"], event.details["number"]) == (
        "vanthu",
        reason,
        f"{year}/2",
    )
    with read_session(console.components.engine) as session:
        [cancelled] = session.scalars(select(EntryCancellation)).all()
    assert again.status_code == 303
    assert [e.incoming_number for e in entries(console)] == [1, 2, 3]
    assert cancelled.entry_id == entries(console)[1].id


def test_inbound_lists_every_message_with_its_outcome_reasons_and_answer(
    console: InProcessConsole,
) -> None:
    """GIVEN an accepted message (receipt queued), a message whose PDF runs JavaScript
    (held) and one from a stranger (refused, no answer: backscatter) WHEN a clerk opens
    /inbound THEN all three are listed with their outcome, reasons and answer in
    Vietnamese, a total, the held one linked to /held, and no code or ISO date; an officer
    may not open it."""
    js = official_mail(
        sender=AGENCY, attachments=[("js.pdf", pdf_with_javascript(), "application/pdf")]
    )
    console.receive(js)
    console.receive(official_mail(sender=STRANGER, subject="Quảng cáo"), mail_from=STRANGER)
    with read_session(console.components.engine) as session:
        outcomes = sorted(r.outcome for r in session.scalars(select(InboundMessage)))
    assert outcomes == ["accepted", "held", "rejected"]
    with console.signed_in("vanthu") as client:
        page = client.get("/inbound")
        only_held = client.get("/inbound?outcome=held").text
    assert page.status_code == 200
    text = visible_text(page.text)
    for words in (
        "Tổng số: 3 thư",
        "Đã tiếp nhận",
        "Biên nhận (03)",
        "Tạm giữ chờ quyết định",
        "Xem và quyết định",
        "Đã từ chối",
        "Nội dung thực thi tìm thấy: JavaScript",
        "không gửi thư từ chối",
        STRANGER,
    ):
        assert words in text, words
    assert "Mật" not in text.replace("mật", "")  # a JavaScript hold is not secret
    assert codes_in(page.text, CODES) == []
    assert not ISO_DATE.search(text)
    assert "Tổng số: 1 thư" in visible_text(only_held)
    with console.signed_in("chuyenvien") as officer:
        assert officer.get("/inbound").status_code == 403


def test_a_javascript_hold_is_a_clerks_to_decide_not_labelled_secret(
    console: InProcessConsole,
) -> None:
    """GIVEN a message held because its PDF runs JavaScript (reason ``malware`` without
    any scanner finding) WHEN a clerk opens /held THEN the item is listed, not labelled
    "Mật", names the JavaScript, its trace shows Vietnamese step names; the clerk may
    decide it (reject: 303, not 404)."""
    js = official_mail(
        sender=AGENCY, attachments=[("js.pdf", pdf_with_javascript(), "application/pdf")]
    )
    console.receive(js)
    with read_session(console.components.engine) as session:
        held = session.scalars(
            select(InboundMessage).where(col(InboundMessage.outcome) == "held")
        ).one()
    assert held.reasons == ["malware"] and not held.scan.get("findings")
    with console.signed_in("vanthu") as client:
        page = client.get("/held").text
        text = visible_text(page)
        assert f'id="giu-{held.id}"' in page
        assert "<dt>Mật</dt>" not in page
        assert "JavaScript" in text and "Nội dung thực thi trong PDF" in text
        assert codes_in(page, ("active-content", "our-mail", "page-count", "malware")) == []
        if console.components.deployment.settings.auth.resolver == "off":
            assert "không kiểm tra xác thực nơi gửi" in text  # never "không có lỗi"
            assert "(DKIM/SPF/DMARC) không có lỗi" not in text
        token = csrf(page)
        form = {"csrf_token": token, "reason": "malware", "note": ""}
        decided = client.post(f"/held/{held.id}/reject", data=form)
    assert decided.status_code == 303
