"""The outbox sender against a real SMTP relay (aiosmtpd sink) and the maildir."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from gateway.outbox import sender as sender_module
from gateway.outbox import transports
from gateway.outbox.sender import OutboxSender
from gateway.outbox.transports import MaildirTransport, RelayTransport
from registry.database import read_session, write_session
from registry.drafts import OutboxDraft
from registry.mail.outbox import claim_due, list_outbox
from registry.models import OutboxMessage
from registry.recorder import Recorder
from tests.support.sink import ACCEPT, SinkRelay, free_port

RAW = b"From: vanthu@example.gov.vn\r\nTo: a@vp.example.gov.vn\r\nSubject: x\r\n\r\nbody\r\n"


@pytest.fixture
def sink() -> Iterator[SinkRelay]:
    with SinkRelay() as relay:
        yield relay


@pytest.fixture
def relay(sink: SinkRelay) -> Iterator[RelayTransport]:
    """A transport to the sink; what it keeps open is closed after the test."""
    transport = RelayTransport(sink.url)
    yield transport
    transport.close()


def queue(engine: Engine, n: int = 1, first: int = 0) -> None:
    with write_session(engine) as session:
        recorder = Recorder(session)
        for i in range(first, first + n):
            recorder.add_outbox(
                None,
                OutboxDraft(
                    "receipt",
                    f"<r{i}@example.gov.vn>",
                    "vanthu@example.gov.vn",
                    "a@vp.example.gov.vn",
                    RAW,
                ),
            )


def make_due(engine: Engine) -> None:
    """Move every retry time into the past (instead of sleeping through the backoff)."""
    with write_session(engine) as session:
        session.execute(
            update(OutboxMessage).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def rows(engine: Engine) -> list[OutboxMessage]:
    with read_session(engine) as session:
        return list(list_outbox(session))


def test_relay_delivers_the_bytes_unchanged_and_marks_sent(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN a queued receipt WHEN the sender runs THEN the relay gets the exact bytes once."""
    queue(engine)
    assert OutboxSender(engine, relay).run_once() == 1
    [received] = sink.wait_for(1)
    assert received.raw == RAW
    assert tuple(received.rcpt_tos) == ("a@vp.example.gov.vn",)
    assert [r.status for r in rows(engine)] == ["sent"]
    assert OutboxSender(engine, relay).run_once() == 0


