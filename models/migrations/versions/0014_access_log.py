"""access log: every look at a citizen's data and every change, append-only and chained by
hashes so that a changed or removed row is found

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Uuid(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("department", sa.String(30)),
        sa.Column("citizen_id", sa.Uuid(), sa.ForeignKey("citizen.id"), nullable=False),
        sa.Column("case_id", sa.Uuid()),
        sa.Column("what", sa.String(200), nullable=False),
        sa.Column("why", sa.String(500), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_staff_id", "access_log", ["staff_id"])
    op.create_index("ix_access_log_citizen_id", "access_log", ["citizen_id"])
    head = op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appended", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("anchor_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "appended": 0, "last_hash": "0" * 64, "anchor_hash": "0" * 64}])


def downgrade() -> None:
    op.drop_table("access_log_head")
    op.drop_index("ix_access_log_citizen_id", table_name="access_log")
    op.drop_index("ix_access_log_staff_id", table_name="access_log")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
