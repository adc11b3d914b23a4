"""dashboard waits: a task's days from assigned to acknowledged and from acknowledged to
started, in calendar and working days (existing tasks filled in), and covering indexes for
the dashboard's waiting times and caseloads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from activities.case_metrics import wait_days

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("acknowledge_wait", "acknowledge_wait_working", "start_wait", "start_wait_working")


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer()))
        batch_op.drop_index("ix_task_acknowledged_at")
        batch_op.drop_index("ix_task_started_at")
        batch_op.create_index(
            "ix_task_acknowledge_wait",
            ["acknowledged_at", "department", "acknowledge_wait", "acknowledge_wait_working"],
        )
        batch_op.create_index(
            "ix_task_start_wait", ["started_at", "department", "start_wait", "start_wait_working"]
        )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_team_wait", ["team_meeting_on", "referred_at", "coordinator_id"]
        )
        batch_op.create_index(
            "ix_case_decision_wait", ["decided_on", "team_meeting_on", "coordinator_id"]
        )
        batch_op.create_index(
            "ix_case_effort_wait", ["first_effort_at", "decided_on", "coordinator_id"]
        )
        batch_op.create_index(
            "ix_case_stage_coordinator", ["stage", "coordinator_id", "timing_profile"]
        )
    task = sa.table(
        "task",
        sa.column("id", sa.Uuid()),
        sa.column("assigned_at", sa.DateTime(timezone=True)),
        sa.column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.column("started_at", sa.DateTime(timezone=True)),
        *(sa.column(name, sa.Integer()) for name in COLUMNS),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(task.c.id, task.c.assigned_at, task.c.acknowledged_at, task.c.started_at).where(
            task.c.acknowledged_at.is_not(None)
        )
    ).all()
    for task_id, assigned, acknowledged, started in rows:
        ack, ack_working = wait_days(assigned, acknowledged)
        start, start_working = wait_days(acknowledged, started)
        connection.execute(
            sa.update(task)
            .where(task.c.id == task_id)
            .values(
                acknowledge_wait=ack,
                acknowledge_wait_working=ack_working,
                start_wait=start,
                start_wait_working=start_working,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        for index in (
            "ix_case_stage_coordinator",
            "ix_case_effort_wait",
            "ix_case_decision_wait",
            "ix_case_team_wait",
        ):
            batch_op.drop_index(index)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_start_wait")
        batch_op.drop_index("ix_task_acknowledge_wait")
        batch_op.create_index("ix_task_started_at", ["started_at"])
        batch_op.create_index("ix_task_acknowledged_at", ["acknowledged_at"])
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
