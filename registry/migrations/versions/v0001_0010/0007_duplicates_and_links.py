"""duplicates by law and linked entries (recall, update, replace)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # The lawful identity of a document (registry.links.document_key); unique, NULL allowed
    # many times (entries that do not state issuer, number and date). Plain ADD COLUMN and a
    # separate index: no batch copy of register_entry, which other tables reference.
    op.add_column("register_entry", sa.Column("document_key", sa.String(length=400)))
    op.create_index(
        "ix_register_entry_document_key", "register_entry", ["document_key"], unique=True
    )
    # The edXML DocumentId (QCVN 102:2016): the same id is the same document; a recall,
    # update or replacement names the earlier document by it.
    op.add_column("register_entry", sa.Column("edxml_document_id", sa.String(length=400)))
    op.create_index("ix_register_entry_edxml_document_id", "register_entry", ["edxml_document_id"])
    op.create_table(
        "entry_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inbound_id", sa.Integer(), sa.ForeignKey("inbound_message.id"), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_entry_link_inbound_id", "entry_link", ["inbound_id"])
    op.create_index("ix_entry_link_entry_id", "entry_link", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_entry_link_entry_id", table_name="entry_link")
    op.drop_index("ix_entry_link_inbound_id", table_name="entry_link")
    op.drop_table("entry_link")
    op.drop_index("ix_register_entry_edxml_document_id", table_name="register_entry")
    op.drop_index("ix_register_entry_document_key", table_name="register_entry")
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_column("edxml_document_id")
        batch_op.drop_column("document_key")
