"""The goal of the course and its sub-goals (the indsatsplan), written with the citizen.

One goal for the course, with sub-goals under it; each has a status and a date. Tasks and
efforts in the plan can be tied to a sub-goal, so the plan says what each is for.
"""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from models.command import Command, Directory, new_id
from models.enums import Labelled
from models.text import OneLine

GoalText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300), OneLine
]


class GoalStatus(Labelled):
    NOT_STARTED = "not_started", "Ikke startet"
    UNDER_WAY = "under_way", "I gang"
    REACHED = "reached", "Nået"
    DROPPED = "dropped", "Opgivet"


class Goal(BaseModel):
    id: str
    text: str
    # None: the course's goal; else the goal this is a sub-goal of.
    parent_id: str | None = None
    status: GoalStatus = GoalStatus.NOT_STARTED
    target_on: date | None = None
    written_at: datetime
    changed_at: datetime


class RecordGoal(Command):
    text: GoalText = Field(description="Målet med borgerens egne ord")
    target_on: date | None = Field(None, description="Hvornår målet skal være nået")
    sub_goal: bool = Field(False, description="Et delmål under forløbets mål")
    goal_id: str | None = Field(None, description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        self.goal_id = new_id()


class ChangeGoal(Command):
    goal_id: str = Field(max_length=40)
    status: GoalStatus
    target_on: date | None = None
