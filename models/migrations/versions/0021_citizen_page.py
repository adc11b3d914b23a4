"""the citizen's page: personal links, one-time codes and sessions; the citizen as a reader
in the access log; how activities are named for the citizen; the coordinator's phone; and
progression measurement on the case row

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "citizen_link",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), sa.ForeignKey("citizen.id"), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("code_expires_at", sa.DateTime(timezone=True)),
        sa.Column("code_tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("code_asked_at", sa.DateTime(timezone=True)),
        sa.Column("codes_asked", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_citizen_link_token_hash", "citizen_link", ["token_hash"], unique=True)
    op.create_index("ix_citizen_link_citizen_id", "citizen_link", ["citizen_id"])
    op.create_table(
        "citizen_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("citizen_id", sa.Uuid(), sa.ForeignKey("citizen.id"), nullable=False),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("how", sa.String(30), nullable=False),
    )
    op.create_index("ix_citizen_session_citizen_id", "citizen_session", ["citizen_id"])
    with op.batch_alter_table("access_log") as batch_op:
        batch_op.alter_column("staff_id", existing_type=sa.Uuid(), nullable=True)
    with op.batch_alter_table("task") as batch_op:
        batch_op.add_column(
            sa.Column("citizen_text", sa.String(120), nullable=False, server_default="")
        )
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(20)))
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(sa.Column("progression_due_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("progression_change", sa.Float()))
        batch_op.create_index(
            "ix_case_progression",
            ["stage", "coordinator_id", "progression_change", "progression_due_at"],
        )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_index("ix_case_progression")
        batch_op.drop_column("progression_change")
        batch_op.drop_column("progression_due_at")
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("task") as batch_op:
        batch_op.drop_column("citizen_text")
    with op.batch_alter_table("access_log") as batch_op:
        batch_op.alter_column("staff_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_table("citizen_session")
    op.drop_table("citizen_link")
