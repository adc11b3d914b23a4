"""A course registered as already running (models/registration.py), as its first event.

The course stands at its stage with its original dates, so every timer the stage has falls
where it would have if the course had been run here from the start. Its progression rounds
begin when the coordinator records a first measurement, so registering many courses at once
sends the citizens nothing.
"""

from datetime import datetime

from models.course_types import course_type
from models.danish_time import add_months, local_date, start_of
from models.enums import Stage
from models.programme import DecisionRecord, ProgrammeState, TimelineEvent
from models.registration import RegisteredCourse
from workflows import effort_rule
from workflows.guards import fmt, record, type_name


def register(state: ProgrammeState, course: RegisteredCourse, now: datetime) -> TimelineEvent:
    state.stage = course.stage
    state.team_meeting_on = course.team_meeting_on
    said = [f"visiteret {fmt(local_date(state.referred_at))}"]
    if course.team_meeting_on:
        said.append(f"møde i rehabiliteringsteamet {fmt(course.team_meeting_on)}")
    if course.stage == Stage.ACTIVE:
        assert course.decided_on is not None and course.planned_end is not None
        kind = course_type(state.course_type).continues
        state.decision = DecisionRecord(
            kind=kind, decided_on=course.decided_on, follows_recommendation=True
        )
        state.planned_end = course.planned_end
        limit = add_months(course.decided_on, state.rules.of_type(state.course_type).total_months)
        # A course decided under older rules may already run beyond today's limit.
        state.max_end = max(limit, course.planned_end)
        effort_rule.arm(state, course.decided_on, registered_on=local_date(now))
        said.append(f"afgørelse {fmt(course.decided_on)}, planlagt slut {fmt(course.planned_end)}")
    return record(
        state,
        "registered",
        now,
        None,
        f"Forløbet er overført fra kommunens hidtidige system som et {type_name(state)} i "
        f"fasen »{course.stage.label}«: {', '.join(said)}.",
        happened=start_of(local_date(state.referred_at)),
    )
