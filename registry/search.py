"""Full-text search of the incoming register, with or without diacritics (part 6).

A query is folded like ``RegisterEntry.search_text`` (:func:`mailparse.documents.text.fold`: no
diacritics, đ → d, lower case) and split on whitespace; an entry matches when its search
text contains every word as a substring (AND), so "chan chinh" finds "chấn chỉnh", "dat dai"
finds "đất đai", and the fragments "54/UBND" and "UBND-VP" find "54/UBND-VP". A word
that starts with a digit must start a token: "54/UBND" does not find "154/UBND-VP", and the
incoming number "2026/17" (the recorder appends it to the search text) finds that entry.

The index behind it (migration 0005) is a trigram index on both databases: FTS5 ``trigram``
on SQLite, ``pg_trgm`` GIN on PostgreSQL. A trigram index answers substring queries of three
characters or more; shorter words ("vp", "so") are checked with LIKE on the rows that the
longer words selected (or, when every word is short, by a scan in newest-first order).
Trigrams rather than word tokens (FTS5 ``unicode61``, a ``simple`` tsvector) because the
meaning stays that of the LIKE scan they replace, on both databases alike: a clerk's
fragment of a number/symbol ("BND-V", "54/UB"), of a filename or of an incoming number
("2026/17") matches where a clerk expects it, with no tokenizer rules about "/" and "-".

Results come newest first (highest id: the register order). FTS5 yields candidates in that
order, so a page of a common word stops early; on PostgreSQL the newest entries are read
first for the same effect (``_newest_matches``); a year filter first looks up the year's
id range (index on year, id), so the scan, and the newest-first read, start at that
year's newest entry instead of walking through every later one. ``has_more`` replaces a
total: counting every match of a common word in a million entries costs far more than the
page (``count_entries`` counts up to a cap).

User input never reaches the FTS5 query language unquoted: each word becomes one FTS5
string (``"…"``, inner quotes doubled), so ``OR``, ``NEAR(``, ``*``, ``-`` and quotes are
text. On PostgreSQL the words are LIKE patterns with ``%`` and ``_`` escaped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Select,
    and_,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from mailparse.documents.text import fold
from registry.models import RegisterEntry
from registry.numbering import register_label

TRIGRAM = 3  # the shortest word a trigram index can look up
PROBE_WINDOW = 2_000  # newest entries read first on PostgreSQL (see _newest_matches)
COUNT_CAP = 10_000  # counting stops here: the console says "more than 10 000"

_FTS = table("register_search", column("rowid"))
_FTS_MATCH: ColumnClause[str] = literal_column("register_search")


@dataclass(frozen=True)
class SearchPage:
    """One page of matching entries, newest first; ``has_more`` when a next page exists."""

    entries: tuple[RegisterEntry, ...]
    offset: int
    limit: int
    has_more: bool


@dataclass(frozen=True)
class SearchTerms:
    """A query split for the index: words it can look up, and words too short for it."""

    indexed: tuple[str, ...]
    short: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.indexed and not self.short


def search_terms(text: str | None) -> SearchTerms:
    """The folded, de-duplicated words of a query, split by what a trigram index can do."""
    words = tuple(dict.fromkeys(fold(text or "").split()))
    return SearchTerms(
        indexed=tuple(w for w in words if len(w) >= TRIGRAM),
        short=tuple(w for w in words if len(w) < TRIGRAM),
    )


def searchable_text(*parts: str | None) -> str:
    """The ``search_text`` of an entry made of its fields (empty ones skipped), folded."""
    return " ".join(fold(part) for part in parts if part)


def entry_search_text(entry: RegisterEntry) -> str:
    """The ``search_text`` of an entry from its fields, as registration writes it (the
    fields of gateway.entries, then the incoming number): recompute it after a correction
    so that the index (kept in sync by the database) finds the corrected words."""
    return searchable_text(
        entry.document_number,
        entry.document_type,
        entry.summary,
        entry.issuer_name,
        entry.sender_agency_name,
        entry.signer_name,
        entry.sender_address,
        entry.filename,
        register_label(entry.year, entry.incoming_number),
    )


def fts5_query(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: every word a quoted string (substring), all required."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def search_entries(
    session: Session,
    text: str | None,
    *,
    year: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SearchPage:
    """Entries matching every word of ``text`` (and the filters), newest first.

    An empty ``text`` lists the entries under the filters. Pages are read one row past
    ``limit`` to tell whether another page exists, instead of counting every match.
    """
    terms = search_terms(text)
    bounds = _year_ids(session, year) if year is not None else None
    query = _matching(session, terms, year=year, bounds=bounds, status=status)
    newest = _newest_matches(session, terms, query, offset + limit + 1, bounds)
    if newest is not None:
        rows = newest[offset:]
    else:
        rows = list(session.scalars(query.limit(limit + 1).offset(offset)))
    return SearchPage(
        entries=tuple(rows[:limit]), offset=offset, limit=limit, has_more=len(rows) > limit
    )


def count_entries(
    session: Session,
    text: str | None,
    *,
    year: int | None = None,
    status: str | None = None,
    cap: int = COUNT_CAP,
) -> int:
    """How many entries match, counting at most ``cap`` (a common word matches most rows)."""
    bounds = _year_ids(session, year) if year is not None else None
    query = _matching(session, search_terms(text), year=year, bounds=bounds, status=status)
    capped = query.order_by(None).limit(cap).with_only_columns(col(RegisterEntry.id)).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def text_filter(session: Session, text: str | None) -> ColumnElement[bool] | None:
    """A WHERE condition for any select over RegisterEntry, or None for an empty query."""
    terms = search_terms(text)
    if terms.empty:
        return None
    fts = bool(terms.indexed) and _is_sqlite(session)
    conditions = _like_conditions(terms, fts=fts)
    if fts:
        ids = select(_FTS.c.rowid).where(_FTS_MATCH.op("MATCH")(fts5_query(terms.indexed)))
        conditions.insert(0, col(RegisterEntry.id).in_(ids))
    return and_(*conditions)


def exact_first(text: str | None) -> ColumnElement[int] | None:
    """An ORDER BY key that puts first the entries whose own words carry the query's
    diacritics: "chỉnh" lists "chấn chỉnh" before "chính quyền", which the folded search
    text cannot tell apart. None when the query has no diacritics (nothing to prefer).

    The key counts the query words with diacritics that the entry's fields contain as
    typed (lower case, or capitalised at the start of a sentence), negated so that an
    ascending sort puts the most exact entry first; the register order breaks ties.
    """
    words = [
        w
        for w in dict.fromkeys(unicodedata.normalize("NFC", text or "").lower().split())
        if fold(w) != w
    ]
    if not words:
        return None
    fields = [
        func.coalesce(col(c), "")
        for c in (
            RegisterEntry.summary,
            RegisterEntry.document_type,
            RegisterEntry.issuer_name,
            RegisterEntry.sender_agency_name,
            RegisterEntry.signer_name,
        )
    ]
    raw: ColumnElement[str] = fields[0]
    for part in fields[1:]:
        raw = raw + " " + part
    lowered = func.lower(raw)
    score: ColumnElement[int] = literal(0)
    for word in words[:8]:
        variants = (word, word[:1].upper() + word[1:], word.upper())
        hit = or_(
            lowered.contains(word, autoescape=True),
            *(raw.contains(v, autoescape=True) for v in variants),
        )
        score = score - case((hit, 1), else_=0)
    return score


def word_condition(word: str) -> ColumnElement[bool]:
    """What one word asks of ``search_text``: to occur in it; a word that starts with a digit
    must start a token ("54/ubnd" finds "54/ubnd-vp", not "154/ubnd-vp")."""
    if not word[:1].isdigit():
        return _contains(word)
    text = col(RegisterEntry.search_text)
    return or_(text.startswith(word, autoescape=True), _contains(" " + word))


def _matching(
    session: Session,
    terms: SearchTerms,
    *,
    year: int | None,
    bounds: tuple[int, int] | None,
    status: str | None,
) -> Select[RegisterEntry]:
    """The select of matching entries, newest (highest id) first; ``bounds``: the lowest
    and highest id of ``year`` (:func:`_year_ids`), None when it has no entry."""
    query = select(RegisterEntry)
    entry_id = cast(ColumnElement[int], col(RegisterEntry.id))
    fts = bool(terms.indexed) and _is_sqlite(session)
    if fts:
        # Driven by the FTS5 table, which yields its rowids in descending order without
        # sorting: a common word stops after one page instead of collecting every match.
        entry_id = _FTS.c.rowid
        query = query.join(_FTS, entry_id == col(RegisterEntry.id)).where(
            _FTS_MATCH.op("MATCH")(fts5_query(terms.indexed))
        )
    query = query.order_by(entry_id.desc()).where(*_like_conditions(terms, fts=fts))
    if year is not None:
        # The scan starts at the year's last id instead of walking through later years
        # (neither planner knows that ids and years grow together).
        query = query.where(col(RegisterEntry.year) == year)
        query = query.where(entry_id.between(*bounds) if bounds else false())
    if status is not None:
        query = query.where(col(RegisterEntry.status) == str(status))
    return query


def _newest_matches(
    session: Session,
    terms: SearchTerms,
    query: Select[RegisterEntry],
    wanted: int,
    bounds: tuple[int, int] | None,
) -> list[RegisterEntry] | None:
    """The first ``wanted`` matches, if the newest PROBE_WINDOW entries hold that many:
    the register's newest, or with a year filter (``bounds``) that year's newest.

    PostgreSQL's planner does not know that the matches of a common word are spread over
    the whole register: it may fetch and sort every match found through the trigram index
    instead of reading backwards until the page is full. Matches among the newest entries
    come first in newest-first order, so a window holding enough of them answers the page
    exactly; otherwise (a rare word) the planner's plan runs. FTS5 already streams newest
    first, so SQLite skips this. Within the window, bitmap scans are off: the planner
    would otherwise AND the id range with the trigram index's bitmap of every match in
    the register (30 ms for a common word at 1 000 000 entries) where reading the 2 000
    entries backwards takes under 1 ms.
    """
    if terms.empty or wanted > PROBE_WINDOW or _is_sqlite(session):
        return None
    top = bounds[1] if bounds else session.scalar(select(func.max(col(RegisterEntry.id))))
    if top is None:
        return None
    window = query.where(col(RegisterEntry.id) > top - PROBE_WINDOW).limit(wanted)
    session.execute(sql_text("SET LOCAL enable_bitmapscan = off"))
    try:
        rows = list(session.scalars(window))
    finally:  # the rest of the transaction is planned as usual
        session.execute(sql_text("SET LOCAL enable_bitmapscan TO DEFAULT"))
    return rows if len(rows) >= wanted else None


def _year_ids(session: Session, year: int) -> tuple[int, int] | None:
    """The lowest and highest entry id of ``year`` (index on year, id), or None if empty."""
    of_year = col(RegisterEntry.year) == year
    low = session.scalar(select(func.min(col(RegisterEntry.id))).where(of_year))
    high = session.scalar(select(func.max(col(RegisterEntry.id))).where(of_year))
    return None if low is None or high is None else (low, high)


def _like_conditions(terms: SearchTerms, *, fts: bool) -> list[ColumnElement[bool]]:
    """The LIKE conditions beside the index: every word (pg_trgm serves LIKE itself), or
    beside FTS5 the short words and the anchoring of number-led words."""
    if not fts:
        return [word_condition(word) for word in terms.indexed + terms.short]
    anchored = tuple(word for word in terms.indexed if word[:1].isdigit())
    return [word_condition(word) for word in anchored + terms.short]


def _contains(word: str) -> ColumnElement[bool]:
    return col(RegisterEntry.search_text).contains(word, autoescape=True)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
