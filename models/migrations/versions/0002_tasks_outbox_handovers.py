"""tasks, outbox, handovers, department deadlines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("citizen_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizen.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_message_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("department", sa.String(length=30), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("considerations", sa.String(length=2000), nullable=False),
        sa.Column("expected_start", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("carries_recommendation", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breach", sa.String(length=30), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=2000), nullable=False),
        sa.Column("decline_reason", sa.String(length=2000), nullable=False),
        sa.Column("cancel_reason", sa.String(length=2000), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_task_department_state", ["department", "state"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handover_to_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("team_flagged", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f("ix_case_handover_to_id"), ["handover_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_case_handover_to_id_staff", "staff", ["handover_to_id"], ["id"]
        )

    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acknowledge_days", sa.Float(), nullable=False, server_default="3")
        )
        batch_op.add_column(
            sa.Column("escalation_interval_days", sa.Float(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_column("escalation_interval_days")
        batch_op.drop_column("acknowledge_days")

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_handover_to_id_staff", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_handover_to_id"))
        batch_op.drop_column("team_flagged")
        batch_op.drop_column("handover_to_id")

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_department_state")
        batch_op.drop_index(batch_op.f("ix_task_case_id"))

    op.drop_table("task")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_staff_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_created_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_citizen_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_case_id"))

    op.drop_table("outbox_message")
