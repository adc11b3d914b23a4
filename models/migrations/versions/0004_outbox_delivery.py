"""outbox delivery

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="outbox")
        )
        batch_op.add_column(sa.Column("provider_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_provider_id"))
        batch_op.drop_column("provider_id")
        batch_op.drop_column("status")
