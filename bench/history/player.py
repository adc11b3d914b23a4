"""The agenda a course is played from, and what each of its steps works with.

A course is an agenda of dated steps, and steps add later steps as life goes on (a booked
meeting plans the citizen's reply and its outcome). The steps of the heavy course's parts
(tasks, meetings, the rest of its life) share one Player: one agenda, one sender, and the
coordinator of the moment, who changes at the handover.
"""

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from bench.history.casework import Sender
from models.command import Actor
from models.programme import ProgrammeState
from models.staff import Staff
from tests.factories import actor_of

Step = Callable[[], Awaitable[None]]

# How long after a step its consequences (a message, a projection) are looked at.
AFTER_STEP = timedelta(minutes=1)


@dataclass(order=True)
class Entry:
    """One step of the course at its moment; steps of the same moment keep their order."""

    when: datetime
    order: int
    what: str = field(compare=False)
    step: Step = field(compare=False)


@dataclass
class Player:
    env: WorkflowEnvironment
    sender: Sender
    coordinator: Staff
    agenda: list[Entry] = field(default_factory=list)
    planned: int = 0
    # The state as the course last looked at it, for steps that need not ask again.
    last_state: ProgrammeState | None = None

    def plan(self, when: datetime, what: str, step: Step) -> None:
        self.planned += 1
        heapq.heappush(self.agenda, Entry(when, self.planned, what, step))

    def next_entry(self) -> Entry | None:
        return heapq.heappop(self.agenda) if self.agenda else None

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    @property
    def me(self) -> Actor:
        """The coordinator of the moment, as the API names them in a command."""
        return actor_of(self.coordinator)
