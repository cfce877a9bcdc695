"""routing: assignments, tokens, rules version and trace, clock events

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite cannot batch-copy register_entry (other tables reference it).
    op.add_column(
        "register_entry", sa.Column("rules_version", sa.Text(), nullable=False, server_default="")
    )
    for name, empty in (("routing_trace", "'[]'"), ("routing_facts", "'{}'"), ("tags", "'[]'")):
        op.add_column(
            "register_entry",
            sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text(empty)),
        )
    op.add_column(
        "register_entry", sa.Column("priority", sa.Integer(), nullable=False, server_default="0")
    )
    for name in ("process_by", "assign_by"):
        op.add_column("register_entry", sa.Column(name, sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("mailbox", sa.String(320), nullable=False),
        sa.Column("person", sa.String(320), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("routed_message_id", sa.String(998), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    for column in ("entry_id", "unit_code", "due_at", "status", "routed_message_id"):
        op.create_index(f"ix_assignment_{column}", "assignment", [column])

    op.create_table(
        "clock_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=True),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance", sa.String(200), nullable=False, server_default=""),
    )
    for column in ("kind", "entry_id", "assignment_id"):
        op.create_index(f"ix_clock_event_{column}", "clock_event", [column])


def downgrade() -> None:
    op.drop_table("clock_event")
    op.drop_table("assignment")
    for name in (
        "assign_by",
        "process_by",
        "priority",
        "tags",
        "routing_facts",
        "routing_trace",
        "rules_version",
    ):
        op.drop_column("register_entry", name)
