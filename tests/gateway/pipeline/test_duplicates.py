"""Duplicates by law (NĐ 30/2020 Phụ lục VI; DESIGN §4.4), on SQLite and PostgreSQL.

The same issuing body, number/symbol and issue date is the same document, whichever
message brings it: no new number, a receipt pointing to the existing entry. A re-delivery
of the very same message changes nothing at all.
"""

from __future__ import annotations

import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from gateway.pipeline.flow import Pipeline, ProcessResult
from registry.database import read_session, write_session
from registry.links import EntryLink, document_key
from registry.models import AuditEvent, InboundMessage, RegisterEntry
from registry.queries import entry_numbers_by_inbound
from tests.gateway.pipeline.test_pipeline import AGENCY, count, envelope, make_pipeline, outbox
from tests.support.gateway_process import GatewayProcess
from tests.support.messages import official_mail
from tests.support.pdfs import official_document_pdf
from tests.support.pki import TestPki
from tests.support.signing import sign_as_person_then_agency


def _mail(pdf: bytes, message_id: str, subject: str = "Công văn 54/UBND-VP") -> bytes:
    return official_mail(
        sender=AGENCY,
        subject=subject,
        message_id=message_id,
        attachments=[("54-UBND-VP.pdf", pdf, "application/pdf")],
    )


def _text(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            ("54/UBND-VP", "ỦY BAN NHÂN DÂN THÀNH PHỐ RẠCH GIÁ"),
            ("54 / UBND - VP", "Ủy ban nhân dân  thành phố Rạch Giá"),
        ),
        (("54/UBND-VP", "UBND TP RẠCH GIÁ"), ("54/ubnd-vp.", "ubnd tp rach gia")),
    ],
)
def test_document_key_compares_folded_values_without_spaces(
    a: tuple[str, str], b: tuple[str, str]
) -> None:
    """GIVEN two spellings of one document's number and issuer
    WHEN keyed THEN the keys are equal; a different date or number gives another key."""
    day = date(2026, 11, 20)
    assert document_key(*a, day) == document_key(*b, day) is not None
    assert document_key(*a, date(2026, 11, 21)) != document_key(*a, day)
    assert document_key("55/UBND-VP", a[1], day) != document_key(*a, day)
    assert document_key(None, a[1], day) is None
    assert document_key(a[0], a[1], None) is None


