"""The console's outgoing register (DESIGN §4.7, R-ISSUE, R-OUTREG, R-DELIVERY): a clerk
issues a signed document from /outgoing/new through the very function ``gateway issue``
calls, sees every recipient's state at a glance on /outgoing and every answer on the
document's page; leaders and officers read; refusals are those of the command line."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from starlette.testclient import TestClient

from gateway.issuing.recipients import resolve
from registry.database import read_session
from registry.outgoing.queries import get_outgoing, list_outgoing
from registry.outgoing.views import OutgoingView
from templates.reasons import REASONS
from tests.gateway.web.inprocess import InProcessConsole, csrf
from tests.gateway.web.outgoing.conftest import CITY, city_document
from tests.support.pki import TestPki

QLDT = "QLDT"


def preview(
    client: TestClient,
    pdf: bytes,
    to: list[str],
    *,
    attach: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    **fields: str,
) -> Any:
    """The form as a browser posts it: the PDF, attachments, checked recipients."""
    token = csrf(client.get("/outgoing/new").text)
    files = [("pdf", ("cong-van.pdf", pdf, "application/pdf"))]
    files += [("attach", (name, data, "application/octet-stream")) for name, data in attach]
    data = {"csrf_token": token, "step": "preview", "to": to, **fields}
    return client.post("/outgoing/new", data=data, files=files)


def hidden_fields(html: str) -> list[tuple[str, str]]:
    """The hidden inputs of the preview's first form (the one that issues)."""
    form = html[html.index('<form method="post" action="/outgoing/new"') :]
    form = form[: form.index("</form>")]
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)


def issue(client: TestClient, preview_html: str) -> Any:
    fields = hidden_fields(preview_html)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value.replace("&amp;", "&"))
    return client.post("/outgoing/new", data=data)


def document(console: InProcessConsole, document_id: int) -> OutgoingView:
    with read_session(console.components.engine) as session:
        return get_outgoing(session, document_id)


def everything(console: InProcessConsole) -> list[OutgoingView]:
    with read_session(console.components.engine) as session:
        return list_outgoing(session)


def answer(to: str, message_id: str, status: str, **headers: str) -> bytes:
    """A receiving gateway's automatic answer to one of our issue mails (DESIGN §4.4)."""
    mail = EmailMessage()
    mail["From"] = to
    mail["To"] = CITY
    mail["Subject"] = "Biên nhận văn bản" if status == "03" else "Từ chối tiếp nhận văn bản"
    mail["Message-ID"] = make_msgid(domain="qldt.rachgia.example.gov.vn")
    mail["In-Reply-To"] = message_id
    mail["References"] = message_id
    mail["Auto-Submitted"] = "auto-replied"
    mail["X-Document-Status"] = status
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Văn bản đã được tiếp nhận.")
    return mail.as_bytes()


def row_of(html: str, address: str) -> str:
    found = re.search(rf'<tr data-address="{re.escape(address)}".*?</tr>', html, re.S)
    assert found is not None, html[:3000]
    return found.group(0)


def test_r_issue_a_clerk_issues_from_the_console_and_follows_each_recipient(
    city: InProcessConsole, pki: TestPki
) -> None:
    """R-ISSUE, R-OUTREG, R-DELIVERY: GIVEN the city's console and a signed công văn
    WHEN a clerk uploads it with an attachment, ticks the group "phường, xã" and the unit
    QLDT, previews, then issues
    THEN the preview shows what was read (số/ký hiệu, trích yếu, our valid signature) and
    the 13 recipients, and nothing is registered yet; issuing registers it in the outgoing
    register by the clerk, one issue mail per recipient queued, and the document page lists
    every recipient waiting; after QLDT's gateway answers 03 with its incoming number and
    Rạch Sỏi's refuses (02, invalid signature), /outgoing shows received 1, refused 1,
    waiting 11 and names Rạch Sỏi, and the document page shows QLDT's number, the refusal
    in words and the history."""
    pdf = city_document(pki, 12)
    directory = city.components.pipeline.directory
    expected = resolve(directory, ["phuong-xa", QLDT])
    assert len(expected) == 13
    with city.signed_in("vanthu") as clerk:
        shown = preview(clerk, pdf, ["phuong-xa", QLDT], attach=[("phu-luc.xlsx", b"PK\x03\x04")])
        assert shown.status_code == 200, shown.text
        assert 'id="so-ky-hieu">12/UBND-VP<' in shown.text
        assert "triển khai gửi, nhận văn bản điện tử đợt 12" in shown.text
        assert 'id="chu-ky">Hợp lệ — Ủy ban nhân dân thành phố Rạch Giá' in shown.text
        listed = re.findall(r"&lt;([^&]+)&gt;</span></li>", shown.text)
        assert listed == [r.address for r in expected]
        assert everything(city) == []
        issued = issue(clerk, shown.text)
        assert issued.status_code == 303, issued.text
        assert issued.headers["location"].endswith("?moi=1")
        document_id = int(issued.headers["location"].split("/")[2].split("?")[0])
        page = clerk.get(issued.headers["location"])
    view = document(city, document_id)
    assert (view.document_number, view.issued_by) == ("12/UBND-VP", "vanthu")
    assert [r.address for r in view.recipients] == [r.address for r in expected]
    assert [a["filename"] for a in view.attachments] == ["phu-luc.xlsx"]
    assert len(city.outbox("issue")) == 13
    assert page.status_code == 200 and 'id="da-phat-hanh"' in page.text
    assert page.text.count('data-state="waiting"') == 13
    qldt = next(r for r in view.recipients if r.code == QLDT)
    rachsoi = next(r for r in view.recipients if r.code == "P-RACHSOI")
    city.receive(
        answer(qldt.address, qldt.message_id, "03", X_Incoming_Number="2026/7"), qldt.address
    )
    city.receive(
        answer(rachsoi.address, rachsoi.message_id, "02", X_Reject_Reasons="signature-invalid"),
        rachsoi.address,
    )
    with city.signed_in("vanthu") as clerk:
        listing = clerk.get("/outgoing").text
        page = clerk.get(f"/outgoing/{document_id}").text
    assert 'data-state="received">Đã nhận 1<' in listing
    assert 'data-state="refused">Từ chối 1<' in listing
    assert 'data-state="waiting">Đang chờ 11<' in listing
    assert "UBND phường Rạch Sỏi" in listing
    qldt_row = row_of(page, qldt.address)
    assert "Đã nhận" in qldt_row and "2026/7" in qldt_row
    refused_row = row_of(page, rachsoi.address)
    assert "Từ chối nhận" in refused_row
    assert REASONS["signature-invalid"].summary in refused_row
    assert "Biên nhận của nơi nhận" in page and "Phát hành" in page
    for english in ("queued", "received", "refused", "receipt", "issue"):
        assert f">{english}<" not in page and f">{english}<" not in listing


