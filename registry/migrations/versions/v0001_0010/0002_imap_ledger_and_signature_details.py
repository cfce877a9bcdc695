"""imap ledger and signature details

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _signature_details() -> list[sa.Column[object]]:
    return [
        sa.Column("indication", sa.String(length=32), nullable=True),
        sa.Column("sub_indication", sa.String(length=64), nullable=True),
        sa.Column("coverage", sa.String(length=32), nullable=True),
        sa.Column("modification_level", sa.String(length=32), nullable=True),
        sa.Column("timestamp_trusted", sa.Boolean(), nullable=True),
        sa.Column("revocation", sa.String(length=32), nullable=True),
        sa.Column("chain", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    ]


def upgrade() -> None:
    op.create_table(
        "imap_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("folder", sa.String(length=500), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("spool_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target_folder", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "folder", "uidvalidity", "uid", name="uq_imap_message"),
    )
    with op.batch_alter_table("imap_ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imap_ledger_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imap_ledger_spool_id"), ["spool_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imap_ledger_status"), ["status"], unique=False)
    with op.batch_alter_table("signature_result", schema=None) as batch_op:
        for column in _signature_details():
            batch_op.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("signature_result", schema=None) as batch_op:
        for column in reversed(_signature_details()):
            batch_op.drop_column(column.name)
    op.drop_table("imap_ledger")
