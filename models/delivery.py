"""Delivery you can see: which messages to citizens went out late, or never got a final word.

GOV.UK Notify's anchor: 95 % of messages handed to the provider within 10 seconds, and tried
for 72 hours. A message handed over later than HAND_OVER after it fell due is late; one with
no final status FINAL_WITHIN after it fell due is unresolved. Both are flagged on the
coordinator's board and counted on the managers' dashboard.
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from models.outbox import OutboxMessage

HAND_OVER = timedelta(seconds=10)
FINAL_WITHIN = timedelta(hours=72)
# Statuses after which nothing more is heard: the provider's last word, an e-mail the relay
# took (SMTP says nothing after), or a message kept in the outbox where no provider is set up.
FINAL = ("delivered", "undelivered", "failed", "outbox")


def _final() -> ColumnElement[bool]:
    return or_(
        col(OutboxMessage.status).in_(FINAL),
        and_(col(OutboxMessage.channel) == "email", col(OutboxMessage.status) == "sent"),
    )


def handed_late(due_at: datetime | None, handed_at: datetime) -> bool:
    return due_at is not None and handed_at - due_at > HAND_OVER


def late(now: datetime) -> ColumnElement[bool]:
    """Handed over more than HAND_OVER after it fell due, or not yet and past that."""
    return or_(
        col(OutboxMessage.handed_late),
        and_(
            col(OutboxMessage.handed_at).is_(None),
            col(OutboxMessage.due_at) < now - HAND_OVER,
            col(OutboxMessage.status) != "failed",
        ),
    )


def unresolved(now: datetime) -> ColumnElement[bool]:
    return and_(col(OutboxMessage.due_at) < now - FINAL_WITHIN, ~_final())


def troubled(now: datetime) -> ColumnElement[bool]:
    """A citizen's message that is late or unresolved."""
    return and_(col(OutboxMessage.due_at).is_not(None), or_(late(now), unresolved(now)))
