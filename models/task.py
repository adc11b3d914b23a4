"""Department tasks: their state inside the programme workflow, the commands on them, the table."""

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Index, SQLModel
from sqlmodel import Field as SqlField

from models.command import Command, Directory, Reason, Text, new_id
from models.consent import Categories, InfoCategory
from models.db import StrEnumType, UtcDateTime
from models.enums import Breach, Department, TaskState
from models.text import CitizenWording, Lines, OneLine

LegalBasis = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), Lines]
Purpose = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), OneLine
]


class TaskSla(BaseModel):
    """A department's deadlines, in Danish working days."""

    acknowledge_days: float = Field(3, gt=0, le=30)
    escalation_interval_days: float = Field(1, gt=0, le=30)


class BreachMark(BaseModel):
    """A deadline the task passed: since the deadline, found by the workflow's timer."""

    kind: Breach
    since: datetime
    found_at: datetime


class TaskRecord(BaseModel):
    """One task as the programme workflow holds it."""

    id: str
    department: Department
    purpose: str
    considerations: str = ""
    expected_start: date | None = None
    due: date | None = None
    carries_recommendation: bool = False
    # Information held by other departments that the task needs; the legal basis the
    # coordinator wrote where no consent covered some of it, and what it covered then
    # (models/consent.py).
    needs: list[InfoCategory] = []
    legal_basis: str = ""
    by_law: list[InfoCategory] = []
    # The sub-goal the task works towards (models/goals.py).
    subgoal_id: str | None = None
    citizen_text: str = ""
    state: TaskState = TaskState.ASSIGNED
    assigned_at: datetime
    assigned_by: str
    assignee_id: str | None = None
    assignee_name: str = ""
    sla: TaskSla
    reminder_at: datetime
    acknowledge_by: datetime
    reminded: bool = False
    breach: Breach | None = None
    escalations: int = 0
    # Every deadline the task has passed, once each: the managers' breach figures.
    breaches: list[BreachMark] = []
    next_escalation_at: datetime | None = None
    acknowledged_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: str = ""
    decline_reason: str = ""
    cancel_reason: str = ""


class AssignTask(Command):
    department: Department
    purpose: Purpose
    considerations: Text = Field("", description="Skånehensyn, som indsatsen skal tage")
    expected_start: date | None = None
    due: date | None = None
    carries_recommendation: bool = Field(
        False, description="Opgaven udfører rehabiliteringsteamets indstilling"
    )
    for_description: bool = Field(
        False, description="Afdelingens bidrag til den samlede beskrivelse"
    )
    needs: Categories = Field(
        [], description="Oplysninger fra andre afdelinger, som opgaven kræver"
    )
    legal_basis: LegalBasis = Field(
        "", description="Hjemlen til at give oplysningerne, når intet samtykke dækker dem"
    )
    subgoal_id: str | None = Field(None, max_length=40, description="Delmålet, opgaven er for")
    citizen_text: CitizenWording = Field(
        "", description="Sådan står opgaven på borgerens side; tom: den står der ikke"
    )
    assigned_on: date | None = Field(
        None, description="Når en opgave registreres efter den er givet; ellers i dag"
    )
    task_id: str | None = Field(None, description="Udfyldes af serveren")
    sla: TaskSla | None = Field(None, description="Udfyldes af serveren fra afdelingens frister")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.expected_start and self.due and self.due < self.expected_start:
            raise ValueError("Fristen kan ikke ligge før den forventede start.")
        return self

    def complete(self, directory: Directory) -> None:
        self.task_id = new_id()
        self.sla = directory.department_sla(self.department)


class TaskCommand(Command):
    task_id: str = Field("", description="Udfyldes af serveren fra adressen")


class AcknowledgeTask(TaskCommand):
    pass


class StartTask(TaskCommand):
    pass


class CompleteTask(TaskCommand):
    result: Reason


class DeclineTask(TaskCommand):
    reason: Reason


class CancelTask(TaskCommand):
    reason: Reason