def test_r_issue_the_console_refuses_what_the_command_line_refuses(
    city: InProcessConsole, pki: TestPki
) -> None:
    """R-ISSUE, R-SECRET: GIVEN an unsigned PDF, a secret-marked signed one, and a signed
    one without recipients WHEN a clerk previews each THEN the form comes back (422) with
    the reason in Vietnamese, and nothing is registered or queued."""
    from tests.support.pdfs import official_document_pdf

    with city.signed_in("vanthu") as clerk:
        unsigned = preview(clerk, official_document_pdf(number="20"), ["all"])
        secret = preview(clerk, city_document(pki, 21, secrecy_stamp="MẬT"), ["all"])
        nobody = preview(clerk, city_document(pki, 22), [])
    assert unsigned.status_code == 422 and "chưa được ký số" in unsigned.text
    assert secret.status_code == 422 and "độ mật" in secret.text
    assert nobody.status_code == 422 and "Chưa chọn nơi nhận" in nobody.text
    for answered in (unsigned, secret, nobody):
        assert 'role="alert"' in answered.text and 'action="/outgoing/new"' in answered.text
    assert everything(city) == [] and city.outbox("issue") == []


def test_outgoing_leaders_read_clerks_issue_and_forms_need_their_token(
    city: InProcessConsole, pki: TestPki
) -> None:
    """GIVEN an issued document WHEN a leader and an officer open the outgoing pages, the
    leader asks for /outgoing/new, a clerk posts without the CSRF token, and a clerk posts
    a preview whose files were swapped for another archived file
    THEN leader and officer read the list and the document (no "issue" link for them);
    the leader is refused the form (403); the tokenless post is refused (403); the swapped
    file is refused (400) and nothing more is issued."""
    with city.signed_in("vanthu") as clerk:
        shown = preview(clerk, city_document(pki, 30), [QLDT])
        assert issue(clerk, shown.text).status_code == 303
        assert 'href="/outgoing/new"' in clerk.get("/outgoing").text
        no_token = clerk.post("/outgoing/new", data={"step": "preview", "to": [QLDT]})
        second = preview(clerk, city_document(pki, 31), [QLDT])
        fields = [(n, "0" * 64 if n == "file_sha256" else v) for n, v in hidden_fields(second.text)]
        data: dict[str, list[str]] = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        swapped = clerk.post("/outgoing/new", data=data)
    assert no_token.status_code == 403
    assert swapped.status_code == 400
    (only,) = everything(city)
    for reader in ("lanhdao", "chuyenvien"):
        with city.signed_in(reader) as client:
            listing = client.get("/outgoing")
            page = client.get(f"/outgoing/{only.id}")
            form = client.get("/outgoing/new")
            assert listing.status_code == 200 and "30/UBND-VP" in listing.text
            assert 'href="/outgoing/new"' not in listing.text
            assert page.status_code == 200 and 'id="so-ky-hieu">30/UBND-VP<' in page.text
            assert form.status_code == 403
            assert 'href="/outgoing"' in listing.text  # the navigation's entry


def test_outgoing_search_finds_with_or_without_diacritics_and_filters_by_state(
    city: InProcessConsole, pki: TestPki
) -> None:
    """GIVEN two issued documents, one about "điều chỉnh quy hoạch", one about "chỉnh lý
    hồ sơ" WHEN the clerk searches "dieu chinh" and "điều chỉnh", and filters the documents
    with a recipient refused THEN both searches find exactly the first; no document has a
    refused recipient yet; every document has waiting recipients."""
    summaries = {40: "điều chỉnh quy hoạch chung thành phố", 41: "chỉnh lý hồ sơ lưu trữ"}
    with city.signed_in("vanthu") as clerk:
        for number, summary in summaries.items():
            shown = preview(clerk, city_document(pki, number, summary=summary), [QLDT])
            assert issue(clerk, shown.text).status_code == 303
        plain = clerk.get("/outgoing", params={"q": "dieu chinh"}).text
        marked = clerk.get("/outgoing", params={"q": "điều chỉnh"}).text
        refused = clerk.get("/outgoing", params={"trang-thai": "refused"}).text
        waiting = clerk.get("/outgoing", params={"trang-thai": "waiting"}).text
    for found in (plain, marked):
        assert re.findall(r"<tr data-id=", found) and "40/UBND-VP" in found
        assert "41/UBND-VP" not in found
        assert 'id="tong-so">1 văn bản phù hợp<' in found
    assert 'id="tong-so">0 văn bản phù hợp<' in refused
    assert "40/UBND-VP" in waiting and "41/UBND-VP" in waiting
