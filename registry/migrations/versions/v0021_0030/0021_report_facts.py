"""report_fact: each register entry's monthly-report facts, kept as they change, filled
from the register here (registry.reports.facts)

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# The facts as registry.reports.facts defined them at this revision: the lead is the first
# assignment by id with role 'lead' not reassigned; the rest as that module's docstring says.
FILL = """
INSERT INTO report_fact (entry_id, received_at, agency_code, agency_name, unit_code,
    unit_name, due_at, done_at, answered_at, registered_at, first_assigned_at, signed_valid,
    urgency, process_by, assign_by)
SELECT e.id, e.received_at, e.sender_agency_code, e.sender_agency_name, lead.unit_code,
    lead.unit_name, lead.due_at,
    CASE WHEN lead.status = 'done' THEN lead.done_at END,
    (SELECT min(o.created_at) FROM outbox_message o
        WHERE o.inbound_id = e.inbound_id AND o.kind IN ('receipt', 'rejection')),
    (SELECT min(a.at) FROM audit_event a
        WHERE a.entry_id = e.id AND a.action = 'entry.registered'),
    (SELECT min(f.created_at) FROM assignment f WHERE f.entry_id = e.id),
    coalesce((SELECT min(CASE WHEN s.verdict = 'valid' THEN 1 ELSE 0 END)
        FROM signature_result s WHERE s.entry_id = e.id), 0) = 1,
    e.urgency, e.process_by, e.assign_by
FROM register_entry e
LEFT OUTER JOIN assignment lead ON lead.id = (
    SELECT min(l.id) FROM assignment l
    WHERE l.entry_id = e.id AND l.role = 'lead' AND l.status <> 'reassigned')
"""


def _utc(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "report_fact",
        sa.Column(
            "entry_id",
            sa.Integer(),
            sa.ForeignKey("register_entry.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _utc("received_at", nullable=False),
        sa.Column("agency_code", sa.String(64), nullable=True),
        sa.Column("agency_name", sa.Text(), nullable=True),
        sa.Column("unit_code", sa.String(64), nullable=True),
        sa.Column("unit_name", sa.Text(), nullable=True),
        _utc("due_at"),
        _utc("done_at"),
        _utc("answered_at"),
        _utc("registered_at"),
        _utc("first_assigned_at"),
        sa.Column("signed_valid", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(32), nullable=False),
        _utc("process_by"),
        _utc("assign_by"),
    )
    op.execute(FILL)
    op.create_index("ix_report_fact_received_at", "report_fact", ["received_at"])
    op.create_index("ix_report_fact_done_at", "report_fact", ["done_at"])


def downgrade() -> None:
    op.drop_table("report_fact")
