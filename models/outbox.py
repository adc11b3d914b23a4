"""Messages on their way to staff and citizens. A row is written before any provider is called,
and its key makes a retried send harmless: exactly one message per intent."""

import uuid
from datetime import datetime

from sqlmodel import Column, Field, Index, SQLModel

from models.db import UtcDateTime


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The delivery figures by when messages fell due, counted from the index alone
    # (models/delivery.py, api/dashboard/delivery.py).
    __table_args__ = (
        Index(
            "ix_outbox_message_delivery",
            "due_at",
            "case_id",
            "status",
            "channel",
            "handed_late",
            "handed_at",
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="case.id", index=True)
    staff_id: uuid.UUID | None = Field(default=None, foreign_key="staff.id", index=True)
    citizen_id: uuid.UUID | None = Field(default=None, foreign_key="citizen.id", index=True)
    channel: str = Field(max_length=20)
    # The phone number or e-mail address a citizen's message went to.
    address: str | None = Field(default=None, max_length=320)
    # Delivery by a provider: "outbox" when none is set up; else "sending" (written before the
    # provider is called), then Twilio's statuses. provider_id is the provider's message id.
    status: str = Field(default="outbox", max_length=20)
    provider_id: str | None = Field(default=None, max_length=64, index=True)
    purpose: str = Field(max_length=50)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    # A citizen's message: when it fell due, and when a provider (or, with none set up, the
    # outbox) had it. Late, or with no final status long after, it is flagged
    # (models/delivery.py).
    due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    handed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    handed_late: bool = False
