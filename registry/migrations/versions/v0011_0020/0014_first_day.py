"""a real agency's first day: directory at province scale, unknown senders held for review

(DESIGN §4.9)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # Agencies imported (`gateway directory import`) or added by a clerk accepting a held
    # sender; they overlay agencies.yaml by code (docs/decisions/directory-in-database.md).
    op.create_table(
        "directory_agency",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent", sa.String(64), nullable=False, server_default=""),
        sa.Column("agency_group", sa.String(200), nullable=False, server_default=""),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("signer_organizations", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False, server_default=""),
        sa.Column("updated_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("directory_agency")
