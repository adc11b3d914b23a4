"""meeting invites

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_invite",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("meeting_id", "staff_id"),
    )
    with op.batch_alter_table("meeting_invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_invite_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_invite_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meeting_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_invite_staff_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_invite_case_id"))

    op.drop_table("meeting_invite")
