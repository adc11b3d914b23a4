"""stalls

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stalled_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("stall_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_case_stalled_since"), ["stalled_since"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_stalled_since"))
        batch_op.drop_column("stall_reason")
        batch_op.drop_column("stalled_since")
