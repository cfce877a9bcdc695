"""the outgoing register (sổ đăng ký văn bản đi) and per-recipient deliveries (R-OUTREG, R-DELIVERY)

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outgoing_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "outgoing_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("outgoing_number", sa.Integer(), nullable=False),
        sa.Column("document_number", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("symbol", sa.String(length=160), nullable=True),
        sa.Column("document_key", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("document_type", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("urgency", sa.String(length=32), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.Text(), nullable=True),
        sa.Column("issuer_name", sa.Text(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        _when("issued_at"),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("answers_entry_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.String(length=32), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["answers_entry_id"], ["register_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "outgoing_number", name="uq_outgoing_number"),
        sa.UniqueConstraint("year", "document_key", name="uq_outgoing_document_key"),
    )
    with op.batch_alter_table("outgoing_document", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_document_year", ["year"])
        batch_op.create_index("ix_outgoing_document_document_sha256", ["document_sha256"])
        batch_op.create_index("ix_outgoing_document_issued_at", ["issued_at"])

    op.create_table(
        "outgoing_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.String(length=8), nullable=True),
        sa.Column("their_number", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _when("queued_at"),
        _when("sent_at", nullable=True),
        _when("confirmed_at", nullable=True),
        _when("updated_at"),
        _when("confirm_by"),
        _when("reminded_at", nullable=True),
        _when("overdue_at", nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["outgoing_document.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
        sa.UniqueConstraint("document_id", "position", name="uq_outgoing_position"),
    )
    with op.batch_alter_table("outgoing_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_delivery_document_id", ["document_id"])
        batch_op.create_index("ix_outgoing_delivery_code", ["code"])
        batch_op.create_index("ix_outgoing_delivery_status", ["status"])
        batch_op.create_index("ix_outgoing_delivery_confirm_by", ["confirm_by"])

    op.create_table(
        "outgoing_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.String(length=8), nullable=True),
        sa.Column("their_number", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("inbound_message_id", sa.String(length=998), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["outgoing_document.id"]),
        sa.ForeignKeyConstraint(["delivery_id"], ["outgoing_delivery.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outgoing_event", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_event_document_id", ["document_id"])
        batch_op.create_index("ix_outgoing_event_delivery_id", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("outgoing_event")
    op.drop_table("outgoing_delivery")
    op.drop_table("outgoing_document")
    op.drop_table("outgoing_counter")
