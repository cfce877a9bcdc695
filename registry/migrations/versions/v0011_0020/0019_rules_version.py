"""the routing rules in force, shared by every instance

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rules_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("saved_by", sa.String(100), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rules_version_version", "rules_version", ["version"])


def downgrade() -> None:
    op.drop_index("ix_rules_version_version", table_name="rules_version")
    op.drop_table("rules_version")
