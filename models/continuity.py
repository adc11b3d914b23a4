"""The continuity plan: activities beyond tasks, justified pauses, and what the plan shows."""

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from models.command import Command, Directory, Reason, new_id
from models.enums import Department, PlanItemKind
from models.text import CitizenWording, OneLine

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), OneLine
]


class _Period(BaseModel):
    start: date
    end: date

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.end < self.start:
            raise ValueError("Slutdatoen kan ikke ligge før startdatoen.")
        return self


class PlanEffort(_Period):
    """An effort, treatment or meeting the coordinator records, with its owner."""

    id: str
    kind: PlanItemKind
    title: str
    owner: str
    department: Department | None = None
    # The sub-goal it works towards (models/goals.py).
    subgoal_id: str | None = None
    # How the citizen's page names it (models/text.py: CitizenWording); empty: not shown.
    citizen_text: str = ""


class Pause(_Period):
    """A period without activity, with the good reason for it."""

    id: str
    reason: str


class RecordEffort(Command, _Period):
    kind: PlanItemKind = PlanItemKind.EFFORT
    title: Title
    owner: Title = Field(description="Hvem står for det, fx 'Psykolog i Sundhed' eller 'Egen læge'")
    department: Department | None = None
    subgoal_id: str | None = Field(None, max_length=40, description="Delmålet, den er for")
    citizen_text: CitizenWording = Field(
        "", description="Sådan står den på borgerens side; tom: den står der ikke"
    )
    item_id: str | None = Field(None, description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        self.item_id = new_id()


class JustifyPause(Command, _Period):
    reason: Reason
    item_id: str | None = Field(None, description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        self.item_id = new_id()


class RemovePlanItem(Command):
    item_id: str


class PlanBar(BaseModel):
    """One bar of the plan picture: a task, effort or meeting over a period."""

    start: date
    end: date
    label: str
    lane: str
    kind: str  # task state, or the kind of effort
    overdue: bool = False


class Gap(BaseModel):
    start: date
    end: date
    justified: bool
    reason: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Overlap(BaseModel):
    start: date
    end: date
    count: int


class ContinuityPlan(BaseModel):
    window_start: date
    window_end: date
    bars: list[PlanBar]
    pauses: list[Pause]
    gaps: list[Gap]
    overlaps: list[Overlap]
    gap_threshold_days: int
    max_parallel: int
