"""dashboard: who a case waits on, pre-aggregated course figures, and each task breach

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting_on", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("first_effort_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("ended_quarter", sa.String(length=7)))
        batch_op.add_column(
            sa.Column("activity_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("first_fifth_share", sa.Float()))
        batch_op.add_column(sa.Column("last_fifth_share", sa.Float()))
        batch_op.add_column(sa.Column("timing_profile", sa.String(length=30)))
        batch_op.create_index(batch_op.f("ix_case_ended_quarter"), ["ended_quarter"])
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True)))
        batch_op.create_index(batch_op.f("ix_task_waiting_since"), ["waiting_since"])
        batch_op.create_index("ix_task_acknowledged_at", ["acknowledged_at"])
        batch_op.create_index("ix_task_started_at", ["started_at"])
    op.create_table(
        "task_breach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("department", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "kind"),
    )
    op.create_index(op.f("ix_task_breach_case_id"), "task_breach", ["case_id"])
    op.create_index(op.f("ix_task_breach_since"), "task_breach", ["since"])
    op.create_index(op.f("ix_task_breach_found_at"), "task_breach", ["found_at"])


def downgrade() -> None:
    op.drop_table("task_breach")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_started_at")
        batch_op.drop_index("ix_task_acknowledged_at")
        batch_op.drop_index(batch_op.f("ix_task_waiting_since"))
        batch_op.drop_column("waiting_since")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_ended_quarter"))
        for column in (
            "timing_profile",
            "last_fifth_share",
            "first_fifth_share",
            "activity_count",
            "ended_quarter",
            "first_effort_at",
            "waiting_on",
        ):
            batch_op.drop_column(column)
