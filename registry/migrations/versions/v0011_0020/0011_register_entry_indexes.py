"""register_entry indexes: received_at (the monthly report finds a month's entries by it)
and document_type (the register page lists the types present)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_register_entry_received_at", "register_entry", ["received_at"])
    op.create_index("ix_register_entry_document_type", "register_entry", ["document_type"])


def downgrade() -> None:
    op.drop_index("ix_register_entry_document_type", table_name="register_entry")
    op.drop_index("ix_register_entry_received_at", table_name="register_entry")
