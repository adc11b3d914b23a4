"""A course registered as already running (models/registration.py), as its first event.

The course stands at its stage with its original dates, so every timer the stage has falls
where it would have if the course had been run here from the start: the planned end, the
13-week follow-up after an end, the six-month effort rule, the health coordinator's reminder
and the stage's stall limit from the day the advice was asked, and each open task's reminder
and deadlines from the day it was given. Its progression rounds begin when the coordinator
records a first measurement, so registering many courses at once sends the citizens nothing.

The import checks every line with RegisteredCourse.problems before it starts a workflow, so
nothing applied here is refused: the course and its tasks arrive together in this one event.
"""

from datetime import date, datetime

from models.course_types import course_type
from models.danish_time import add_months, add_weeks, local_date, start_of
from models.description import CombinedDescription, HealthAdvice
from models.enums import Stage
from models.programme import DecisionRecord, ProgrammeState, RecommendationRecord, TimelineEvent
from models.registration import DECIDED, FOLLOWUP_WEEKS, RegisteredCourse
from workflows import effort_rule, task_rules
from workflows.guards import fmt, record, type_name

# The health coordinator's request as the former system held it: the question stayed there.
TRANSFERRED_QUESTION = "Anmodningen er overført fra kommunens hidtidige system."


def register(state: ProgrammeState, course: RegisteredCourse, now: datetime) -> TimelineEvent:
    state.stage = course.stage
    state.team_meeting_on = course.team_meeting_on
    said = [f"visiteret {fmt(local_date(state.referred_at))}"]
    if course.team_meeting_on:
        said.append(f"møde i rehabiliteringsteamet {fmt(course.team_meeting_on)}")
    if course.recommendation is not None:
        assert course.team_meeting_on is not None  # RegisteredCourse.problems
        state.recommendation = RecommendationRecord(
            kind=course.recommendation, given_at=start_of(course.team_meeting_on)
        )
        # The decision has been pending since the team gave its recommendation.
        _stage_since(state, course.team_meeting_on)
        said.append(f"indstillet til {course.recommendation.label.lower()}")
    if course.stage == Stage.DESCRIPTION:
        # Begun in the former system: the departments' parts are asked for here, as
        # contributions to this description, before the coordinator completes it.
        state.description = CombinedDescription(started_at=start_of(local_date(state.referred_at)))
    if course.health_advice_requested_on is not None:
        asked = course.health_advice_requested_on
        state.health_advice = HealthAdvice(
            requested_at=start_of(asked), question=TRANSFERRED_QUESTION
        )
        # The wait is counted from the request: the reminder and the stall fall where they
        # would have, had the request been made here.
        _stage_since(state, asked)
        said.append(f"anmodning om sundhedsfaglig rådgivning {fmt(asked)}")
    if course.stage in DECIDED:
        said += _decided(state, course, now)
    for task in course.tasks:
        given = task_rules.give(
            state, task, now, assigned_by=task.actor.id if task.actor else state.coordinator_id
        )
        # A reminder ahead of a deadline that passed before the course came here says nothing
        # the deadline's escalation does not.
        given.reminded = given.acknowledge_by <= now
    if course.tasks:
        n = len(course.tasks)
        # How many, not which: this line is shown to everyone who sees the case, and each
        # task's own line is only for those who may see its department's information.
        said.append("1 åben opgave" if n == 1 else f"{n} åbne opgaver")
    return record(
        state,
        "registered",
        now,
        None,
        f"Forløbet er overført fra kommunens hidtidige system som et {type_name(state)} i "
        f"fasen »{course.stage.label}«: {', '.join(said)}.",
        happened=start_of(local_date(state.referred_at)),
    )


def _decided(state: ProgrammeState, course: RegisteredCourse, now: datetime) -> list[str]:
    """An active or ended course: its decision, its end as planned, and for an ended one the
    end itself and the follow-up 13 weeks after it."""
    assert course.decided_on is not None  # RegisteredCourse.problems
    planned_end = course.planned_end or course.ended_on
    assert planned_end is not None
    kind = course_type(state.course_type).continues
    state.decision = DecisionRecord(
        kind=kind, decided_on=course.decided_on, follows_recommendation=True
    )
    state.planned_end = planned_end
    limit = add_months(course.decided_on, state.rules.of_type(state.course_type).total_months)
    # A course decided under older rules may already run beyond today's limit.
    state.max_end = max(limit, planned_end)
    said = [f"afgørelse {fmt(course.decided_on)}, planlagt slut {fmt(planned_end)}"]
    if course.stage == Stage.ACTIVE:
        effort_rule.arm(state, course.decided_on, registered_on=local_date(now))
        return said
    assert course.ended_on is not None and course.outcome is not None
    state.ended_on = course.ended_on
    state.outcome = state.current_status = course.outcome
    state.followup_on = add_weeks(course.ended_on, FOLLOWUP_WEEKS)
    said.append(
        f"afsluttet {fmt(course.ended_on)} med udfaldet {course.outcome.label.lower()}, "
        f"opfølgning {fmt(state.followup_on)}"
    )
    return said


def _stage_since(state: ProgrammeState, day: date) -> None:
    """The stage began on `day`, before the course came here; record() keeps it."""
    state.stage_since, state.stage_since_for = start_of(day), state.stage
