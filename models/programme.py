"""Messages of the programme workflow: its state, the caseworkers' commands and its timeline events.

These are pydantic models of plain types: Temporal serialises them with the pydantic data
converter, and the API accepts the same commands as request bodies, so a field is validated once.
"""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from models.command import Command, Reason, Text
from models.consent import ConsentRecord
from models.contact import ContactPreferences
from models.continuity import Pause, PlanEffort
from models.description import CombinedDescription, HealthAdvice
from models.enums import CourseType, Department, Outcome, Recommendation, Stage
from models.goals import Goal
from models.handover import Handover
from models.meeting import Meeting, OutgoingMessage, SentMessage, Todo
from models.notice import Notice
from models.progression import Progression
from models.registration import RegisteredCourse
from models.rules import CourseRules
from models.task import TaskRecord
from models.text import OneLine


class Effort(BaseModel):
    """One effort the rehabilitation team recommends, owned by a department."""

    department: Department
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), OneLine
    ]


class RecommendationRecord(BaseModel):
    kind: Recommendation
    efforts: list[Effort] = []
    note: str = ""
    given_at: datetime
    reconsidered: bool = False


class DecisionRecord(BaseModel):
    kind: Recommendation
    decided_on: date
    follows_recommendation: bool
    justification: str = ""


class Stall(BaseModel):
    """Why a course is stalled, and since when."""

    kind: str  # stage, gap or no_next_appointment
    reason: str
    since: datetime


class ProgrammeState(BaseModel):
    """Everything the programme workflow knows; carried whole through continue-as-new."""

    case_id: str
    citizen_id: str
    coordinator_id: str
    # Runs begun before course types were introduced are all ressourceforløb.
    course_type: CourseType = CourseType.RESSOURCEFORLOEB
    # Registered as already running from the municipality's current system (models/
    # registration.py): the cut-off for new ressourceforløb does not apply to it.
    registered: bool = False
    stage: Stage = Stage.REFERRED
    seq: int = 0
    referred_at: datetime
    preparation_started_at: datetime | None = None
    team_meeting_on: date | None = None
    recommendation: RecommendationRecord | None = None
    returned_to_team: bool = False
    proposed_decision: Recommendation | None = None
    decision: DecisionRecord | None = None
    # The cross-department course's assessment (models/description.py).
    description: CombinedDescription | None = None
    health_advice: HealthAdvice | None = None
    planned_end: date | None = None
    max_end: date | None = None
    # The citizen's recorded wish for a course longer than the type's limit, when given.
    longer_wished: str = ""
    # When the six-month effort rule is judged (workflows/effort_rule.py); None once it has
    # been, or where it does not apply. Missed: the day it was judged without an effort.
    effort_rule_on: date | None = None
    effort_rule_missed_on: date | None = None
    ended_on: date | None = None
    end_reason: str = ""
    outcome: Outcome | None = None
    current_status: Outcome | None = None
    followup_on: date | None = None
    followup_status: Outcome | None = None
    closed_at: datetime | None = None
    close_reason: str = ""
    # The municipality's rules, as the worker's projection last reported them.
    rules: CourseRules = CourseRules()
    tasks: dict[str, TaskRecord] = {}
    efforts: list[PlanEffort] = []
    pauses: list[Pause] = []
    handover: Handover | None = None
    # Set when a department declines a task that carries out the team's recommendation.
    team_flag: str = ""
    contact: ContactPreferences = ContactPreferences()
    # Every consent recorded on the course, withdrawn ones too: they are its record.
    consents: list[ConsentRecord] = []
    # The course's goal and its sub-goals (models/goals.py).
    goals: list[Goal] = []
    progression: Progression = Progression()
    meetings: dict[str, Meeting] = {}
    outgoing: list[OutgoingMessage] = []
    sent: list[SentMessage] = []
    todos: list[Todo] = []
    todos_made: int = 0
    replies_seen: list[str] = []
    # The last day that finished activity the state has let go of reached (workflows/
    # retention.py): the continuity plan is judged as if that activity were still here.
    active_until: date | None = None
    # When the current stage began (set as events are recorded), and whether the course is
    # stalled now: kept by the workflow's timers, projected and set as search attributes.
    stage_since: datetime | None = None
    stage_since_for: Stage | None = None
    stalls: list[Stall] = []
    # The rule changes this run follows (workflows/rule_patches.py), set when the run starts.
    rule_patches: list[str] = []

    def waiting_on(self) -> list[str]:
        """The departments with a task past one of its deadlines."""
        return sorted({t.department.value for t in self.tasks.values() if t.breach})


