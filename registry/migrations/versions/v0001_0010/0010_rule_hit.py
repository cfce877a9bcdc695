"""rule hits: one row per routing rule that matched a register entry

Backfilled from the traces already stored (``register_entry.routing_trace``), read in
batches of ids; register_entry itself is only read (it carries the search triggers).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.reports.rule_hits import matched_rule_names

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

BATCH = 2_000

_entries = sa.table(
    "register_entry",
    sa.column("id", sa.Integer()),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("rules_version", sa.Text()),
    sa.column("routing_trace", sa.JSON()),
)
_hits = sa.table(
    "rule_hit",
    sa.column("entry_id", sa.Integer()),
    sa.column("rule_name", sa.Text()),
    sa.column("rules_version", sa.Text()),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "rule_hit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("rule_name", sa.Text(), nullable=False),
        sa.Column("rules_version", sa.Text(), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rule_hit_entry_id", "rule_hit", ["entry_id"])
    op.create_index("ix_rule_hit_rule_name_at", "rule_hit", ["rule_name", "at"])
    _backfill(op.get_bind())


def _backfill(connection: sa.engine.Connection) -> None:
    """One rule_hit row per matched step of every stored trace, ``BATCH`` entries at a time
    (the dates are copied as stored: UTC on both databases)."""
    after = 0
    while True:
        batch = connection.execute(
            sa.select(
                _entries.c.id,
                _entries.c.received_at,
                _entries.c.rules_version,
                _entries.c.routing_trace,
            )
            .where(_entries.c.id > after)
            .order_by(_entries.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rows = [
            {"entry_id": id_, "rule_name": name, "rules_version": version or "", "at": at}
            for id_, at, version, trace in batch
            for name in matched_rule_names(trace)
        ]
        if rows:
            connection.execute(sa.insert(_hits), rows)
        after = batch[-1].id


def downgrade() -> None:
    op.drop_index("ix_rule_hit_rule_name_at", table_name="rule_hit")
    op.drop_index("ix_rule_hit_entry_id", table_name="rule_hit")
    op.drop_table("rule_hit")
