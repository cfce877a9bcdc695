"""hardening against hostile input: attachment names made safe, the name as sent kept

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # mailparse.filenames: `filename` is the safe name (no control characters, path parts
    # or bidi overrides); the name as sent is kept here when it differed.
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("original_filename", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_column("original_filename")