def programme_workflow_id(case_id: str) -> str:
    """The programme workflow's id; derived from the case id, and free of personal data."""
    return f"programme-{case_id}"


class ProgrammeInput(BaseModel):
    """Starts a programme at referral, or resumes one after continue-as-new (state set)."""

    case_id: str
    citizen_id: str
    coordinator_id: str
    referred_at: datetime | None = None  # set when an existing case is registered after the fact
    course_type: CourseType = CourseType.RESSOURCEFORLOEB
    # A course already running elsewhere, started at its stage (models/registration.py).
    registered: RegisteredCourse | None = None
    state: ProgrammeState | None = None

    def initial_state(self, now: datetime) -> ProgrammeState:
        """The state at referral; `now` is the referral time unless one was given."""
        return ProgrammeState(
            case_id=self.case_id,
            citizen_id=self.citizen_id,
            coordinator_id=self.coordinator_id,
            course_type=self.course_type,
            registered=self.registered is not None,
            referred_at=self.referred_at or now,
        )


class TimelineEvent(BaseModel):
    """One line of the case timeline, numbered by the workflow so projection is idempotent."""

    seq: int
    kind: str
    at: datetime
    actor_id: str | None = None
    summary: str
    task_id: str | None = None
    # The department whose information the line tells of (a task's), so the timeline shows
    # it only to those who may see that department's information.
    department: Department | None = None
    notices: list[Notice] = []
    # False for an action that changed nothing (acknowledging twice): said, not recorded.
    recorded: bool = True


class ProjectionInput(BaseModel):
    """The state to project with its new events. A partial input holds, in its collections,
    only what changed since the last projection; `gone` names what a rule removed."""

    state: ProgrammeState
    events: list[TimelineEvent] = []
    partial: bool = False
    gone: list[str] = []
    waiting_on: list[str] = []
    # The seq the workflow's history says the read model holds; the read model holding more
    # was written by a projection whose workflow task was lost. None: not checked (older runs).
    projected_seq: int | None = None
    # The whole state, in place of whatever the read model holds after `projected_seq`.
    resync: bool = False


class StartPreparation(Command):
    started_on: date | None = Field(
        None,
        description="Når en sag registreres efter den forberedende del er startet; ellers i dag",
    )


class ScheduleTeamMeeting(Command):
    meeting_on: date


class RecordRecommendation(Command):
    kind: Recommendation
    efforts: list[Effort] = Field(default=[], max_length=30)
    note: Text = ""


class RecordDecision(Command):
    kind: Recommendation
    decided_on: date | None = Field(None, description="Afgørelsens dato; i dag hvis tom")
    duration_months: int | None = Field(
        None, ge=1, le=60, description="Forløbets varighed i måneder (kun ressourceforløb)"
    )
    justification: Text = ""


class ExtendProgramme(Command):
    new_end: date
    reason: Reason
    citizen_wishes_longer: bool = Field(
        False, description="Borgeren ønsker et længere forløb end grænsen (skal registreres)"
    )


class EndProgramme(Command):
    outcome: Outcome
    reason: Text = ""


class RecordStatus(Command):
    status: Outcome


class CloseEarly(Command):
    reason: Reason
