"""reply to-dos: a reply the service did not apply keeps its whole text, the short answer it
gave and the meetings it may concern, for the coordinator to assign in one click

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_todo") as batch_op:
        batch_op.add_column(sa.Column("reply", sa.String(1600), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("answer", sa.String(30)))
        batch_op.add_column(sa.Column("candidates", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("case_todo") as batch_op:
        batch_op.drop_column("candidates")
        batch_op.drop_column("answer")
        batch_op.drop_column("reply")
