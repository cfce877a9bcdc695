"""Sender authentication in the pipeline (R-FORGE): DKIM, SPF, DMARC through a fake DNS,
on SQLite and PostgreSQL; and every mail we send is DKIM-signed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dkim
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from gateway.outbox.dkim import DkimSigner
from gateway.pipeline.flow import Pipeline
from gateway.senderauth.dns import dkim_dnsfunc
from gateway.spool.envelope import Envelope
from registry.database import read_session
from registry.models import InboundMessage, OutboxMessage
from registry.queries import inbound_contract
from rules.decision import Policy
from tests.gateway.pipeline.test_pipeline import AGENCY, ZONE, count, make_pipeline
from tests.support.fakedns import FakeResolver, dkim_key
from tests.support.messages import official_mail
from tests.support.pki import TestPki

AGENCY_DOMAIN = "vp.rachgia.example.gov.vn"
AGENCY_IP = "203.0.113.25"
STRANGER_IP = "198.51.100.66"


@pytest.fixture(scope="module")
def agency_key() -> tuple[bytes, str]:
    return dkim_key()


def agency_dns(agency_key: tuple[bytes, str], spf: str = "-all") -> FakeResolver:
    """The agency publishes its DKIM key, SPF (its own server only) and DMARC p=reject."""
    return FakeResolver(
        txt={
            f"mail._domainkey.{AGENCY_DOMAIN}": [agency_key[1]],
            AGENCY_DOMAIN: [f"v=spf1 ip4:{AGENCY_IP}/32 {spf}"],
            f"_dmarc.{AGENCY_DOMAIN}": ["v=DMARC1; p=reject; rua=mailto:dmarc@example.gov.vn"],
        }
    )


def pipeline(
    engine: Engine, tmp_path: Path, pki: TestPki, resolver: FakeResolver, **changes: Any
) -> Pipeline:
    policy = changes.pop("policy", Policy())
    base = make_pipeline(engine, tmp_path, pki)
    return dataclasses.replace(base, resolver=resolver, policy=policy, **changes)


def smtp(ip: str, mail_from: str = AGENCY) -> Envelope:
    return Envelope(
        received_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        protocol="smtp",
        mail_from=mail_from,
        rcpt_tos=("vanthu@example.gov.vn",),
        peer=f"{ip}:40125",
        helo="mail.example.net",
    )


def signed_by_agency(agency_key: tuple[bytes, str], raw: bytes) -> bytes:
    return DkimSigner("mail", AGENCY_DOMAIN, agency_key[0])(raw)


def inbound(engine: Engine) -> InboundMessage:
    with read_session(engine) as session:
        return session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())).first()  # type: ignore[union-attr,return-value]


def test_dkim_pass_is_recorded_and_the_document_accepted(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes, agency_key: tuple[bytes, str]
) -> None:
    """GIVEN an agency mail DKIM-signed by its domain, sent from an outside IP (SPF fail)
    WHEN processed THEN DKIM passes, DMARC passes through DKIM alignment, the document is
    registered, and `inbound list --json` shows sender_auth."""
    raw = signed_by_agency(
        agency_key,
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")]),
    )
    result = pipeline(engine, tmp_path, pki, agency_dns(agency_key)).process(
        "dk1", raw, smtp(STRANGER_IP)
    )
    assert (result.outcome, result.entries) == ("accepted", ("2026/1",))
    record = inbound(engine)
    assert record.sender_auth["dkim"] == [
        {"domain": AGENCY_DOMAIN, "selector": "mail", "result": "pass"}
    ]
    assert (record.sender_auth["spf"], record.sender_auth["dmarc"]) == ("fail", "pass")
    assert record.sender_agency_code == "VP"
    assert inbound_contract(record, [], ZONE)["sender_auth"]["dmarc"] == "pass"


@pytest.mark.parametrize("policy", ["record", "reject"])
def test_dkim_fail_is_recorded_and_rejected_only_by_policy(
    *,
    engine: Engine,
    tmp_path: Path,
    pki: TestPki,
    signed_pdf: bytes,
    agency_key: tuple[bytes, str],
    policy: str,
) -> None:
    """GIVEN a DKIM-signed agency mail altered after signing, from the agency's own server
    (SPF pass, so DMARC passes) WHEN processed THEN DKIM "fail" is recorded; with [auth]
    policy=record it is accepted, with reject it is refused sender-authentication-failed."""
    raw = signed_by_agency(
        agency_key,
        official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")]),
    ).replace(b"\r\nSubject: ", b"\r\nSubject: X", 1)  # altered after signing
    run = pipeline(engine, tmp_path, pki, agency_dns(agency_key), policy=Policy(auth=policy))  # type: ignore[arg-type]
    result = run.process("dk2", raw, smtp(AGENCY_IP))
    auth = inbound(engine).sender_auth
    assert [c["result"] for c in auth["dkim"]] == ["fail"]
    assert (auth["spf"], auth["dmarc"]) == ("pass", "pass")
    if policy == "record":
        assert result.outcome == "accepted"
    else:
        assert (result.outcome, result.reasons) == ("rejected", ("sender-authentication-failed",))


@pytest.mark.parametrize(
    ("ip", "qualifier", "spf", "outcome"),
    [
        (AGENCY_IP, "-all", "pass", "accepted"),
        (STRANGER_IP, "~all", "softfail", "accepted"),
        (STRANGER_IP, "-all", "fail", "rejected"),
    ],
)
def test_spf_pass_softfail_fail_under_policy_reject(
    *,
    engine: Engine,
    tmp_path: Path,
    pki: TestPki,
    signed_pdf: bytes,
    ip: str,
    qualifier: str,
    spf: str,
    outcome: str,
) -> None:
    """GIVEN an agency whose SPF allows only its own server, no DKIM, no DMARC record,
    and [auth] policy=reject WHEN its mail arrives from IP X THEN SPF is pass / softfail /
    fail as the record says; only "fail" refuses (softfail is not a failure)."""
    resolver = FakeResolver(txt={AGENCY_DOMAIN: [f"v=spf1 ip4:{AGENCY_IP} {qualifier}"]})
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run = pipeline(engine, tmp_path, pki, resolver, policy=Policy(auth="reject"))
    result = run.process("spf", raw, smtp(ip))
    assert inbound(engine).sender_auth["spf"] == spf
    assert inbound(engine).sender_auth["dmarc"] == "none"
    assert result.outcome == outcome
    if outcome == "rejected":
        assert result.reasons == ("sender-authentication-failed",)


@pytest.mark.parametrize(
    ("policy", "reason"),
    [("record", "unknown-sender"), ("reject", "sender-authentication-failed")],
)
def test_forged_from_of_a_directory_agency_failing_dmarc_is_not_that_agency(
    *,
    engine: Engine,
    tmp_path: Path,
    pki: TestPki,
    signed_pdf: bytes,
    agency_key: tuple[bytes, str],
    policy: str,
    reason: str,
) -> None:
    """GIVEN a forger's mail whose From and MAIL FROM name a directory agency that
    publishes DMARC p=reject, sent from the forger's IP without a DKIM signature
    WHEN processed THEN DMARC fails, the message is not accepted as that agency
    (unknown-sender; sender-authentication-failed under [auth] policy=reject), no incoming
    number is used, and no rejection is mailed to the forged address (backscatter)."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run = pipeline(engine, tmp_path, pki, agency_dns(agency_key), policy=Policy(auth=policy))  # type: ignore[arg-type]
    result = run.process("forged", raw, smtp(STRANGER_IP))
    assert (result.outcome, result.reasons, result.entries) == ("rejected", (reason,), ())
    assert result.answered is False
    record = inbound(engine)
    assert record.sender_agency_code is None
    assert record.sender_auth["dmarc"] == "fail"
    assert record.sender_auth["forged_agency"] == "VP"
    assert "no backscatter" in record.note
    assert count(engine, OutboxMessage) == 0
    if policy == "record":
        [step] = [s for s in record.trace if s["rule"] == "unknown-sender"]
        assert "ghi tên cơ quan VP nhưng không qua được DMARC" in step["why"]