def test_a_round_hands_its_mails_over_one_connection(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN three queued mails WHEN one round delivers them THEN the relay sees them all,
    in order, over one connection (not one connection per mail), and all three are sent."""
    queue(engine, n=3)
    assert OutboxSender(engine, relay).run_once() == 3
    received = sink.wait_for(3)
    assert [m.raw for m in received] == [RAW] * 3
    assert len({m.peer for m in received}) == 1
    assert [r.status for r in rows(engine)] == ["sent"] * 3


def test_a_relay_that_hangs_up_between_mails_gets_the_next_on_a_new_connection(
    sink: SinkRelay,
    relay: RelayTransport,
) -> None:
    """GIVEN a relay that closes each connection after one mail WHEN a session sends two,
    the second after the relay hung up THEN both arrive, over two connections, and the
    second is not counted as a failure."""
    sink.hang_up_after_each = True
    with relay.session() as delivery:
        delivery.deliver(RAW, sender="a@x.gov.vn", recipients=["b@y.gov.vn"], message_id="<1@x>")
        sink.wait_for(1)
        time.sleep(0.3)  # the relay has closed the connection by now
        delivery.deliver(RAW, sender="a@x.gov.vn", recipients=["b@y.gov.vn"], message_id="<2@x>")
    first, second = sink.wait_for(2)
    assert first.peer != second.peer


def test_the_next_round_goes_over_the_same_connection_while_it_is_fresh(
    engine: Engine, sink: SinkRelay, relay: RelayTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a round that delivered one mail WHEN the next round follows at once THEN its
    mail goes over the same connection, not a new one; WHEN a round follows after the
    connection was idle longer than KEEP_SECONDS THEN that connection is quit and a new
    one carries the mail."""
    sender = OutboxSender(engine, relay)
    queue(engine)
    assert sender.run_once() == 1
    queue(engine, first=1)
    assert sender.run_once() == 1
    first, second = sink.wait_for(2)
    assert first.peer == second.peer
    assert sink.quits == 0
    monkeypatch.setattr(transports, "KEEP_SECONDS", 0.0)
    queue(engine, first=2)
    assert sender.run_once() == 1
    third = sink.wait_for(3)[2]
    assert third.peer != first.peer
    sink.wait_for_quits(1)
    assert [r.status for r in rows(engine)] == ["sent"] * 3


def test_an_idle_kept_connection_is_quit_and_one_the_relay_closed_is_reopened(
    engine: Engine, sink: SinkRelay, relay: RelayTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a kept connection WHEN a round finds nothing due after KEEP_SECONDS THEN the
    connection is quit; GIVEN a kept connection the relay closed meanwhile WHEN the next
    round sends THEN the mail goes over a new connection and counts as sent."""
    sender = OutboxSender(engine, relay)
    queue(engine)
    assert sender.run_once() == 1
    assert sender.run_once() == 0  # fresh: kept
    assert sink.quits == 0
    monkeypatch.setattr(transports, "KEEP_SECONDS", 0.0)
    assert sender.run_once() == 0  # idle too long: quit
    sink.wait_for_quits(1)
    monkeypatch.setattr(transports, "KEEP_SECONDS", 60.0)
    sink.hang_up_after_each = True
    queue(engine, first=1)
    assert sender.run_once() == 1
    time.sleep(0.3)  # the relay has closed the kept connection by now
    sink.hang_up_after_each = False
    queue(engine, first=2)
    assert sender.run_once() == 1
    _, second, third = sink.wait_for(3)
    assert second.peer != third.peer
    assert [r.status for r in rows(engine)] == ["sent"] * 3
    sender.close()
    sink.wait_for_quits(2)


def test_one_refused_mail_in_a_round_leaves_the_others_sent(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN three mails and a relay that refuses the second for good and has the third
    wait WHEN one round runs THEN the first is sent, the second failed with the relay's
    reply, the third is due again later; the relay took only the first."""
    queue(engine, n=3)
    sink.replies.extend([ACCEPT, "550 5.1.1 no such user", "451 4.3.0 try later"])
    assert OutboxSender(engine, relay).run_once() == 3
    first, second, third = rows(engine)
    assert first.status == "sent"
    assert (second.status, second.last_error) == ("failed", "550 5.1.1 no such user")
    assert (third.status, third.attempts) == ("pending", 1)
    assert "451" in third.last_error
    assert [m.raw for m in sink.messages] == [RAW]


def test_a_round_that_runs_out_of_time_gives_back_the_mails_it_did_not_reach(
    engine: Engine, sink: SinkRelay, monkeypatch: pytest.MonkeyPatch, relay: RelayTransport
) -> None:
    """GIVEN three queued mails and a round whose time is up after the first mail
    WHEN the round runs THEN the first is sent and the other two are due again at once,
    their attempt not counted; the next rounds send them."""
    queue(engine, n=3)
    monkeypatch.setattr(sender_module, "ROUND_SECONDS", 0.0)
    sender = OutboxSender(engine, relay)
    assert sender.run_once() == 1
    first, second, third = rows(engine)
    assert first.status == "sent"
    for row in (second, third):
        assert (row.status, row.attempts, row.lease_owner) == ("pending", 0, None)
        assert row.next_attempt_at <= datetime.now(UTC)
    assert sender.run_once() == 1
    assert sender.run_once() == 1
    assert [r.status for r in rows(engine)] == ["sent"] * 3
    assert len(sink.wait_for(3)) == 3


def test_4xx_is_retried_with_backoff_then_delivered(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN a relay that answers 451 once WHEN the sender runs, then again when due
    THEN the first attempt is rescheduled with the reason, the second delivers."""
    queue(engine)
    sink.replies.append("451 4.3.0 try later")
    sender = OutboxSender(engine, relay, retry_base_seconds=30)
    sender.run_once()
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error
    assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
    assert sender.run_once() == 0  # not yet due
    make_due(engine)
    sender.run_once()
    assert [r.status for r in rows(engine)] == ["sent"]
    assert len(sink.messages) == 1


def test_5xx_gives_up_at_once_with_the_reason(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN a relay that answers 550 WHEN the sender runs THEN the row fails with the reply."""
    queue(engine)
    sink.replies.append("550 5.7.1 relaying denied")
    OutboxSender(engine, relay).run_once()
    [row] = rows(engine)
    assert row.status == "failed"
    assert "550 5.7.1 relaying denied" in row.last_error


def test_unreachable_relay_is_retried_until_the_bound(engine: Engine) -> None:
    """GIVEN nothing listening at the relay address WHEN attempts run out
    THEN the row is failed, saying how many attempts were made."""
    queue(engine)
    sender = OutboxSender(
        engine, RelayTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2), max_attempts=3
    )
    for _ in range(3):
        make_due(engine)
        sender.run_once()
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "gave up after 3 attempts" in row.last_error


def test_maildir_delivery_is_exactly_once_per_message_id(engine: Engine, tmp_path: Path) -> None:
    """GIVEN a row delivered to the maildir whose 'sent' mark was lost (a crash)
    WHEN it is delivered again THEN still one file."""
    queue(engine)
    sender = OutboxSender(engine, MaildirTransport(tmp_path / "outbox"))
    sender.run_once()
    with write_session(engine) as session:
        session.execute(update(OutboxMessage).values(status="pending"))
    make_due(engine)
    sender.run_once()
    assert len(list((tmp_path / "outbox" / "new").iterdir())) == 1


def test_mail_left_mid_delivery_by_a_dead_gateway_is_due_again_at_start(
    engine: Engine, sink: SinkRelay, relay: RelayTransport
) -> None:
    """GIVEN a row leased by a gateway process of this host that has died (SIGKILL during
    delivery) and one leased by a live process WHEN a new gateway starts
    THEN the dead one's row is delivered at once; the live one's lease is respected."""
    queue(engine, n=2)
    dead_pid = subprocess.Popen(["true"])  # its pid is free once it has exited
    dead_pid.wait()
    host = socket.gethostname()
    now = datetime.now(UTC)
    with write_session(engine) as session:
        claim_due(session, now, lease=timedelta(minutes=5), owner=f"{host}:{dead_pid.pid}", limit=1)
        claim_due(session, now, lease=timedelta(minutes=5), owner=f"{host}:{os.getppid()}", limit=1)
    sender = OutboxSender(engine, relay)
    assert sender.run_once() == 0  # both leased
    assert sender.release_orphans() == 1
    assert sender.run_once() == 1
    assert [r.status for r in rows(engine)] == ["sent", "pending"]
