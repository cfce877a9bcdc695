"""fixes from the users' trial: alerts an administrator must acknowledge (R-SECRET, R-VIRUS)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Shown on /system, in `gateway status` and on an administrator's dashboard until
    # acknowledged, whether or not [alerts] administrator is set (registry/alerts.py).
    op.create_table(
        "admin_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("spool_id", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("mailed_to", sa.String(320), nullable=False, server_default=""),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(100), nullable=False, server_default=""),
    )
    op.create_index("ix_admin_alert_acknowledged_at", "admin_alert", ["acknowledged_at"])


def downgrade() -> None:
    op.drop_index("ix_admin_alert_acknowledged_at", table_name="admin_alert")
    op.drop_table("admin_alert")
