"""consent: what a task needs from other departments, the legal basis written where no
consent covers it and what that basis carries; whose information each timeline line tells of

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch_op:
        batch_op.add_column(sa.Column("needs", sa.String(100), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("legal_basis", sa.String(1000), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("by_law", sa.String(100), nullable=False, server_default=""))
    # Lines written before this carry no department; the timeline shows them only to those
    # who see the whole case, except the course's own milestones (api/case_sight.py).
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(30)))


def downgrade() -> None:
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.drop_column("department")
    with op.batch_alter_table("task") as batch_op:
        batch_op.drop_column("by_law")
        batch_op.drop_column("legal_basis")
        batch_op.drop_column("needs")
