"""task index by case and department: the dashboard's department filter asks, for each
case, whether it has a task in the department; without it SQLite walks every task of the
department for every case

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_case_department", ["case_id", "department"])
        batch_op.drop_index("ix_task_case_id")


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_case_id", ["case_id"])
        batch_op.drop_index("ix_task_case_department")
