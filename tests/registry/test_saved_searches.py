"""Saved searches under a double click: two saves of one new name at the same moment end
as one saved search holding the later query, never an error page (DESIGN §4.6)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from registry.console.accounts import Role, add_user
from registry.console.saved_searches import SavedSearch, save_search, saved_searches, store_search
from registry.database import read_session, write_session

NAME = "Công văn khẩn của Sở Tài chính"


def test_two_saves_of_one_new_name_at_once_end_as_one_replaced_search(engine: Engine) -> None:
    """GIVEN a first save of a new name whose transaction is still open
    WHEN a second save of the same name starts meanwhile (its insert meets the first one's
    uncommitted row on PostgreSQL, or waits for the write lock on SQLite) and the first
    then commits
    THEN the second does not fail: the person has exactly one search of that name, holding
    the second query."""
    now = datetime.now(UTC)
    with write_session(engine) as session:
        add_user(
            session,
            username="vanthu",
            display_name="Văn thư",
            role=Role.CLERK,
            unit_code=None,
            password_hash="x",
            now=now,
        )
    first_saved, first_may_commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with write_session(engine) as session:
                save_search(session, "vanthu", NAME, "q=khan", now)
                first_saved.set()
                first_may_commit.wait(10)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    def second() -> None:
        try:
            store_search(engine, "vanthu", NAME, "q=khan&sender=STC", now)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert first_saved.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)  # the second save is now blocked behind the first's open transaction
    first_may_commit.set()
    one.join(20)
    two.join(20)

    assert failures == []
    with read_session(engine) as session:
        [search] = saved_searches(session, "vanthu")
        assert session.scalars(select(SavedSearch)).all() == [session.get(SavedSearch, search.id)]
    assert (search.name, search.query) == (NAME, "q=khan&sender=STC")
