"""What the pages show of a course beyond its case row, written by the projection.

The workflow keeps only what its rules still need; these tables keep everything a
caseworker reads: every meeting, the coordinator's to-dos, the plan items, the messages to
the citizen, and the course's facts and continuity plan (on the case row). Each row carries
the sequence number it was written at, so a projection that arrives late never overwrites a
newer one.
"""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Index
from sqlmodel import Column, Field, SQLModel

from models.consent import ConsentRecord
from models.contact import ContactPreferences
from models.db import StrEnumType, UtcDateTime
from models.description import CombinedDescription, HealthAdvice
from models.enums import Channel, DeliveryStatus
from models.goals import Goal
from models.handover import Handover
from models.meeting import ReplyAnswer
from models.programme import DecisionRecord, RecommendationRecord, Stall
from models.progression import Progression


class CaseFacts(BaseModel):
    """The course's facts the case page and the board show, beside the case row's columns."""

    recommendation: RecommendationRecord | None = None
    decision: DecisionRecord | None = None
    end_reason: str = ""
    close_reason: str = ""
    team_flag: str = ""
    handover: Handover | None = None
    stalls: list[Stall] = []
    contact: ContactPreferences = ContactPreferences()
    consents: list[ConsentRecord] = []
    goals: list[Goal] = []
    progression: Progression = Progression()
    description: CombinedDescription | None = None
    health_advice: HealthAdvice | None = None
    longer_wished: str = ""


class CaseMeeting(SQLModel, table=True):
    """A meeting with the citizen, as it stands; `data` is the whole agreement."""

    __tablename__ = "case_meeting"
    __table_args__ = (
        Index("ix_case_meeting_case_starts", "case_id", "starts_at"),
        # The dashboard's meeting figures, by quarter, outcome and facts, counted from the
        # index alone (api/dashboard/meetings.py).
        Index(
            "ix_case_meeting_figures",
            "starts_at",
            "status",
            "agreement_channel",
            "confirmed",
            "reminder",
            "case_id",
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    case_id: uuid.UUID = Field(foreign_key="case.id")
    starts_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    status: str = Field(max_length=30)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    seq: int = 0
    # For the dashboard, kept as the messages about the meeting go: whether the citizen
    # confirmed, the channel the agreement went by (none: the coordinator called), and
    # whether a reminder was delivered ("delivered"), sent with no word of delivery ("sent")
    # or neither ("").
    confirmed: bool = False
    agreement_channel: str | None = Field(default=None, max_length=20)
    reminder: str = Field(default="", max_length=20)


class CaseTodo(SQLModel, table=True):
    """Something the coordinator must do (phone the citizen, find a new time)."""

    __tablename__ = "case_todo"

    case_id: uuid.UUID = Field(foreign_key="case.id", primary_key=True)
    id: str = Field(primary_key=True, max_length=40)
    text: str = Field(max_length=500)
    meeting_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # A reply the service did not apply (models/meeting.py: Todo).
    reply: str = Field(default="", max_length=1600)
    answer: ReplyAnswer | None = Field(default=None, sa_type=StrEnumType(ReplyAnswer))
    candidates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seq: int = 0


PAUSE = "pause"  # the kind of a plan item that is a justified pause


class PlanItemRow(SQLModel, table=True):
    """An effort, treatment or meeting the coordinator recorded in the plan, or a pause."""

    __tablename__ = "plan_item"

    id: str = Field(primary_key=True, max_length=40)
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=20)  # a PlanItemKind, or "pause"
    start: date
    end: date
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    seq: int = 0


class CaseMessage(SQLModel, table=True):
    """A message to the citizen: waiting for its moment, or sent with its delivery status."""

    __tablename__ = "case_message"

    case_id: uuid.UUID = Field(foreign_key="case.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=200)
    purpose: str = Field(max_length=40)
    channel: str = Field(max_length=20)  # the first channel it waits for, or the one it went by
    meeting_id: str | None = Field(default=None, max_length=40)
    due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    status: str = Field(default="waiting", max_length=20)
    # A failed message with nothing left to try: the coordinator must call.
    gave_up: bool = False
    seq: int = 0

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def status_label(self) -> str:
        known = DeliveryStatus._value2member_map_.get(self.status)
        return known.label if isinstance(known, DeliveryStatus) else self.status

    @property
    def failed(self) -> bool:
        known = DeliveryStatus._value2member_map_.get(self.status)
        return isinstance(known, DeliveryStatus) and known.failed
