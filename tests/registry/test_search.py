"""Full-text search of the register on SQLite (FTS5) and PostgreSQL (pg_trgm), (R-REG)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import event, select, text, true, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from registry.database import alembic_config, make_engine, read_session, upgrade, write_session
from registry.models import EntryStatus, RegisterEntry
from registry.recorder import Recorder
from registry.search import (
    PROBE_WINDOW,
    count_entries,
    entry_search_text,
    exact_first,
    search_entries,
    search_terms,
    searchable_text,
    text_filter,
)
from tests.registry.test_register import entry_draft, inbound_draft

CHAN_CHINH = "Chấn chỉnh, tăng cường việc gửi, nhận văn bản điện tử"
DAT_DAI = "Về việc thu hồi đất đai để thực hiện dự án đường Lâm Quang Ky"
NGAN_SACH = "Quyết định phân bổ ngân sách nhà nước năm 2027"


def add(
    engine: Engine, key: str, summary: str, number: str = "54/UBND-VP", year: int = 2026
) -> str:
    """Register one entry whose search text is made of its number, type and summary."""
    with write_session(engine) as session:
        recorder = Recorder(session)
        inbound = recorder.add_inbound(inbound_draft(key))
        text = searchable_text(number, "Công văn", summary)
        draft = entry_draft(year, summary=summary, document_number=number, search_text=text)
        return str(recorder.add_entry(inbound, draft))


def found(engine: Engine, text: str, **filters: object) -> list[str]:
    """The summaries of the entries that ``text`` finds, newest first."""
    with read_session(engine) as session:
        page = search_entries(session, text, **filters)  # type: ignore[arg-type]
        return [entry.summary or "" for entry in page.entries]


@pytest.fixture
def register(engine: Engine) -> Engine:
    """Three entries: "chấn chỉnh" (54/UBND-VP), "đất đai" (12/QĐ-UBND), "ngân sách" (2027)."""
    add(engine, "a", CHAN_CHINH)
    add(engine, "b", DAT_DAI, number="12/QĐ-UBND")
    add(engine, "c", NGAN_SACH, number="7/QĐ-STC", year=2027)
    return engine


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chan chinh", CHAN_CHINH),
        ("chấn chỉnh", CHAN_CHINH),
        ("CHẤN CHỈNH", CHAN_CHINH),
        ("dat dai", DAT_DAI),
        ("Đất Đai", DAT_DAI),
        ("đất đai", DAT_DAI),
        ("lam quang ky", DAT_DAI),
    ],
)
def test_words_match_with_or_without_diacritics(
    register: Engine, query: str, expected: str
) -> None:
    """GIVEN entries with Vietnamese summaries WHEN searched with or without diacritics,
    in any case (đ = d) THEN exactly the entry holding those words is found."""
    assert found(register, query) == [expected]


@pytest.mark.parametrize("fragment", ["54/UBND", "UBND-VP", "54/ubnd-vp", "BND-V", "ubnd-vp chan"])
def test_number_and_symbol_fragments_match(register: Engine, fragment: str) -> None:
    """GIVEN the entry "54/UBND-VP" and another "12/QĐ-UBND" WHEN a fragment of the
    number/symbol is searched THEN only 54/UBND-VP is found."""
    assert found(register, fragment) == [CHAN_CHINH]


def test_every_word_must_match(register: Engine) -> None:
    """GIVEN "chấn chỉnh" in one entry and "ngân sách" in another WHEN both are searched
    together THEN nothing is found (AND), while each alone finds its entry."""
    assert found(register, "chan chinh ngan sach") == []
    assert found(register, "ngan sach") == [NGAN_SACH]
    assert found(register, "dat dai 12/QD") == [DAT_DAI]


def test_an_unrelated_word_finds_nothing(register: Engine) -> None:
    """GIVEN the three entries WHEN a word none of them holds is searched THEN no entry."""
    assert found(register, "giáo dục") == []
    assert found(register, "100%") == []
    assert found(register, "u_nd") == []  # LIKE wildcards are text


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"chan',
        "chan*",
        "*",
        "chan OR dat",
        "NEAR(chan dat)",
        "-chan",
        "chan -dat",
        "chan AND",
        "^chan",
        "search_text:chan",
        "(",
        "{chan}",
        "'; DROP TABLE x; --",
        "\\",
    ],
)
def test_query_syntax_is_treated_as_text(register: Engine, query: str) -> None:
    """GIVEN the register WHEN a query holds FTS operators or quotes THEN it never raises and
    matches only as literal text: none of these strings occurs in an entry."""
    assert found(register, query) == []


def test_short_words_are_checked_beside_indexed_words(register: Engine) -> None:
    """GIVEN "… dự án đường Lâm Quang Ky" WHEN words shorter than a trigram are searched,
    alone or with longer ones THEN they still must match (as substrings)."""
    assert found(register, "du an ky") == [DAT_DAI]
    assert found(register, "vp") == [CHAN_CHINH]
    assert found(register, "dat xy") == []


def test_year_and_status_filters(register: Engine) -> None:
    """GIVEN entries of 2026 and 2027 WHEN filtered by year or status THEN only those match."""
    assert found(register, "", year=2027) == [NGAN_SACH]
    assert found(register, "cong van", year=2026) == [DAT_DAI, CHAN_CHINH]
    assert found(register, "ngan sach", year=2026) == []
    with write_session(register) as session:
        session.execute(
            update(RegisterEntry)
            .where(col(RegisterEntry.summary) == DAT_DAI)
            .values(status=EntryStatus.DONE)
        )
    assert found(register, "cong van", status=EntryStatus.DONE) == [DAT_DAI]
    assert found(register, "chan chinh", status=EntryStatus.DONE) == []


def test_newest_first_pages_and_count(engine: Engine) -> None:
    """GIVEN five matching entries WHEN read two at a time THEN pages run newest first and
    say whether another page exists; the count says five."""
    numbers = [add(engine, f"p{n}", f"Báo cáo số {n} về đất đai") for n in range(5)]
    with read_session(engine) as session:
        pages = [search_entries(session, "dat dai", limit=2, offset=o) for o in (0, 2, 4)]
        seen = [f"{e.year}/{e.incoming_number}" for p in pages for e in p.entries]
        assert seen == numbers[::-1]
        assert [p.has_more for p in pages] == [True, True, False]
        assert count_entries(session, "dat dai") == 5
        assert count_entries(session, "dat dai", cap=3) == 3


def copies(engine: Engine, year: int, count: int, search_text: str) -> None:
    """``count`` more entries of ``year`` (numbered on from 1 000), copied set-wise from the
    newest one with ``search_text``."""
    table = RegisterEntry.__table__  # type: ignore[attr-defined]
    kept = [c.name for c in table.columns if c.name not in COPY_SETS]
    sets = ", ".join(COPY_SETS.values())
    statement = (
        f"INSERT INTO register_entry ({', '.join(kept + list(COPY_SETS))})"
        f" SELECT {', '.join(kept)}, {sets} FROM register_entry,"
        " generate_series(1, :count) AS n WHERE id = (SELECT max(id) FROM register_entry)"
    )
    with engine.begin() as connection:
        connection.execute(text(statement), {"year": year, "count": count, "text": search_text})


COPY_SETS = {
    "id": "nextval('register_entry_id_seq')",
    "year": ":year",
    "incoming_number": "1000 + n",
    "document_key": "NULL",
    "search_text": ":text",
}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # FTS5 needs no window
def test_a_year_filtered_page_is_read_from_that_years_newest_entries(engine: Engine) -> None:
    """GIVEN 60 entries of 2026 about "đất đai", then more entries of 2027 than the newest
    entries PostgreSQL reads first WHEN 2026 is searched for "dat dai" THEN the page comes,
    newest first, from 2026's newest entries: no statement reads the year without that
    window (the planner's plan, which fetches and sorts every match of the year)."""
    numbers = [add(engine, f"y{n}", f"Báo cáo số {n} về đất đai") for n in range(60)]
    copies(engine, 2027, PROBE_WINDOW + 100, "cong van ve ngan sach")
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with read_session(engine) as session:
            page = search_entries(session, "dat dai", year=2026, limit=50)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [f"{e.year}/{e.incoming_number}" for e in page.entries] == numbers[::-1][:50]
    assert page.has_more
    reads = [s for s in statements if "search_text" in s]
    assert len(reads) == 1, reads
    assert "register_entry.id >" in reads[0]


def test_the_incoming_number_is_searchable(register: Engine) -> None:
    """GIVEN the first entry of 2026 WHEN its incoming number "2026/1" is searched
    THEN it is found (the recorder adds the number to the search text)."""
    assert found(register, "2026/1") == [CHAN_CHINH]


def test_an_updated_entry_is_reindexed(register: Engine) -> None:
    """GIVEN an entry about "chấn chỉnh" WHEN a clerk corrects its summary to "giáo dục" and
    its search text is recomputed THEN the new words find it and the old ones no longer do."""
    with write_session(register) as session:
        entry = session.scalars(
            select(RegisterEntry).where(col(RegisterEntry.summary) == CHAN_CHINH)
        ).one()
        entry.summary = "Về công tác giáo dục"
        entry.search_text = entry_search_text(entry)
    assert found(register, "chan chinh") == []
    assert found(register, "giao duc") == ["Về công tác giáo dục"]
    assert found(register, "giao duc bui trung thuc 2026/1") == ["Về công tác giáo dục"]


def entry_on_schema_0004(
    engine: Engine, year: int, number: int, received: str, search_text: str
) -> None:
    """One inbound message and its entry, written as schema 0004 had them (no index yet)."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO inbound_message (spool_id, sha256, fingerprint, received_at, protocol,"
            " envelope_from, subject, outcome, reasons, trace, answered, note)"
            " VALUES ('old', 'a', 'f', '2026-01-02 03:04:05', 'smtp', 'a@b.vn', 's',"
            " 'accepted', '[]', '[]', true, '')"
        )
        connection.execute(
            text(
                "INSERT INTO register_entry (inbound_id, year, incoming_number, received_at,"
                " urgency, reference_only, paper_required, needs_review, status, sha256,"
                " filename, document_sha256, search_text)"
                " SELECT id, :year, :number, :received, 'thuong', false, false, false,"
                " 'registered', 'a', 'x.pdf', 'b', :search_text FROM inbound_message"
            ),
            {"year": year, "number": number, "received": received, "search_text": search_text},
        )


def test_upgrade_from_0004_indexes_existing_rows(database_url: str) -> None:
    """GIVEN a register on schema 0004 with an entry WHEN upgraded to the latest schema
    THEN the entry is found through the new index, and new entries are indexed too."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004")
        entry_on_schema_0004(engine, 2025, 9, "2025-12-30 03:04:05", "54/ubnd-vp chan chinh")
        upgrade(engine)
        add(engine, "new", DAT_DAI)
        with read_session(engine) as session:
            [old] = search_entries(session, "UBND-VP chấn chỉnh").entries
            assert (old.year, old.incoming_number) == (2025, 9)
            [new] = search_entries(session, "dat dai").entries
            assert (new.year, new.incoming_number) == (2026, 1)
    finally:
        engine.dispose()