class ReassignTask(TaskCommand):
    assignee_id: str
    note: Reason
    assignee_name: str = Field("", description="Udfyldes af serveren")
    assignee_department: Department | None = Field(None, description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        colleague = directory.person(self.assignee_id, "Kollegaen findes ikke.")
        self.assignee_name = colleague.name
        self.assignee_department = colleague.department


class Task(SQLModel, table=True):
    """A task in the read model, projected from the programme workflow."""

    __table_args__ = (
        Index("ix_task_department_state", "department", "state"),
        # A case's tasks, and whether it has one in a department (the dashboard's filter).
        Index("ix_task_case_department", "case_id", "department"),
        # The managers' waiting times, read by when they ended; covering, so the dashboard
        # counts them from the index alone.
        Index(
            "ix_task_acknowledge_wait",
            "acknowledged_at",
            "department",
            "acknowledge_wait",
            "acknowledge_wait_working",
        ),
        Index("ix_task_start_wait", "started_at", "department", "start_wait", "start_wait_working"),
    )

    id: uuid.UUID = SqlField(primary_key=True)
    case_id: uuid.UUID = SqlField(foreign_key="case.id")
    department: Department = SqlField(sa_type=StrEnumType(Department))
    purpose: str = SqlField(max_length=500)
    considerations: str = SqlField(default="", max_length=2000)
    expected_start: date | None = None
    due: date | None = None
    carries_recommendation: bool = False
    # The categories the task needs from other departments, comma-separated.
    needs: str = SqlField(default="", max_length=100)
    legal_basis: str = SqlField(default="", max_length=1000)
    # What of `needs` the legal basis carries: what the department sees by it while the task
    # is open (api/case_sight.py), and loses when it closes or a consent takes over.
    by_law: str = SqlField(default="", max_length=100)
    subgoal_id: str | None = SqlField(default=None, max_length=40)
    citizen_text: str = SqlField(default="", max_length=120)
    state: TaskState = SqlField(sa_type=StrEnumType(TaskState))
    assignee_id: uuid.UUID | None = SqlField(default=None, foreign_key="staff.id")
    assigned_at: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledge_by: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False))
    acknowledged_at: datetime | None = SqlField(default=None, sa_column=Column(UtcDateTime()))
    started_at: datetime | None = SqlField(default=None, sa_column=Column(UtcDateTime()))
    finished_at: datetime | None = SqlField(default=None, sa_column=Column(UtcDateTime()))
    breach: Breach | None = SqlField(default=None, sa_type=StrEnumType(Breach))
    # When the current breach began: the age of a waiting task.
    waiting_since: datetime | None = SqlField(
        default=None, sa_column=Column(UtcDateTime(), index=True)
    )
    escalations: int = 0
    # Days from assigned to acknowledged and from acknowledged to started, in calendar and in
    # working days: worked out once by the projection for the dashboard's waiting times.
    acknowledge_wait: int | None = None
    acknowledge_wait_working: int | None = None
    start_wait: int | None = None
    start_wait_working: int | None = None
    result: str = SqlField(default="", max_length=2000)
    decline_reason: str = SqlField(default="", max_length=2000)
    cancel_reason: str = SqlField(default="", max_length=2000)
    updated_at: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False))
    # The projection's seq the row was written at: a late, older projection leaves it alone.
    seq: int = 0


class TaskBreachRow(SQLModel, table=True):
    """Each deadline a task passed, once: the breach trend and the daily digest read these."""

    __tablename__ = "task_breach"
    __table_args__ = (UniqueConstraint("task_id", "kind"),)

    id: int | None = SqlField(default=None, primary_key=True)
    task_id: uuid.UUID = SqlField(foreign_key="task.id")
    case_id: uuid.UUID = SqlField(foreign_key="case.id", index=True)
    department: Department = SqlField(sa_type=StrEnumType(Department))
    kind: Breach = SqlField(sa_type=StrEnumType(Breach))
    since: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    found_at: datetime = SqlField(sa_column=Column(UtcDateTime(), nullable=False, index=True))


class TaskPublic(SQLModel):
    id: uuid.UUID
    case_id: uuid.UUID
    department: Department
    department_label: str
    purpose: str
    considerations: str
    expected_start: date | None
    due: date | None
    carries_recommendation: bool
    state: TaskState
    state_label: str
    assigned_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    breach: Breach | None
    breach_label: str | None
    escalations: int
    assignee: str | None
    result: str
    decline_reason: str
    cancel_reason: str
    needs: list[InfoCategory] = []
    legal_basis: str = ""
    subgoal_id: str | None = None
    citizen_text: str = ""
    # True where the reader's department may not see what the task is about: no consent.
    withheld: bool = False


class InboxTask(TaskPublic):
    citizen_name: str
    coordinator_name: str
