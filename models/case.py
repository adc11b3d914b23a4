"""A case (sag) in the read model: one row per programme, and its timeline of events."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Column, Field, SQLModel

# The tables this one refers to must be known before its foreign keys resolve.
import models.citizen
import models.staff  # noqa: F401
from models.contact import ContactPreferences
from models.db import StrEnumType, UtcDateTime
from models.enums import CourseType, Department, Outcome, Recommendation, Stage, TimingProfile
from models.meeting import Meeting, Todo
from models.task import TaskPublic


class Case(SQLModel, table=True):
    """Projected from the programme workflow; only the projection activity updates it."""

    # The dashboard reads the stage waits and caseloads from these alone: a case row holds
    # the whole workflow state, so scanning rows instead would read megabytes.
    __table_args__ = (
        Index("ix_case_team_wait", "team_meeting_on", "referred_at", "coordinator_id"),
        Index("ix_case_decision_wait", "decided_on", "team_meeting_on", "coordinator_id"),
        Index("ix_case_effort_wait", "first_effort_at", "decided_on", "coordinator_id"),
        Index("ix_case_stage_coordinator", "stage", "coordinator_id", "timing_profile"),
        # The dashboard's progression figures, counted from the index alone.
        Index(
            "ix_case_progression",
            "stage",
            "coordinator_id",
            "progression_change",
            "progression_due_at",
        ),
        # The dashboard's split by course type and the legacy courses' phase-out.
        Index("ix_case_type_stage", "course_type", "stage", "planned_end"),
        Index("ix_case_effort_rule", "course_type", "stage", "effort_rule_missed_on"),
        Index(
            "ix_case_health_advice_wait",
            "health_advice_received_at",
            "health_advice_requested_at",
            "coordinator_id",
        ),
        # One open case per citizen (migration 0011).
        Index(
            "ux_case_open_citizen",
            "citizen_id",
            unique=True,
            sqlite_where=text("stage != 'closed'"),
            postgresql_where=text("stage != 'closed'"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", index=True)
    coordinator_id: uuid.UUID = Field(foreign_key="staff.id", index=True)
    workflow_id: str = Field(max_length=100, unique=True)
    course_type: CourseType = Field(
        default=CourseType.RESSOURCEFORLOEB, sa_type=StrEnumType(CourseType)
    )
    # Registered as already running from the municipality's current system (forloeb import).
    registered: bool = False
    stage: Stage = Field(sa_type=StrEnumType(Stage), index=True)
    referred_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    team_meeting_on: date | None = None
    recommendation: Recommendation | None = Field(default=None, sa_type=StrEnumType(Recommendation))
    returned_to_team: bool = False
    decision: Recommendation | None = Field(default=None, sa_type=StrEnumType(Recommendation))
    decided_on: date | None = None
    planned_end: date | None = None
    max_end: date | None = None
    ended_on: date | None = None
    outcome: Outcome | None = Field(default=None, sa_type=StrEnumType(Outcome))
    followup_on: date | None = None
    followup_status: Outcome | None = Field(default=None, sa_type=StrEnumType(Outcome))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    handover_to_id: uuid.UUID | None = Field(default=None, foreign_key="staff.id", index=True)
    team_flagged: bool = False
    # The day six months after the decision passed without an effort (workflows/
    # effort_rule.py).
    effort_rule_missed_on: date | None = None
    # The region's health coordinator, an outside party: when its advice was asked and came.
    health_advice_requested_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime())
    )
    health_advice_received_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime())
    )
    # Kept by the workflow's stall timers (workflows/stall.py).
    stalled_since: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), index=True)
    )
    stall_reason: str = Field(default="", max_length=500)
    # Departments with a task past a deadline, comma-separated: who the case waits on.
    waiting_on: str = Field(default="", max_length=100)
    # Pre-aggregated for the managers' dashboard (activities/case_metrics.py).
    first_effort_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    ended_quarter: str | None = Field(default=None, max_length=7, index=True)
    activity_count: int = 0
    first_fifth_share: float | None = None
    last_fifth_share: float | None = None
    timing_profile: TimingProfile | None = Field(default=None, sa_type=StrEnumType(TimingProfile))
    # Progression measurement (models/progression.py): when the next is due, and how far the
    # indicators moved from the first scores to the latest (None before any moved).
    progression_due_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    progression_change: float | None = None
    # The course's facts beside these columns (models/case_view.py: CaseFacts), and its
    # continuity plan with gaps and overlaps (models/continuity.py: ContinuityPlan).
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    plan: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    last_seq: int = 0
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CaseEvent(SQLModel, table=True):
    """One line of a case's timeline; (case_id, seq) makes replaying a projection harmless."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    seq: int
    kind: str = Field(max_length=50)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="staff.id")
    summary: str = Field(max_length=2000)
    # Whose information the line tells of (models/programme.py: TimelineEvent.department).
    department: Department | None = Field(default=None, sa_type=StrEnumType(Department))


class CaseCreate(SQLModel):
    citizen_id: uuid.UUID
    course_type: CourseType | None = Field(
        None, description="Forløbets type; efter skæringsdatoen et tværfagligt forløb, hvis tom"
    )
    coordinator_id: uuid.UUID | None = Field(
        None, description="Koordinerende sagsbehandler; den indloggede bruger hvis tom"
    )
    referred_on: date | None = Field(
        None, description="Visitationsdato, når en eksisterende sag registreres; ellers i dag"
    )


class PersonRef(SQLModel):
    id: uuid.UUID
    name: str


class CasePublic(SQLModel):
    id: uuid.UUID
    citizen: PersonRef
    citizen_cpr_masked: str
    coordinator: PersonRef
    course_type: CourseType
    stage: Stage
    stage_label: str
    referred_at: datetime
    team_meeting_on: date | None
    recommendation: Recommendation | None
    returned_to_team: bool
    decision: Recommendation | None
    decided_on: date | None
    planned_end: date | None
    max_end: date | None
    ended_on: date | None
    outcome: Outcome | None
    followup_on: date | None
    followup_status: Outcome | None
    closed_at: datetime | None
    team_flagged: bool
    effort_rule_missed_on: date | None
    handover_to_id: uuid.UUID | None
    stalled_since: datetime | None
    stall_reason: str


class CaseEventPublic(SQLModel):
    seq: int
    kind: str
    at: datetime
    actor: str | None
    summary: str
    department: Department | None = None


class CaseDetail(CasePublic):
    efforts: list[dict[str, str]]
    contact: ContactPreferences | None = Field(
        description="Borgerens kontaktønsker; kun for dem, der ser hele sagen"
    )
    meetings: list[Meeting]
    todos: list[Todo]
    timeline: list[CaseEventPublic]


class ActionResult(SQLModel):
    summary: str
    changed: bool = Field(True, description="Falsk når handlingen intet ændrede")
    case: CaseDetail | None = Field(
        default=None, description="Sagen efter handlingen, når du fortsat kan se den"
    )
    task: TaskPublic | None = Field(default=None, description="Opgaven efter handlingen")
