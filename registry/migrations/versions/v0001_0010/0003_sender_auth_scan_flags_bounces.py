"""sender authentication, scan results, entry flags, bounces

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite cannot drop and recreate inbound_message while
    # other tables hold foreign keys to it.
    op.add_column(
        "inbound_message",
        sa.Column("sender_auth", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "inbound_message",
        sa.Column("scan", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "register_entry",
        sa.Column("flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column("outbox_message", sa.Column("bounced_at", sa.DateTime(timezone=True)))
    op.add_column(
        "outbox_message",
        sa.Column("bounce_reason", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("bounce_reason")
        batch_op.drop_column("bounced_at")
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_column("flags")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("scan")
        batch_op.drop_column("sender_auth")
