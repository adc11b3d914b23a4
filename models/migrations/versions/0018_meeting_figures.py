"""meeting figures: whether the citizen confirmed, the channel the agreement went by and
whether a reminder reached them, on each meeting's row for the managers' dashboard

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Delivery statuses that mean the message did not arrive (models/enums.py: DeliveryStatus).
FAILED = ("failed", "undelivered")


def upgrade() -> None:
    with op.batch_alter_table("case_meeting") as batch_op:
        batch_op.add_column(
            sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("agreement_channel", sa.String(20)))
        batch_op.add_column(sa.Column("reminder", sa.String(20), nullable=False, server_default=""))
    op.create_index(
        "ix_case_meeting_figures",
        "case_meeting",
        ["starts_at", "status", "agreement_channel", "confirmed", "reminder", "case_id"],
    )
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """The meetings before this, as the projection now keeps them: confirmed from their data,
    the agreement's channel and the reminder from the messages about them."""
    meeting = sa.table(
        "case_meeting",
        sa.column("id", sa.String),
        sa.column("data", sa.JSON),
        sa.column("confirmed", sa.Boolean),
        sa.column("agreement_channel", sa.String),
        sa.column("reminder", sa.String),
    )
    message = sa.table(
        "case_message",
        sa.column("meeting_id", sa.String),
        sa.column("purpose", sa.String),
        sa.column("channel", sa.String),
        sa.column("status", sa.String),
        sa.column("sent_at", sa.DateTime),
    )
    agreement: dict[str, str] = {}
    reminder: dict[str, str] = {}
    sent = connection.execute(
        sa.select(message.c.meeting_id, message.c.purpose, message.c.channel, message.c.status)
        .where(message.c.meeting_id.is_not(None), message.c.sent_at.is_not(None))
        .where(message.c.status.not_in(FAILED))
        .order_by(message.c.sent_at)
    )
    for meeting_id, purpose, channel, status in sent:
        if purpose == "meeting_agreement":
            agreement[meeting_id] = channel
        elif purpose == "meeting_reminder" and reminder.get(meeting_id) != "delivered":
            reminder[meeting_id] = "delivered" if status == "delivered" else "sent"
    changes = [
        {
            "meeting": meeting_id,
            "confirmed": bool((data or {}).get("confirmed_at")),
            "channel": agreement.get(meeting_id),
            "reminded": reminder.get(meeting_id, ""),
        }
        for meeting_id, data in connection.execute(sa.select(meeting.c.id, meeting.c.data))
    ]
    if changes:
        connection.execute(
            meeting.update()
            .where(meeting.c.id == sa.bindparam("meeting"))
            .values(
                confirmed=sa.bindparam("confirmed"),
                agreement_channel=sa.bindparam("channel"),
                reminder=sa.bindparam("reminded"),
            ),
            changes,
        )


def downgrade() -> None:
    op.drop_index("ix_case_meeting_figures", table_name="case_meeting")
    with op.batch_alter_table("case_meeting") as batch_op:
        batch_op.drop_column("reminder")
        batch_op.drop_column("agreement_channel")
        batch_op.drop_column("confirmed")
