"""The regulations' policy through a real `gateway serve` process (QD278, CV144, CV54).

One deployment serves the module; each test sends its own message over SMTP and reads the
answers addressed in reply to it, the register and the inbound list as a user would.
"""

from __future__ import annotations

import base64
import smtplib
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.mailparse.test_charsets import cp1258, encoded_word, rfc2231
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki

AGENCY = "vanthu@vp.rachgia.example.gov.vn"
GATEWAY = "vanthu@example.gov.vn"
ADMINISTRATOR = "quantri@example.gov.vn"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
EDXML_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "edxml" / "new_54_ubnd_vp.edxml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[GatewayProcess]:
    root = tmp_path_factory.mktemp("policy") / "deploy"
    env = {"GATEWAY_ALERTS__ADMINISTRATOR": ADMINISTRATOR}
    process = GatewayProcess(root, pki.root_pem(), env=env).start()
    try:
        yield process
    finally:
        process.stop()


def send(gateway: GatewayProcess, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.sendmail(AGENCY, [GATEWAY], raw)


def mails_about(
    gateway: GatewayProcess, message_id: str, count: int = 1, timeout: float = 20.0
) -> list[EmailMessage]:
    """The mails the gateway wrote about ``message_id``: answers (In-Reply-To) and alerts
    naming its spool item, waited for until ``count`` are there."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in gateway.outbox() if m["In-Reply-To"] == message_id]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def inbound(gateway: GatewayProcess, message_id: str) -> dict[str, object]:
    [record] = [m for m in gateway.cli_json("inbound", "list") if m["message_id"] == message_id]
    return record  # type: ignore[no-any-return]


def test_r_secret_refused_kept_apart_unquoted_unlogged_and_the_administrator_alerted(
    gateway: GatewayProcess,
) -> None:
    """GIVEN a document stamped MẬT, in a mail whose subject and file name are distinctive
    WHEN it arrives over SMTP
    THEN it is refused `secret-document` and never registered; the rejection's raw bytes
    quote neither the subject nor the file name nor anything of the document; the
    administrator gets an alert that quotes nothing either; the raw message exists only in
    the restricted store — no other file under the data directory (archive, spool, register
    database, outbox) and not the gateway's log holds the subject or the file name."""
    message_id = "<mat-xk2026@vp.rachgia.example.gov.vn>"
    subject = "Phương án bảo vệ bí mật XK2026 khu vực biên giới"
    filename = "phuong-an-XK2026-bien-gioi.pdf"
    pdf = official_document_pdf(
        number="31", symbol="PA-UBND", secrecy_stamp="MẬT", summary="bảo vệ khu vực biên giới"
    )
    raw = official_mail(
        sender=AGENCY,
        subject=subject,
        message_id=message_id,
        attachments=[(filename, pdf, "application/pdf")],
    )
    send(gateway, raw)
    [rejection] = mails_about(gateway, message_id)
    alerts = [m for m in gateway.outbox() if m["To"] == ADMINISTRATOR and "mật" in m["Subject"]]
    assert len(alerts) == 1, gateway.log_text()

    assert rejection["X-Document-Status"] == "02"
    assert rejection["X-Reject-Reasons"] == "secret-document"
    record = inbound(gateway, message_id)
    assert (record["outcome"], record["reasons"], record["subject"]) == (
        "rejected",
        ["secret-document"],
        "",
    )
    assert record["entries"] == []
    assert gateway.cli_json("register", "list") == []

    [alert] = alerts
    assert alert["Auto-Submitted"] == "auto-generated"
    assert "Tuyệt mật" not in text_of(alert) and "(Mật)" in text_of(alert)

    secrets_ = [
        subject.encode(),
        b"XK2026",
        filename.encode(),
        "biên giới".encode(),
        b"bien gioi",
    ]
    for mail in (rejection, alert):
        data = mail.as_bytes()
        readable = (mail.as_string() + text_of(mail) + str(mail["Subject"])).encode()
        assert not [s for s in secrets_ if s in data or s in readable]
    log = gateway.log_text().encode()
    assert not [s for s in secrets_ if s in log]

    data_dir = gateway.data_dir
    restricted = data_dir / "restricted"
    kept = [p for p in restricted.rglob("*") if p.is_file() and p.read_bytes() == raw]
    assert len(kept) == 1
    leaks = [
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file()
        and restricted not in p.parents
        and any(s in p.read_bytes() for s in (*secrets_, raw[-2000:]))
    ]
    assert leaks == []


def test_r_count_declared_pages_differ_rejected_saying_what_was_declared_and_found(
    gateway: GatewayProcess,
) -> None:
    """GIVEN a mail body saying "Văn bản gồm 03 trang" and a document of 2 pages
    WHEN it arrives THEN it is rejected `page-count-mismatch` (R-REFUSE), nothing is
    registered, and the rejection tells the sender, in Vietnamese, 3 declared and 2 found."""
    message_id = "<count-3-2@vp.rachgia.example.gov.vn>"
    pdf = official_document_pdf(number="77", symbol="UBND-VP", pages=2, summary="kiểm tra")
    raw = official_mail(
        sender=AGENCY,
        subject="Công văn số 77/UBND-VP V/v kiểm tra",
        body="Kính gửi: Văn thư cơ quan.\n\nVăn bản gồm 03 trang, đề nghị kiểm tra.\n",
        message_id=message_id,
        attachments=[("77-UBND-VP.pdf", pdf, "application/pdf")],
    )
    send(gateway, raw)
    [rejection] = mails_about(gateway, message_id)
    assert rejection["X-Document-Status"] == "02"
    assert rejection["X-Reject-Reasons"] == "page-count-mismatch"
    text = text_of(rejection)
    assert "nội dung thư ghi văn bản gồm 3 trang, nhưng văn bản nhận được có 2 trang" in text
    assert inbound(gateway, message_id)["entries"] == []


def test_r_count_matching_declaration_is_registered(gateway: GatewayProcess) -> None:
    """GIVEN "văn bản gồm 2 trang, kèm theo 01 tệp" and one document of 2 pages
    WHEN it arrives THEN it is registered (the declaration matches)."""
    message_id = "<count-2-2@vp.rachgia.example.gov.vn>"
    pdf = official_document_pdf(number="78", symbol="UBND-VP", pages=2, summary="khớp")
    raw = official_mail(
        sender=AGENCY,
        subject="Công văn số 78/UBND-VP V/v khớp",
        body="van ban gom 2 trang, kem theo 01 tep.\n",
        message_id=message_id,
        attachments=[("78-UBND-VP.pdf", pdf, "application/pdf")],
    )
    send(gateway, raw)
    [receipt] = mails_about(gateway, message_id)
    assert receipt["X-Document-Status"] == "03"
    [entry] = [e for e in gateway.cli_json("register", "list") if e["message_id"] == message_id]
    assert entry["pages"] == 2


def test_r_urgent_and_r_ref_urgency_in_the_register_and_the_receipt_subject(
    gateway: GatewayProcess,
) -> None:
    """GIVEN an unsigned document stamped HỎA TỐC, sent with "HỎA TỐC" in its subject
    WHEN it arrives THEN the register says urgency hoa_toc and reference_only (R-REF), and
    the receipt's subject begins "[HỎA TỐC]" and its text says it is for reference only."""
    message_id = "<urgent-79@vp.rachgia.example.gov.vn>"
    pdf = official_document_pdf(
        number="79", symbol="CĐ-UBND", urgency_stamp="HỎA TỐC", summary="phòng chống bão số 9"
    )
    raw = official_mail(
        sender=AGENCY,
        subject="HỎA TỐC - Công điện số 79/CĐ-UBND V/v phòng chống bão số 9",
        message_id=message_id,
        attachments=[("79-CD-UBND.pdf", pdf, "application/pdf")],
    )
    send(gateway, raw)
    [receipt] = mails_about(gateway, message_id)
    assert str(receipt["Subject"]).startswith("[HỎA TỐC] Biên nhận: ")
    assert "chỉ có giá trị tham khảo" in text_of(receipt)
    [entry] = [e for e in gateway.cli_json("register", "list") if e["message_id"] == message_id]
    assert (entry["urgency"], entry["reference_only"]) == ("hoa_toc", True)
    assert entry["received_at"].startswith(str(datetime.now(ZONE).year))


def test_windows_1258_mail_shows_its_vietnamese_subject_and_file_name_in_the_register(
    gateway: GatewayProcess,
) -> None:
    """GIVEN a mail written by a windows-1258 client: RFC 2047 subject, RFC 2231 file name
    and body in windows-1258 (tone marks as combining bytes)
    WHEN it arrives THEN the inbound list shows the subject and the register the file name
    as the Vietnamese written, in NFC."""
    subject = "Công văn số 80/UBND-VP về việc chấn chỉnh công tác văn thư"
    filename = "Công văn 80 – chấn chỉnh văn thư.pdf"
    message_id = "<cp1258-80@vp.rachgia.example.gov.vn>"
    pdf = official_document_pdf(number="80", symbol="UBND-VP", summary="chấn chỉnh văn thư")
    raw = (
        b"From: vanthu@vp.rachgia.example.gov.vn\r\nTo: vanthu@example.gov.vn\r\n"
        b"Subject: " + encoded_word("windows-1258", cp1258(subject)) + b"\r\n"
        b"Message-ID: " + message_id.encode() + b"\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=windows-1258\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + cp1258("Kính gửi: Văn thư cơ quan.") + b"\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; "
        + rfc2231("windows-1258", cp1258(filename))
        + b"\r\n\r\n"
        + base64.encodebytes(pdf).replace(b"\n", b"\r\n")
        + b"\r\n--XX--\r\n"
    )
    send(gateway, raw)
    [receipt] = mails_about(gateway, message_id)
    assert receipt["X-Document-Status"] == "03"
    shown = inbound(gateway, message_id)["subject"]
    assert shown == subject and unicodedata.is_normalized("NFC", str(shown))
    with sqlite3.connect(gateway.data_dir / "gateway.db") as db:
        [(stored,)] = db.execute(
            "SELECT filename FROM register_entry WHERE message_id = ?", (message_id,)
        ).fetchall()
    assert stored == filename


def test_r_count_edxml_page_amount_against_the_pdf(gateway: GatewayProcess) -> None:
    """GIVEN an edXML envelope (QCVN 102:2016) declaring PageAmount 2 beside a one-page PDF
    WHEN it arrives THEN it is rejected `page-count-mismatch` and the rejection names the
    edXML as the declaration, 2 pages declared and 1 found."""
    message_id = "<count-edxml@vp.rachgia.example.gov.vn>"
    pdf = official_document_pdf(number="54", symbol="UBND-VP", issued_on=date(2020, 2, 18))
    raw = official_mail(
        sender=AGENCY,
        subject="Công văn số 54/UBND-VP",
        message_id=message_id,
        attachments=[
            ("54-UBND-VP.pdf", pdf, "application/pdf"),
            ("54.edxml", EDXML_SAMPLE.read_bytes(), "application/xml"),
        ],
    )
    send(gateway, raw)
    [rejection] = mails_about(gateway, message_id)
    assert rejection["X-Reject-Reasons"] == "page-count-mismatch"
    assert (
        "tệp thông tin văn bản (edXML) ghi văn bản gồm 2 trang, nhưng văn bản nhận được có 1 trang"
        in text_of(rejection)
    )
