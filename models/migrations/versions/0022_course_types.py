"""course types: the case's type and whether it was registered as already running, the
six-month effort rule and the health coordinator's advice on the case row, and an index for
the dashboard's split by type

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        # Every case before this revision is a ressourceforløb.
        batch_op.add_column(
            sa.Column(
                "course_type", sa.String(30), nullable=False, server_default="ressourceforloeb"
            )
        )
        batch_op.add_column(
            sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("effort_rule_missed_on", sa.Date()))
        batch_op.add_column(sa.Column("health_advice_requested_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("health_advice_received_at", sa.DateTime(timezone=True)))
        batch_op.create_index("ix_case_type_stage", ["course_type", "stage", "planned_end"])
        batch_op.create_index(
            "ix_case_effort_rule", ["course_type", "stage", "effort_rule_missed_on"]
        )
        batch_op.create_index(
            "ix_case_health_advice_wait",
            ["health_advice_received_at", "health_advice_requested_at", "coordinator_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_index("ix_case_health_advice_wait")
        batch_op.drop_index("ix_case_effort_rule")
        batch_op.drop_index("ix_case_type_stage")
        for column in (
            "health_advice_received_at",
            "health_advice_requested_at",
            "effort_rule_missed_on",
            "registered",
            "course_type",
        ):
            batch_op.drop_column(column)