def test_search_terms_fold_and_split_by_trigram_length() -> None:
    """GIVEN a mixed query WHEN split THEN words are folded, de-duplicated, and those under
    three characters are set apart for the LIKE check."""
    terms = search_terms("Đất  đai ĐẤT dự án 54/UBND")
    assert terms.indexed == ("dat", "dai", "54/ubnd")
    assert terms.short == ("du", "an")
    assert search_terms("   ").empty


def test_downgrade_to_0004_drops_the_index_and_upgrade_rebuilds_it(database_url: str) -> None:
    """GIVEN a register at 0005 with an entry WHEN downgraded to 0004 THEN the FTS5 table and
    triggers (SQLite) or the trigram index (PostgreSQL) are gone; upgraded again, the entry
    is found through the rebuilt index."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004")
        entry_on_schema_0004(engine, 2026, 1, "2026-01-02 03:04:05", "12/qd-ubnd dat dai")
        upgrade(engine, "0005")
        sqlite = engine.dialect.name == "sqlite"
        assert search_objects(engine) == SEARCH_OBJECTS - (
            {"ix_register_entry_search_trgm"}
            if sqlite
            else {n for n in SEARCH_OBJECTS if "ix_" not in n}
        )
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert search_objects(engine) == set()
        upgrade(engine, "0005")
        with engine.connect() as connection:
            statement = "SELECT rowid FROM register_search WHERE register_search MATCH '\"dai\"'"
            if engine.dialect.name != "sqlite":
                statement = "SELECT id FROM register_entry WHERE search_text LIKE '%%dai%%'"
            assert len(connection.exec_driver_sql(statement).all()) == 1
    finally:
        engine.dispose()


SEARCH_OBJECTS = {
    "register_search",
    "register_search_insert",
    "register_search_update",
    "register_search_delete",
    "ix_register_entry_search_trgm",
    "ix_register_entry_year_id",
}


def search_objects(engine: Engine) -> set[str]:
    """The search objects of migration 0005 that exist in the database."""
    sqlite = engine.dialect.name == "sqlite"
    sql = "SELECT name FROM sqlite_master" if sqlite else "SELECT indexname FROM pg_indexes"
    with engine.connect() as connection:
        return {row[0] for row in connection.exec_driver_sql(sql)} & SEARCH_OBJECTS


def test_a_number_matches_from_the_start_of_a_token(engine: Engine) -> None:
    """GIVEN entries 54/UBND-VP and 154/UBND-VP WHEN "54/UBND" is searched THEN only 54 is
    found (a number-led word starts a token); a symbol fragment still finds both."""
    add(engine, "n154", "Về việc một trăm năm mươi tư", number="154/UBND-VP")
    add(engine, "n54", "Về việc năm mươi tư", number="54/UBND-VP")
    assert found(engine, "54/UBND") == ["Về việc năm mươi tư"]
    assert found(engine, "154/ubnd-vp") == ["Về việc một trăm năm mươi tư"]
    assert found(engine, "4/UBND") == []
    assert len(found(engine, "UBND-VP")) == 2


def ranked(engine: Engine, query: str) -> list[str]:
    """The summaries the register page lists for ``query``: exact diacritics first, then
    newest first (gateway.web.register_filters orders by these same keys)."""
    with read_session(engine) as session:
        order = [key for key in (exact_first(query),) if key is not None]
        matching = text_filter(session, query)
        rows = session.scalars(
            select(RegisterEntry)
            .where(matching if matching is not None else true())
            .order_by(*order, col(RegisterEntry.id).desc())
        )
        return [entry.summary or "" for entry in rows]


def test_a_query_with_diacritics_ranks_its_exact_matches_first(engine: Engine) -> None:
    """GIVEN "chấn chỉnh …" registered before "… chính quyền số …" (both fold to "chinh")
    WHEN the clerk types "chỉnh" with its diacritics THEN "chấn chỉnh" comes first although
    it is older; typed without diacritics, both stay in the register order (newest first);
    "chính" puts the other one first."""
    older = "Chấn chỉnh công tác văn thư, lưu trữ"
    newer = "Xây dựng chính quyền số năm 2027"
    add(engine, "x", older)
    add(engine, "y", newer)
    assert ranked(engine, "chỉnh") == [older, newer]
    assert ranked(engine, "CHỈNH") == [older, newer]
    assert ranked(engine, "chinh") == [newer, older]
    assert ranked(engine, "chính") == [newer, older]
    assert exact_first("chinh") is None


def test_every_migration_keeps_the_search_triggers_on_sqlite(tmp_path: Path) -> None:
    """GIVEN a SQLite database upgraded through every migration
    WHEN its triggers are listed THEN the full-text index is still kept in step with the
    register (a migration that rebuilds register_entry in batch mode would drop them)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        triggers = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    engine.dispose()
    assert {
        "register_search_insert",
        "register_search_delete",
        "register_search_update",
    } <= triggers
