"""One poller per watched folder across instances: the lease (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from registry.mail.imap_lease import hold, release

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


@pytest.mark.postgres
def test_a_folder_is_read_by_one_instance_and_taken_over_when_it_dies(engine: Engine) -> None:
    """GIVEN instance A holding the lease of vanthu/INBOX
    WHEN B asks while A's lease runs, then after it ran out
    THEN B is refused, then takes the folder over, and A's next renewal fails."""
    assert hold(engine, "vanthu", "INBOX", "a", now=T0, ttl=TTL)
    assert hold(engine, "vanthu", "INBOX", "a", now=T0 + timedelta(seconds=10), ttl=TTL)
    assert not hold(engine, "vanthu", "INBOX", "b", now=T0 + timedelta(seconds=20), ttl=TTL)
    assert hold(engine, "vanthu", "Other", "b", now=T0, ttl=TTL)  # each folder its own lease

    later = T0 + timedelta(seconds=41)  # A renewed at +10 s, so its lease ran to +40 s
    assert hold(engine, "vanthu", "INBOX", "b", now=later, ttl=TTL)
    assert not hold(engine, "vanthu", "INBOX", "a", now=later, ttl=TTL)


@pytest.mark.postgres
def test_a_clean_stop_hands_the_folder_over_at_once(engine: Engine) -> None:
    """GIVEN A holding the lease WHEN A releases it THEN B takes it without waiting;
    a release by a non-holder changes nothing."""
    assert hold(engine, "vanthu", "INBOX", "a", now=T0, ttl=TTL)
    release(engine, "vanthu", "INBOX", "b", now=T0)
    assert not hold(engine, "vanthu", "INBOX", "b", now=T0 + timedelta(seconds=1), ttl=TTL)
    release(engine, "vanthu", "INBOX", "a", now=T0 + timedelta(seconds=2))
    assert hold(engine, "vanthu", "INBOX", "b", now=T0 + timedelta(seconds=3), ttl=TTL)