def test_policy_hold_holds_a_failed_message_unanswered(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes, agency_key: tuple[bytes, str]
) -> None:
    """GIVEN [auth] policy=hold WHEN a forged agency mail arrives THEN it is held for a clerk
    with sender-authentication-failed and not answered yet."""
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run = pipeline(engine, tmp_path, pki, agency_dns(agency_key), policy=Policy(auth="hold"))
    result = run.process("hold", raw, smtp(STRANGER_IP))
    assert (result.outcome, result.reasons, result.answered) == (
        "held",
        ("sender-authentication-failed",),
        False,
    )


def test_dns_failure_is_a_temporary_error_and_rejects_nothing(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN DNS that fails for the agency's domain WHEN its mail arrives under policy reject
    THEN SPF and DMARC are recorded as temperror and the document is accepted."""
    resolver = FakeResolver(failing=[AGENCY_DOMAIN, f"_dmarc.{AGENCY_DOMAIN}"])
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    run = pipeline(engine, tmp_path, pki, resolver, policy=Policy(auth="reject"))
    assert run.process("tmp", raw, smtp(AGENCY_IP)).outcome == "accepted"
    auth = inbound(engine).sender_auth
    assert (auth["spf"], auth["dmarc"]) == ("temperror", "temperror")


def test_every_answer_is_dkim_signed_and_verifies(
    engine: Engine, tmp_path: Path, pki: TestPki, signed_pdf: bytes
) -> None:
    """GIVEN [outgoing] DKIM key and selector WHEN a receipt is queued THEN the outbox row
    holds signed bytes whose signature verifies against the published public key."""
    private, record = dkim_key()
    resolver = FakeResolver(txt={"gw2026._domainkey.example.gov.vn": [record]})
    signer = DkimSigner("gw2026", "example.gov.vn", private)
    raw = official_mail(sender=AGENCY, attachments=[("cv.pdf", signed_pdf, "application/pdf")])
    pipeline(engine, tmp_path, pki, resolver, signer=signer).process("sig", raw, smtp(AGENCY_IP))
    with read_session(engine) as session:
        [answer] = session.scalars(select(col(OutboxMessage.raw))).all()
    assert answer.startswith(b"DKIM-Signature:")
    assert b"x-document-status" in answer.split(b"\r\n\r\n")[0].lower()
    assert dkim.verify(answer, dnsfunc=dkim_dnsfunc(resolver)) is True
    assert (
        dkim.verify(
            answer.replace(b"X-Document-Status: 03", b"X-Document-Status: 02"),
            dnsfunc=dkim_dnsfunc(resolver),
        )
        is False
    )
