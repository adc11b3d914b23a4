"""The heavy course's meetings with the citizen: about 60 over five years.

Each is booked with the service's reminders, confirmed by the citizen with "JA" (or asked to be
moved with "FLYT"), sometimes moved by the coordinator, then held or missed; every conversation
ends with the next appointment, until the course nears its end. Now and then the citizen writes
a message, which leaves the coordinator a to-do.
"""

import uuid
from collections import Counter
from datetime import date, datetime, timedelta

from bench.history.clock import at, weekday_from
from bench.history.material import MEETING_PURPOSE, PLACES, REMINDERS
from bench.history.player import AFTER_STEP, Player, Step
from models.danish_time import local_date
from models.enums import MeetingStatus
from models.meeting import (
    BookMeeting,
    CitizenReply,
    CompleteTodo,
    MoveMeeting,
    RecordMeetingOutcome,
)

MEETINGS = 60
# Days from a held meeting to the next one: spreads about 60 meetings over five years.
MEETING_EVERY_DAYS = 32
# A citizen who did not come is seen again soon.
AFTER_NO_SHOW_DAYS = 10


class Meetings:
    """Books each meeting and plans what follows from it; counts the booked and their
    outcomes."""

    def __init__(self, player: Player, decision_day: date) -> None:
        self.player = player
        self.decision_day = decision_day
        self.booked = 0
        self.outcomes: Counter[MeetingStatus] = Counter()

    async def book(self, index: int, starts_at: datetime) -> None:
        player = self.player
        kind, place = PLACES[index % len(PLACES)]
        meeting_id = str(uuid.uuid4())
        event = await player.sender.send(
            BookMeeting(
                actor=player.me,
                meeting_id=meeting_id,
                starts_at=starts_at,
                place_kind=kind,
                place=place,
                purpose=MEETING_PURPOSE,
                bring="lønsedler" if index % 5 == 0 else "",
                host_name=player.coordinator.full_name,
                reminders=REMINDERS,
            )
        )
        if event is None:
            return
        self.booked += 1
        self.expect_reminder(starts_at)
        day = local_date(await player.now())
        reply_at = at(day + timedelta(days=1), 12)
        if index % 12 == 5:
            # The citizen cannot come and asks for a new time; the coordinator moves it.
            player.plan(reply_at, "FLYT", self.reply("FLYT"))
            player.plan(
                at(day + timedelta(days=2), 9, 30),
                "move",
                self.move_step(index, meeting_id, starts_at + timedelta(days=2)),
            )
        elif index % 12 == 9:
            # The coordinator must move it herself, after the citizen confirmed.
            player.plan(reply_at, "JA", self.reply("JA"))
            player.plan(
                at(day + timedelta(days=7), 10),
                "move",
                self.move_step(index, meeting_id, starts_at + timedelta(days=1)),
            )
        else:
            player.plan(reply_at, "JA", self.reply("JA"))
            player.plan(
                starts_at + timedelta(minutes=90), "outcome", self.outcome(index, meeting_id)
            )
        if index % 8 == 3:
            player.plan(
                at(day + timedelta(days=3), 18), "message", self.reply("Må min kæreste komme med?")
            )
            player.plan(at(day + timedelta(days=4), 10), "todo", self.complete_todos)

    def expect_reminder(self, starts_at: datetime) -> None:
        """The provider's reports come just after the reminder goes, a day before."""

        async def step() -> None:
            pass  # the look after every step sends them

        self.player.plan(starts_at - timedelta(hours=24) + AFTER_STEP, "reminder reports", step)

    def reply(self, text: str) -> Step:
        async def step() -> None:
            # As the SMS webhook sends it, with the provider's message id.
            await self.player.sender.send(CitizenReply(text=text, reply_id=f"SM{uuid.uuid4().hex}"))

        return step

    def move_step(self, index: int, meeting_id: str, starts_at: datetime) -> Step:
        async def step() -> None:
            player = self.player
            await player.sender.send(
                MoveMeeting(
                    actor=player.me, meeting_id=meeting_id, starts_at=starts_at, reminders=REMINDERS
                )
            )
            self.expect_reminder(starts_at)
            day = local_date(await player.now())
            player.plan(at(day + timedelta(days=1), 12), "JA", self.reply("JA"))
            player.plan(
                starts_at + timedelta(minutes=90), "outcome", self.outcome(index, meeting_id)
            )

        return step

    def outcome(self, index: int, meeting_id: str) -> Step:
        async def step() -> None:
            player = self.player
            no_show = index % 10 == 7
            outcome = MeetingStatus.NO_SHOW if no_show else MeetingStatus.HELD
            recorded = await player.sender.send(
                RecordMeetingOutcome(
                    actor=player.me,
                    meeting_id=meeting_id,
                    outcome=outcome,
                    note="Borgeren kom ikke; ringet op." if no_show else "Næste skridt aftalt.",
                )
            )
            if recorded is not None:
                self.outcomes[outcome] += 1
            # Every conversation ends with the next appointment, until the course ends.
            now = await player.now()
            gap = AFTER_NO_SHOW_DAYS if no_show else MEETING_EVERY_DAYS
            next_at = at(weekday_from(local_date(now) + timedelta(days=gap)), 10)
            state = player.last_state or await player.sender.state()
            last_day = state.planned_end or self.decision_day + timedelta(days=61 * 30)
            if index + 1 < MEETINGS and local_date(next_at) < last_day - timedelta(days=5):
                await self.book(index + 1, next_at)

        return step

    async def complete_todos(self) -> None:
        state = await self.player.sender.state()
        for todo in state.todos:
            if todo.done_at is None:
                await self.player.sender.send(CompleteTodo(actor=self.player.me, todo_id=todo.id))
