"""document fields read from the PDF and edXML (R-REG, DESIGN §4.3)

Revision ID: 0006
Revises: 0005

The register keeps, besides ``document_number`` ("54/UBND-VP"), the number and the symbol
apart, the place, the secrecy mark, the parent body, the signer's mark and position, the
CV144 catalogue row (R-TYPES), why a paper copy is required (R-PAPER / R-EXCL), where the
text came from (text layer or OCR), the conflicts between the document and the other
sources (mail subject, edXML, certificate), and a summary of the edXML envelope.
Plain added columns (nullable or with a server default) on SQLite and PostgreSQL alike.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _columns() -> tuple[sa.Column[object], ...]:
    """Fresh column objects (a Column belongs to one table once added)."""
    return (
        sa.Column("number", sa.String(32), nullable=True),
        sa.Column("symbol", sa.String(160), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("secrecy", sa.String(16), nullable=True),
        sa.Column("issuer_parent", sa.Text(), nullable=True),
        sa.Column("signer_mark", sa.String(8), nullable=True),
        sa.Column("signer_position", sa.Text(), nullable=True),
        sa.Column("catalogue_code", sa.String(8), nullable=True),
        sa.Column("paper_reason", sa.Text(), nullable=True),
        sa.Column("text_source", sa.Text(), nullable=False, server_default="text"),
        sa.Column("conflicts", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("edxml", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )


def upgrade() -> None:
    for column in _columns():
        op.add_column("register_entry", column)


def downgrade() -> None:
    for column in reversed(_columns()):
        op.drop_column("register_entry", column.name)
