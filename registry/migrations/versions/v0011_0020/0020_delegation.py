"""a leader's delegation for a period, officers' transfer requests, result files

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _utc(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("leader_code", sa.String(64), nullable=False),
        sa.Column("leader_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("delegate_code", sa.String(64), nullable=True),
        sa.Column("delegate_account", sa.String(100), nullable=True),
        sa.Column("delegate_mailbox", sa.String(320), nullable=True),
        sa.Column("delegate_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        _utc("created_at"),
        sa.Column("cancelled_by", sa.String(320), nullable=True),
        _utc("cancelled_at", nullable=True),
    )
    op.create_index("ix_delegation_leader_code", "delegation", ["leader_code"])
    op.create_index("ix_delegation_ends_on", "delegation", ["ends_on"])
    with op.batch_alter_table("distribution") as batch:
        batch.add_column(sa.Column("on_behalf_of", sa.Text(), nullable=True))
    op.create_table(
        "transfer_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("suggested_unit", sa.String(64), nullable=True),
        sa.Column("requested_by", sa.String(320), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        _utc("requested_at"),
        sa.Column("leader_code", sa.String(64), nullable=True),
        _utc("resolved_at", nullable=True),
        sa.Column("resolved_by", sa.String(320), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_transfer_request_entry_id", "transfer_request", ["entry_id"])
    op.create_index("ix_transfer_request_assignment_id", "transfer_request", ["assignment_id"])
    op.create_index("ix_transfer_request_resolved_at", "transfer_request", ["resolved_at"])
    op.create_table(
        "assignment_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("register_entry.id"), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(320), nullable=False),
        _utc("uploaded_at"),
    )
    op.create_index("ix_assignment_result_entry_id", "assignment_result", ["entry_id"])
    op.create_index("ix_assignment_result_assignment_id", "assignment_result", ["assignment_id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_result_assignment_id", table_name="assignment_result")
    op.drop_index("ix_assignment_result_entry_id", table_name="assignment_result")
    op.drop_table("assignment_result")
    op.drop_index("ix_transfer_request_resolved_at", table_name="transfer_request")
    op.drop_index("ix_transfer_request_assignment_id", table_name="transfer_request")
    op.drop_index("ix_transfer_request_entry_id", table_name="transfer_request")
    op.drop_table("transfer_request")
    with op.batch_alter_table("distribution") as batch:
        batch.drop_column("on_behalf_of")
    op.drop_index("ix_delegation_ends_on", table_name="delegation")
    op.drop_index("ix_delegation_leader_code", table_name="delegation")
    op.drop_table("delegation")
