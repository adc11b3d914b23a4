"""Booking meetings with the citizen on the time-skipping server; the `course` fixture
(tests/workflows/conftest.py) gives a citizen who prefers SMS, then calls, then e-mail."""

import uuid
from datetime import date, datetime, time, timedelta

from models.danish_time import COPENHAGEN
from models.enums import Channel, PlaceKind
from models.meeting import BookMeeting, ReminderRule
from models.programme import ProgrammeState
from tests.factories import actor_of
from workflows.programme import ProgrammeWorkflow

REMINDERS = [ReminderRule(hours_before=24), ReminderRule(hours_before=2, channel=Channel.CALL)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


async def next_day(env) -> date:
    now: datetime = await env.get_current_time()
    return now.astimezone(COPENHAGEN).date() + timedelta(days=1)


async def state_of(running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


def booking(running, starts_at: datetime, **fields) -> BookMeeting:
    fields = {
        "place": "Hovedbiblioteket, Læsesalen",
        "purpose": "Hvordan går praktikken",
        **fields,
    }
    return BookMeeting(
        actor=actor_of(running.coordinator),
        meeting_id=str(uuid.uuid4()),
        starts_at=starts_at,
        place_kind=PlaceKind.LIBRARY,
        host_name="Mette Jensen",
        reminders=REMINDERS,
        **fields,
    )
