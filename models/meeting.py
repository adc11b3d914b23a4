"""Meeting agreements with the citizen, the messages about them, and the coordinator's to-dos."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, StringConstraints
from sqlmodel import Column, SQLModel
from sqlmodel import Field as SqlField

from models.command import Command, Directory, Reason, Text, new_id
from models.db import StrEnumType, UtcDateTime
from models.enums import Channel, DeliveryStatus, Department, Labelled, MeetingStatus, PlaceKind
from models.text import OneLine, without_hidden

# Short enough that every message to the citizen fits two SMS segments (see notifications).
Place = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60), OneLine
]
Purpose = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=50), OneLine
]
Bring = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), OneLine]


class Participant(BaseModel):
    staff_id: str
    name: str
    department: Department | None = None


class Meeting(BaseModel):
    id: str
    starts_at: datetime
    duration_minutes: int
    place_kind: PlaceKind
    place: str
    purpose: str
    bring: str = ""
    participants: list[Participant] = []
    host_name: str = ""
    status: MeetingStatus = MeetingStatus.BOOKED
    # Bumped when the meeting moves: messages about an older version are never sent.
    version: int = 1
    booked_at: datetime
    confirmed_at: datetime | None = None
    outcome_note: str = ""


class OutgoingMessage(BaseModel):
    """A message to the citizen waiting for its moment (a reminder, or the end of quiet hours)."""

    key: str
    purpose: str
    meeting_id: str | None = None
    meeting_version: int = 0
    due_at: datetime
    channels: list[Channel]
    attempt: int = 1
    # What a message about no meeting says (the new contact person's name); no contact detail.
    context: dict[str, str] = {}


class SentMessage(BaseModel):
    key: str
    purpose: str
    channel: Channel
    meeting_id: str | None = None
    sent_at: datetime
    status: DeliveryStatus = DeliveryStatus.QUEUED
    # The channels still to try if this one fails.
    fallback: list[Channel] = []
    attempt: int = 1
    context: dict[str, str] = {}


# The messages that ask the citizen whether the time suits them: a short answer can be about
# these, and a call about them waits for a key.
ANSWERABLE = ("meeting_agreement", "meeting_reminder", "meeting_moved")


class ReplyAnswer(Labelled):
    """What a short, clear reply from the citizen says about a meeting."""

    CONFIRM = "confirm", "Bekræfter mødet"
    NEW_TIME = "new_time", "Ønsker en ny tid"


_ANSWERS = {
    **dict.fromkeys(("JA", "OK", "1"), ReplyAnswer.CONFIRM),
    **dict.fromkeys(("NEJ", "FLYT", "AFLYS", "2"), ReplyAnswer.NEW_TIME),
}


def clear_answer(text: str) -> ReplyAnswer | None:
    """The answer a reply gives when it is one of the short answers and nothing more, case
    and punctuation aside. "Ja tak, men jeg kan ikke torsdag" is not one: it says more, so a
    person must read it."""
    return _ANSWERS.get("".join(c for c in text.upper() if c.isalnum()))


class Todo(BaseModel):
    """Something the coordinator must do: phone the citizen, find a new time, read a reply."""

    id: str
    text: str
    meeting_id: str | None = None
    created_at: datetime
    done_at: datetime | None = None
    # A reply from the citizen that the service did not apply: its whole text, the short
    # answer it gave if any, and the meetings it may concern, for the coordinator to choose.
    reply: str = ""
    answer: ReplyAnswer | None = None
    candidates: list[str] = []


class ReminderRule(BaseModel):
    hours_before: float = Field(gt=0, le=24 * 14)
    # None: the citizen's preferred channels; CALL: only for citizens who prefer calls.
    channel: Channel | None = None


class BookMeeting(Command):
    starts_at: AwareDatetime
    duration_minutes: int = Field(60, ge=10, le=480)
    place_kind: PlaceKind = PlaceKind.JOBCENTER
    place: Place
    purpose: Purpose
    bring: Bring = ""
    participants: list[Participant] = Field(default=[], description="Udfyldes af serveren")
    participant_ids: list[str] = Field(default=[], max_length=10)
    meeting_id: str | None = Field(None, description="Udfyldes af serveren")
    host_name: str = Field("", description="Udfyldes af serveren")
    reminders: list[ReminderRule] = Field(default=[], description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        self.meeting_id = new_id()
        self.host_name = directory.coordinator_name()
        people = [directory.person(i, "Deltageren findes ikke.") for i in self.participant_ids]
        self.participants = [
            Participant(staff_id=p.id, name=p.name, department=p.department) for p in people
        ]
        self.reminders = directory.reminders()


class MoveMeeting(Command):
    meeting_id: str
    starts_at: AwareDatetime
    reminders: list[ReminderRule] = Field(default=[], description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        self.reminders = directory.reminders()


class CancelMeeting(Command):
    meeting_id: str
    reason: Reason


class RecordMeetingOutcome(Command):
    meeting_id: str
    outcome: MeetingStatus
    note: Text = ""


REPLY_LIMIT = 1600  # Twilio's longest SMS
CUT = " [afkortet]"


def _kept(text: object) -> object:
    """A reply longer than any SMS can be is kept, cut at the limit with a mark."""
    if not isinstance(text, str):
        return text  # refused by the type check that follows
    text = without_hidden(text)
    return text if len(text) <= REPLY_LIMIT else text[: REPLY_LIMIT - len(CUT)] + CUT


class CitizenReply(Command):
    """What the citizen answered, by SMS or by a key in the call; routed by the server."""

    # Taken as the citizen wrote it, less any invisible control characters.
    text: Annotated[str, BeforeValidator(_kept)] = Field(max_length=REPLY_LIMIT)
    channel: Channel = Channel.SMS
    meeting_id: str | None = None
    # The provider's id of the reply: a webhook delivered twice is applied once.
    reply_id: str | None = None


class AssignReply(Command):
    """The coordinator says which meeting a reply concerns, and what it says about it."""

    todo_id: str
    meeting_id: str
    answer: ReplyAnswer


class AnswerMeeting(Command):
    """The citizen confirms the meeting or asks for a new time on their own page."""

    meeting_id: str = Field(max_length=40)
    answer: ReplyAnswer


class MoveReply(Command):
    """The citizen's answer went to the nearest meeting but was about another one."""

    from_meeting_id: str
    to_meeting_id: str


class DeliveryReport(Command):
    key: str
    status: DeliveryStatus
    # The provider's error code with a failure (models/provider_errors.py).
    error_code: int | None = None


class CompleteTodo(Command):
    todo_id: str


class MeetingInvite(SQLModel, table=True):
    """A staff member invited to a citizen's meeting, projected so their inbox can show it."""

    __tablename__ = "meeting_invite"

    meeting_id: str = SqlField(primary_key=True, max_length=40)
    staff_id: uuid.UUID = SqlField(primary_key=True, foreign_key="staff.id", index=True)
    case_id: uuid.UUID = SqlField(foreign_key="case.id", index=True)
    starts_at: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False))
    duration_minutes: int
    place: str = SqlField(max_length=60)
    purpose: str = SqlField(max_length=50)
    status: MeetingStatus = SqlField(sa_type=StrEnumType(MeetingStatus))
    # The projection's seq the row was written at: a late, older projection leaves it alone.
    seq: int = 0
