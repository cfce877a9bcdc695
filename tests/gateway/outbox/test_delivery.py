"""Handing finished mail over: the idempotent maildir and the SMTP relay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.errors import ConfigError, PermanentDeliveryError, TransientDeliveryError
from gateway.outbox.transports import MaildirTransport, RelayTransport, maildir_name, transport_for
from tests.support.sink import SinkRelay, free_port

SENDER = "vanthu@rachgia.gov.vn"
RECIPIENT = "vanthu@vinhthanh.rachgia.gov.vn"
MESSAGE_ID = "<answer-1@gateway.rachgia.gov.vn>"
RAW = (
    b"From: vanthu@rachgia.gov.vn\r\n"
    b"To: vanthu@vinhthanh.rachgia.gov.vn\r\n"
    b"Subject: =?utf-8?b?QmnDqm4gbmjhuq1u?=\r\n"
    b"Message-ID: <answer-1@gateway.rachgia.gov.vn>\r\n"
    b"\r\n"
    b"K=C3=ADnh g=E1=BB=ADi\r\n"
    b".a line starting with a dot\r\n"
    b"\r\n"
)


@pytest.fixture
def sink() -> Iterator[SinkRelay]:
    with SinkRelay() as relay:
        yield relay


def _files(root: Path) -> list[str]:
    return sorted(
        f"{sub}/{entry.name}" for sub in ("tmp", "new", "cur") for entry in (root / sub).iterdir()
    )


def test_maildir_delivers_once_per_message_id(tmp_path: Path) -> None:
    """GIVEN an empty maildir
    WHEN the same Message-ID is delivered twice (even spelled without brackets)
    THEN exactly one file is in new/, with the bytes unchanged, and tmp/ is empty."""
    transport = MaildirTransport(tmp_path / "outbox")
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    transport.deliver(
        RAW + b"changed\r\n",
        sender=SENDER,
        recipients=[RECIPIENT],
        message_id=MESSAGE_ID.strip("<>"),
    )
    name = maildir_name(MESSAGE_ID)
    assert _files(tmp_path / "outbox") == [f"new/{name}"]
    assert (tmp_path / "outbox" / "new" / name).read_bytes() == RAW


def test_maildir_message_read_and_flagged_is_not_delivered_again(tmp_path: Path) -> None:
    """GIVEN a delivered mail that a reader moved to cur/ with flags
    WHEN the same Message-ID is delivered again
    THEN nothing new appears in new/."""
    root = tmp_path / "outbox"
    transport = MaildirTransport(root)
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    name = maildir_name(MESSAGE_ID)
    (root / "new" / name).rename(root / "cur" / f"{name}:2,RS")
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    assert _files(root) == [f"cur/{name}:2,RS"]


def test_maildir_other_message_ids_get_their_own_files(tmp_path: Path) -> None:
    """GIVEN two different Message-IDs
    WHEN both are delivered
    THEN two files end up in new/."""
    transport = MaildirTransport(tmp_path)
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id="<a@gw>")
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id="<b@gw>")
    assert len(list((tmp_path / "new").iterdir())) == 2


def test_maildir_write_failure_is_transient(tmp_path: Path) -> None:
    """GIVEN a maildir root that is a regular file (cannot be created)
    WHEN a mail is delivered
    THEN a TransientDeliveryError is raised, not an OSError."""
    root = tmp_path / "outbox"
    root.write_bytes(b"")
    with pytest.raises(TransientDeliveryError, match="maildir"):
        MaildirTransport(root).deliver(
            RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID
        )


def test_relay_delivers_bytes_unchanged(sink: SinkRelay) -> None:
    """GIVEN a relay listening on loopback
    WHEN a mail is delivered through it
    THEN the relay receives exactly these bytes for this envelope."""
    RelayTransport(sink.url, timeout=5).deliver(
        RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID
    )
    [received] = sink.wait_for(1, timeout=5)
    assert received.raw == RAW
    assert received.mail_from == SENDER
    assert received.rcpt_tos == (RECIPIENT,)


def test_relay_4xx_is_transient_then_retry_succeeds(sink: SinkRelay) -> None:
    """GIVEN a relay that answers the first DATA with 451
    WHEN the mail is delivered, then retried
    THEN the first attempt raises TransientDeliveryError and the retry arrives."""
    sink.replies.append("451 4.3.0 try later")
    transport = RelayTransport(sink.url, timeout=5)
    with pytest.raises(TransientDeliveryError, match=r"^451 4\.3\.0 try later$"):
        transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    assert sink.messages == []
    transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    assert [message.raw for message in sink.wait_for(1)] == [RAW]


def test_relay_5xx_is_permanent_with_the_server_text(sink: SinkRelay) -> None:
    """GIVEN a relay that answers DATA with 550
    WHEN a mail is delivered
    THEN PermanentDeliveryError carries the server's code and text."""
    sink.replies.append("550 5.7.1 refused")
    with pytest.raises(PermanentDeliveryError) as caught:
        RelayTransport(sink.url, timeout=5).deliver(
            RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID
        )
    assert str(caught.value) == "550 5.7.1 refused"


def test_relay_not_listening_is_transient() -> None:
    """GIVEN a relay URL on a loopback port where nothing listens
    WHEN a mail is delivered
    THEN TransientDeliveryError is raised (no raw OSError escapes)."""
    transport = RelayTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(TransientDeliveryError, match="unreachable") as caught:
        transport.deliver(RAW, sender=SENDER, recipients=[RECIPIENT], message_id=MESSAGE_ID)
    assert isinstance(caught.value.__cause__, OSError)


def test_transport_for_and_bad_urls(tmp_path: Path) -> None:
    """GIVEN the [outgoing] relay setting
    WHEN the transport is chosen
    THEN empty means the maildir, a URL means the relay, anything else is a ConfigError."""
    assert isinstance(transport_for("", tmp_path), MaildirTransport)
    relay = transport_for("smtps://relay.example.gov.vn", tmp_path)
    assert isinstance(relay, RelayTransport)
    assert (relay.host, relay.port, relay.tls) == ("relay.example.gov.vn", 465, True)
    with pytest.raises(ConfigError):
        RelayTransport("http://relay.example.gov.vn:25")
    with pytest.raises(ConfigError):
        RelayTransport("smtp://relay.example.gov.vn:notaport")
