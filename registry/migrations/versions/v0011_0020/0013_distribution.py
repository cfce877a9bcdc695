"""a leader's distribution: proposals, decisions, delegations (R-DISTRIB)

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # "awaiting_distribution" (DESIGN §4.3) does not fit the old 16 characters. SQLite
    # enforces no length, and rebuilding register_entry there (batch mode) would drop the
    # full-text search triggers of 0005: only PostgreSQL's column changes.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "register_entry",
            "status",
            existing_type=sa.String(16),
            type_=sa.String(32),
            existing_nullable=False,
        )
    op.create_table(
        "distribution",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("leader_code", sa.String(64), nullable=True),
        sa.Column("leader_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("leader_mailbox", sa.String(320), nullable=True),
        sa.Column("leader_account", sa.String(100), nullable=True),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("notice_message_id", sa.String(998), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(320), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.UniqueConstraint("entry_id", name="uq_distribution_entry"),
        sa.UniqueConstraint("token", name="uq_distribution_token"),
    )
    op.create_index("ix_distribution_leader_code", "distribution", ["leader_code"])
    op.create_index("ix_distribution_decided_at", "distribution", ["decided_at"])
    op.create_index("ix_distribution_notice_message_id", "distribution", ["notice_message_id"])
    op.create_table(
        "distribution_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("leader_code", sa.String(64), nullable=True),
        sa.Column("leader_mailbox", sa.String(320), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_distribution_digest_key"),
        sa.UniqueConstraint("token", name="uq_distribution_digest_token"),
    )
    op.create_index("ix_distribution_digest_message_id", "distribution_digest", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_distribution_digest_message_id", table_name="distribution_digest")
    op.drop_table("distribution_digest")
    op.drop_index("ix_distribution_notice_message_id", table_name="distribution")
    op.drop_index("ix_distribution_decided_at", table_name="distribution")
    op.drop_index("ix_distribution_leader_code", table_name="distribution")
    op.drop_table("distribution")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "register_entry",
            "status",
            existing_type=sa.String(32),
            type_=sa.String(16),
            existing_nullable=False,
        )
