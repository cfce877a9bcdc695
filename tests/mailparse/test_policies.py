"""mailparse.policies: the stdlib's policies, with each kind of header class made once."""

from __future__ import annotations

from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import Policy

from mailparse import policies


def compose(with_policy: Policy) -> bytes:
    msg = EmailMessage(policy=with_policy)
    msg["From"] = "Văn thư UBND <vanthu@example.gov.vn>"
    msg["To"] = "Phòng Kinh tế <kinhte@example.gov.vn>, a@b.example.gov.vn"
    msg["Subject"] = "Công văn số 54/UBND-VP về việc kiểm tra"
    msg["Message-ID"] = "<routed.2026-17@example.gov.vn>"
    msg["X-Incoming-Number"] = "2026/17"
    msg.set_content("Kính gửi: Phòng Kinh tế", subtype="plain", charset="utf-8")
    msg.add_alternative("<p>Kính gửi</p>", subtype="html", charset="utf-8")
    msg.add_attachment(
        b"%PDF-1.7", maintype="application", subtype="pdf", filename="54-UBND-VP công văn.pdf"
    )
    msg.set_boundary("=_routed_test")
    alternative = msg.get_payload(0)
    assert isinstance(alternative, EmailMessage)
    alternative.set_boundary("=_alt_test")
    return msg.as_bytes(policy=with_policy)


def test_one_class_per_kind_of_header_and_unknown_names_share_one() -> None:
    """GIVEN the policy's header factory WHEN classes are asked for THEN one class per kind
    (any spelling of a name), and every made-up name gets the one unstructured class: a
    message with thousands of header names adds nothing."""
    factory = policies.SMTP.header_factory
    assert isinstance(factory, policies.HeaderClasses)
    assert factory["Subject"] is factory["subject"] is factory["SUBJECT"]
    assert factory["From"] is factory["To"]  # both address-list headers
    assert factory["From"] is not factory["Subject"]
    made_up = {factory[f"X-Made-Up-{n}"] for n in range(1000)}
    assert made_up == {factory["X-Incoming-Number"]}
    # The stdlib makes a new class every time: the reason for this module.
    stdlib = HeaderRegistry()
    assert stdlib["Subject"] is not stdlib["Subject"]


def test_mail_is_composed_byte_for_byte_as_with_the_stdlib_policy() -> None:
    """GIVEN a routed-copy-like mail (Vietnamese names, subject and file name) WHEN composed
    with mailparse.policies.SMTP and with email.policy.SMTP THEN the bytes are the same."""
    assert compose(policies.SMTP) == compose(policy.SMTP)


def test_a_message_is_parsed_as_with_the_stdlib_policy() -> None:
    """GIVEN a message with encoded words, a folded header and a malformed address WHEN
    parsed with mailparse.policies.DEFAULT and with email.policy.default THEN every header
    has the same value, class kind and defects."""
    raw = (
        b"From: =?utf-8?b?VsSDbiB0aMawIFVCTkQ=?= <vanthu@example.gov.vn>\r\n"
        b"To: <broken@@example>, kinhte@example.gov.vn\r\n"
        b"Subject: =?utf-8?q?C=C3=B4ng_v=C4=83n?=\r\n the rest\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    )
    ours = BytesParser(policy=policies.DEFAULT).parsebytes(raw)
    theirs = BytesParser(policy=policy.default).parsebytes(raw)
    for name in ("From", "To", "Subject", "Content-Type"):
        mine, stdlib = ours[name], theirs[name]
        assert str(mine) == str(stdlib)
        assert type(mine).__mro__[1:] == type(stdlib).__mro__[1:]
        assert [type(d) for d in mine.defects] == [type(d) for d in stdlib.defects]
    assert ours["To"].defects  # the malformed address is still seen
