"""What every caseworker command carries; the API fills `actor` from the logged-in user."""

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Protocol

from pydantic import BaseModel, Field, StringConstraints

from models.enums import Department, Role
from models.text import Lines

if TYPE_CHECKING:
    from models.meeting import ReminderRule
    from models.task import TaskSla

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Lines]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000), Lines
]


class Actor(BaseModel):
    """Who performs an action; the workflow checks it again so the API is not the only guard."""

    id: str
    role: Role
    department: Department | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: Role
    department: Department | None


class Directory(Protocol):
    """What the server knows that a command needs and the workflow cannot look up: people,
    a department's deadlines, the municipality's reminder schedule."""

    def person(self, staff_id: str, missing: str) -> Person:
        """An active staff member; refuses with `missing` when there is none."""
        ...

    def coordinator_name(self) -> str: ...

    def department_sla(self, department: Department) -> "TaskSla | None": ...

    def reminders(self) -> "list[ReminderRule]": ...


class Command(BaseModel):
    actor: Actor | None = Field(None, description="Udfyldes af serveren ud fra brugeren")

    def complete(self, directory: Directory) -> None:
        """Fill in the fields marked 'Udfyldes af serveren' before the command is sent."""


def new_id() -> str:
    return str(uuid.uuid4())
