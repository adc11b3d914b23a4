"""Everything done and planned in a course, from either source that holds it.

The continuity plan and the timing profile are judged over the whole course: the workflow
judges them from its state (which keeps only what its rules still need, plus how far the
finished activity reached), the projection from the read model's rows (which keep all).
Both hand the same CourseRecord to the same pure functions.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from models.continuity import Pause, PlanEffort
from models.enums import Department, Stage, TaskState
from models.meeting import Meeting
from models.programme import DecisionRecord, ProgrammeState
from models.rules import CourseRules


class TaskLike(Protocol):
    """A task as the plan and the timing profile see it: a TaskRecord or a Task row."""

    @property
    def purpose(self) -> str: ...
    @property
    def department(self) -> Department: ...
    @property
    def state(self) -> TaskState: ...
    @property
    def assigned_at(self) -> datetime: ...
    @property
    def expected_start(self) -> date | None: ...
    @property
    def due(self) -> date | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def breach(self) -> str | None: ...


@dataclass(frozen=True)
class CourseRecord:
    referred_at: datetime
    stage: Stage
    rules: CourseRules
    team_meeting_on: date | None = None
    decision: DecisionRecord | None = None
    planned_end: date | None = None
    ended_on: date | None = None
    tasks: Sequence[TaskLike] = ()
    meetings: Sequence[Meeting] = ()
    efforts: Sequence[PlanEffort] = ()
    pauses: Sequence[Pause] = ()
    # The last day that finished activity no longer held in `tasks` and `meetings` covered.
    active_until: date | None = None


def course_of(state: ProgrammeState) -> CourseRecord:
    """The course as the workflow's state holds it."""
    return CourseRecord(
        referred_at=state.referred_at,
        stage=state.stage,
        rules=state.rules,
        team_meeting_on=state.team_meeting_on,
        decision=state.decision,
        planned_end=state.planned_end,
        ended_on=state.ended_on,
        tasks=list(state.tasks.values()),
        meetings=list(state.meetings.values()),
        efforts=state.efforts,
        pauses=state.pauses,
        active_until=state.active_until,
    )


def as_course(source: CourseRecord | ProgrammeState) -> CourseRecord:
    return source if isinstance(source, CourseRecord) else course_of(source)