def test_nd30_same_document_in_another_message_gets_no_new_number(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a signed công văn registered as 2026/1
    WHEN another message (new Message-ID, other subject) brings the same document
    THEN no number is taken: the outcome is `duplicate` pointing to the first message, the
    receipt carries X-Incoming-Number 2026/1 and says when it was registered, the link and
    an audit event are recorded; the next new document gets 2026/2 (no gap)."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    first = pipeline.process("first", _mail(signed_pdf, "<a@rachgia>"), envelope())
    again = pipeline.process(
        "again", _mail(signed_pdf, "<b@rachgia>", "Gửi lại: Công văn 54/UBND-VP"), envelope()
    )
    assert first.entries == again.entries == ("2026/1",)
    assert (again.outcome, again.answered) == ("duplicate", True)
    assert count(engine, RegisterEntry) == 1
    with read_session(engine) as session:
        one, two = session.scalars(select(InboundMessage).order_by(col(InboundMessage.id)))
        assert (two.outcome, two.duplicate_of) == ("duplicate", one.id)
        [link] = session.scalars(select(EntryLink))
        assert (link.inbound_id, link.kind) == (two.id, "duplicate")
        actions = list(session.scalars(select(col(AuditEvent.action))))
        assert "entry.duplicate" in actions and "inbound.duplicate" in actions
    receipts = outbox(engine)
    assert [r["X-Incoming-Number"] for r in receipts] == ["2026/1", "2026/1"]
    assert [r["X-Document-Status"] for r in receipts] == ["03", "03"]
    assert "đã được vào sổ số 2026/1 ngày 25/11/2026" in _text(receipts[1])
    assert "đã được vào sổ số" not in _text(receipts[0])

    other = official_document_pdf(number="55", symbol="UBND-VP", summary="việc khác")
    third = pipeline.process("third", _mail(other, "<c@rachgia>"), envelope())
    assert (third.outcome, third.entries) == ("accepted", ("2026/2",))


def test_redelivery_of_the_very_same_message_changes_nothing(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a registered message WHEN the same bytes arrive again (another spool item)
    THEN nothing new: no entry, no link, no second answer (its first answer stands)."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    raw = _mail(signed_pdf, "<same@rachgia>")
    pipeline.process("one", raw, envelope())
    again = pipeline.process("two", raw, envelope())
    assert (again.outcome, again.entries, again.answered) == ("duplicate", ("2026/1",), False)
    assert count(engine, RegisterEntry) == 1
    assert count(engine, EntryLink) == 0
    assert len(outbox(engine)) == 1


def _race(pipeline: Pipeline, pdf: bytes, n: int) -> list[ProcessResult]:
    """Two copies of ``pdf`` in two messages, processed by two threads released together."""
    results: list[ProcessResult] = []
    start = threading.Barrier(2)

    def work(copy: int) -> None:
        start.wait()
        raw = _mail(pdf, f"<{n}.{copy}@rachgia>")
        results.append(pipeline.process(f"{n}.{copy}", raw, envelope()))

    workers = [threading.Thread(target=work, args=(c,)) for c in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_two_copies_processed_at_once_by_two_workers_get_one_number(
    engine: Engine, tmp_path: Path, pki: TestPki
) -> None:
    """GIVEN three documents, each sent twice in two messages
    WHEN two workers process the two copies of each at the same moment
    THEN each document has exactly one entry (numbers 1–3, no gap) and its other copy is a
    `duplicate` of it; no transaction failed (the lookup runs under the register lock)."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    documents = [
        sign_as_person_then_agency(
            official_document_pdf(number=str(n), symbol="UBND-VP", summary=f"việc {n}"), pki
        )
        for n in (61, 62, 63)
    ]
    for n, pdf in enumerate(documents):
        results = _race(pipeline, pdf, n)
        assert sorted(r.outcome for r in results) == ["accepted", "duplicate"]
        assert results[0].entries == results[1].entries == (f"2026/{n + 1}",)
    assert count(engine, RegisterEntry) == 3


def test_the_register_refuses_a_second_entry_with_the_same_key(engine: Engine) -> None:
    """GIVEN an entry with a document key WHEN another row with that key is written
    (two transactions that raced past the lookup) THEN the database refuses it."""
    rows = [("54/UBND-VP", 1), ("54 /UBND-VP", 2)]
    key = document_key("54/UBND-VP", "UBND TP RẠCH GIÁ", date(2026, 11, 20))
    with pytest.raises(IntegrityError), write_session(engine) as session:
        inbound = InboundMessage(
            spool_id="k",
            sha256="0" * 64,
            fingerprint="0" * 64,
            received_at=envelope().received_at,
            protocol="smtp",
            envelope_from=AGENCY,
            outcome="accepted",
        )
        session.add(inbound)
        session.flush()
        assert inbound.id is not None
        for number, incoming in rows:
            session.add(
                RegisterEntry(
                    inbound_id=inbound.id,
                    year=2026,
                    incoming_number=incoming,
                    received_at=envelope().received_at,
                    document_number=number,
                    sha256="0" * 64,
                    document_sha256="1" * 64,
                    document_key=key,
                )
            )
            session.flush()


def _edxml(document_id: str, number: str, business: int = 0, refers_to: str = "") -> bytes:
    """A QCVN 102:2016 envelope for a công văn ``number``/UBND-VP of 20/11/2026, one page."""
    trace = (
        "<TraceHeaderList><Bussiness>"
        f"<BussinessDocType>{business}</BussinessDocType>"
        + (f"<DocumentId>{refers_to}</DocumentId>" if refers_to else "")
        + "</Bussiness></TraceHeaderList>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLHeader>'
        "<MessageHeader>"
        "<From><OrganId>000.00.12.H33</OrganId>"
        "<OrganName>Ủy ban nhân dân thành phố Rạch Giá</OrganName></From>"
        f"<DocumentId>{document_id}</DocumentId>"
        f"<Code><CodeNumber>{number}</CodeNumber><CodeNotation>UBND-VP</CodeNotation></Code>"
        "<PromulgationInfo><PromulgationDate>2026-11-20</PromulgationDate></PromulgationInfo>"
        "<OtherInfo><Priority>0</Priority><PageAmount>1</PageAmount></OtherInfo>"
        f"</MessageHeader>{trace}</edXMLHeader></edXMLEnvelope>"
    ).encode()


FIRST_ID = "000.00.12.H33,2026/11/20,54/UBND-VP"


@dataclass(frozen=True)
class LinkCase:
    business: int  # TraceHeaderList/Bussiness/BussinessDocType
    kind: str
    status: str  # of the earlier entry afterwards
    says: str  # in the receipt
    first_has_edxml: bool  # else the earlier entry is found by its number


LINK_CASES = [
    LinkCase(business, kind, status, says, by_id)
    for business, kind, status, says in (
        (1, "recall", "recalled", "đã được ghi nhận thu hồi"),
        (2, "update", "registered", "Thông tin cập nhật cho văn bản đã vào sổ số 2026/1"),
        (3, "replace", "registered", "Văn bản thay thế cho văn bản đã vào sổ số 2026/1"),
    )
    for by_id in (True, False)
]


@pytest.mark.parametrize(
    "case",
    LINK_CASES,
    ids=[f"{c.kind}-by-{'id' if c.first_has_edxml else 'number'}" for c in LINK_CASES],
)
def test_edxml_recall_update_replace_is_linked_not_registered_anew(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes, case: LinkCase
) -> None:
    """GIVEN công văn 54/UBND-VP registered as 2026/1 (with its edXML DocumentId, or without
    edXML at all)
    WHEN the agency sends công văn 61/UBND-VP whose edXML business type is recall / update /
    replace of that DocumentId
    THEN no number is taken; the message is linked to 2026/1 with that kind, a recall marks
    2026/1 `recalled`, and the receipt (X-Incoming-Number 2026/1) says what was done."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    first = [("54-UBND-VP.pdf", signed_pdf, "application/pdf")]
    if case.first_has_edxml:
        first.append(("54.edxml", _edxml(FIRST_ID, "54"), "application/xml"))
    raw = official_mail(sender=AGENCY, message_id="<54@rachgia>", attachments=first)
    assert pipeline.process("first", raw, envelope()).entries == ("2026/1",)

    pdf = official_document_pdf(number="61", summary="thu hồi Công văn số 54/UBND-VP")
    edxml = _edxml("000.00.12.H33,2026/11/20,61/UBND-VP", "61", case.business, FIRST_ID)
    raw = official_mail(
        sender=AGENCY,
        subject="Công văn số 61/UBND-VP",
        message_id="<61@rachgia>",
        attachments=[
            ("61-UBND-VP.pdf", pdf, "application/pdf"),
            ("61.edxml", edxml, "application/xml"),
        ],
    )
    result = pipeline.process("second", raw, envelope())
    assert (result.outcome, result.entries) == ("accepted", ("2026/1",))
    assert count(engine, RegisterEntry) == 1
    with read_session(engine) as session:
        entry = session.scalars(select(RegisterEntry)).one()
        assert entry.status == case.status
        [link] = session.scalars(select(EntryLink))
        assert (link.kind, link.entry_id) == (case.kind, entry.id)
    receipt = outbox(engine)[-1]
    assert receipt["X-Incoming-Number"] == "2026/1"
    assert case.says in _text(receipt)
    with read_session(engine) as session:  # `inbound list` shows the linked entry
        messages = list(session.scalars(select(InboundMessage).order_by(col(InboundMessage.id))))
        numbers = entry_numbers_by_inbound(session, messages)
    assert [numbers[m.id] for m in messages if m.id is not None] == [["2026/1"], ["2026/1"]]


@pytest.mark.slow
def test_nd30_duplicate_end_to_end_over_smtp(
    tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a running gateway WHEN an agency mails the same signed document twice, in two
    messages with their own Message-IDs
    THEN the register holds one entry; both receipts carry its number; the inbound list
    shows the second as `duplicate` with that entry."""
    gateway = GatewayProcess(tmp_path / "deploy", pki.root_pem()).start()
    try:
        year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
        for message_id in ("<dup-1@rachgia>", "<dup-2@rachgia>"):
            with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
                client.sendmail(AGENCY, ["vanthu@example.gov.vn"], _mail(signed_pdf, message_id))
            deadline = time.monotonic() + 20
            while not [m for m in gateway.outbox() if m["In-Reply-To"] == message_id]:
                assert time.monotonic() < deadline, gateway.log_text()
                time.sleep(0.1)
        receipts = {m["In-Reply-To"]: m for m in gateway.outbox() if m["X-Document-Status"] == "03"}
        assert [
            receipts[i]["X-Incoming-Number"] for i in ("<dup-1@rachgia>", "<dup-2@rachgia>")
        ] == [
            f"{year}/1",
            f"{year}/1",
        ]
        assert f"đã được vào sổ số {year}/1" in _text(receipts["<dup-2@rachgia>"])
        assert len(gateway.cli_json("register", "list")) == 1
        listed = {m["message_id"]: m for m in gateway.cli_json("inbound", "list")}
        assert listed["<dup-2@rachgia>"]["outcome"] == "duplicate"
        assert listed["<dup-2@rachgia>"]["entries"] == [f"{year}/1"]
    finally:
        gateway.stop()


def test_a_duplicate_by_law_re_delivered_gets_nothing_new(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN a message recorded as a duplicate by law of 2026/1
    WHEN that very message is delivered again
    THEN nothing new: no link, no answer; the inbound list shows 2026/1 for all three."""
    pipeline = make_pipeline(engine, tmp_path, pki)
    pipeline.process("first", _mail(signed_pdf, "<a@rachgia>"), envelope())
    copy = _mail(signed_pdf, "<b@rachgia>", "Gửi lại: Công văn 54/UBND-VP")
    pipeline.process("copy", copy, envelope())
    again = pipeline.process("copy-again", copy, envelope())
    assert (again.outcome, again.answered) == ("duplicate", False)
    assert count(engine, EntryLink) == 1
    assert len(outbox(engine)) == 2
    with read_session(engine) as session:
        messages = list(session.scalars(select(InboundMessage).order_by(col(InboundMessage.id))))
        numbers = entry_numbers_by_inbound(session, messages)
    assert [numbers[m.id] for m in messages if m.id is not None] == [["2026/1"]] * 3
