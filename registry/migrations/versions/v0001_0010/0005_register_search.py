"""full-text search of the register (FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL)

Revision ID: 0005
Revises: 0004

Both indexes are over ``register_entry.search_text`` (folded: no diacritics, đ → d, lower
case) and answer substring queries, so a search means the same on both databases and the
same as the LIKE scan it replaces: "chan chinh", "54/ubnd", "ubnd-vp", "2026/17".

- SQLite: an external-content FTS5 table with the ``trigram`` tokenizer, kept in sync by
  triggers; the existing rows are indexed here (``rebuild``).
- PostgreSQL: the ``pg_trgm`` extension (trusted since PostgreSQL 13: the database owner may
  create it) and a GIN ``gin_trgm_ops`` index, which serves ``LIKE '%…%'``; the index build
  indexes the existing rows.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# Newest-first pages within a year: min/max id of a year, and a backward scan by year.
YEAR_ID_UP = "CREATE INDEX IF NOT EXISTS ix_register_entry_year_id ON register_entry (year, id)"
YEAR_ID_DOWN = "DROP INDEX IF EXISTS ix_register_entry_year_id"
SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS register_search USING fts5("
    "search_text, content='register_entry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS register_search_insert AFTER INSERT ON register_entry BEGIN"
    " INSERT INTO register_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS register_search_delete AFTER DELETE ON register_entry BEGIN"
    " INSERT INTO register_search(register_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS register_search_update AFTER UPDATE OF search_text"
    " ON register_entry BEGIN"
    " INSERT INTO register_search(register_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO register_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO register_search(register_search) VALUES ('rebuild')",
    YEAR_ID_UP,
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS register_search_update",
    "DROP TRIGGER IF EXISTS register_search_delete",
    "DROP TRIGGER IF EXISTS register_search_insert",
    "DROP TABLE IF EXISTS register_search",
    YEAR_ID_DOWN,
)
POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_register_entry_search_trgm"
    " ON register_entry USING gin (search_text gin_trgm_ops)",
    YEAR_ID_UP,
)
# The extension stays: other objects of the database may use it.
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_register_entry_search_trgm", YEAR_ID_DOWN)


def upgrade() -> None:
    for statement in SQLITE_UP if _is_sqlite() else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if _is_sqlite() else POSTGRES_DOWN:
        op.execute(statement)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
