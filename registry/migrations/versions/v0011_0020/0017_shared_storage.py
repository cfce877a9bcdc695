"""storage every instance reads: bytes in the database, instance heartbeats, IMAP leases (DESIGN §3)

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_blob",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "restricted"),
    )
    op.create_table(
        "gateway_instance",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spool_waiting", sa.Integer(), nullable=False),
        sa.Column("spool_quarantined", sa.Integer(), nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )

    op.create_table(
        "imap_lease",
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("folder", sa.String(500), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "folder"),
    )


def downgrade() -> None:
    op.drop_table("imap_lease")
    op.drop_table("gateway_instance")
    op.drop_table("stored_blob")
