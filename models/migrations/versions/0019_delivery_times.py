"""delivery times: when a citizen's message fell due and when a provider (or the outbox) had
it, so that late and unresolved messages can be flagged

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(
            sa.Column("handed_late", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_outbox_message_delivery",
        "outbox_message",
        ["due_at", "case_id", "status", "channel", "handed_late", "handed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_delivery", table_name="outbox_message")
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("handed_late")
        batch_op.drop_column("handed_at")
        batch_op.drop_column("due_at")
