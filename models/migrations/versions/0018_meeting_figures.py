"""meeting figures: whether the citizen confirmed, the channel the agreement went by and
whether a reminder reached them, on each meeting's row for the managers' dashboard

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_meeting") as batch_op:
        batch_op.add_column(
            sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("agreement_channel", sa.String(20)))
        batch_op.add_column(sa.Column("reminder", sa.String(20), nullable=False, server_default=""))
    op.create_index("ix_case_meeting_starts_status", "case_meeting", ["starts_at", "status"])
    # Meetings before this: the confirmation is in their data; the messages' share is not
    # worked out again, so they count as without agreement channel or reminder.
    op.execute("UPDATE case_meeting SET confirmed = true WHERE status = 'confirmed'")


def downgrade() -> None:
    op.drop_index("ix_case_meeting_starts_status", table_name="case_meeting")
    with op.batch_alter_table("case_meeting") as batch_op:
        batch_op.drop_column("reminder")
        batch_op.drop_column("agreement_channel")
        batch_op.drop_column("confirmed")
