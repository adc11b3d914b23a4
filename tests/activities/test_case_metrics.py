"""The figures the projection works out for the dashboard: first effort, quarter, timing."""

from datetime import date, timedelta

from activities.case_metrics import first_effort_at, quarter_of, timing
from models.danish_time import start_of
from models.enums import Recommendation, Stage, TaskState, TimingProfile
from models.programme import DecisionRecord, ProgrammeState
from tests.workflows.test_continuity import REFERRED, course

DECIDED = REFERRED + timedelta(days=60)


def decided_course(*starts: int, length: int = 500) -> ProgrammeState:
    """A ressourceforløb of `length` days from DECIDED, with a task starting on each day."""
    state = course(*((60 + day, 60 + day + 10) for day in starts))
    state.stage = Stage.ACTIVE
    state.decision = DecisionRecord(
        kind=Recommendation.RESSOURCEFORLOEB, decided_on=DECIDED, follows_recommendation=True
    )
    state.planned_end = DECIDED + timedelta(days=length)
    return state


def test_quarters_read_as_danish_quarters_and_sort_in_time():
    assert quarter_of(date(2026, 1, 1)) == "2026-K1"
    assert quarter_of(date(2026, 9, 30)) == "2026-K3"
    assert quarter_of(date(2026, 12, 31)) == "2026-K4"


def test_a_course_with_everything_in_its_first_fifth_is_front_loaded():
    result = timing(decided_course(0, 10, 50, 300))
    assert (result.activity_count, result.first_fifth_share, result.last_fifth_share) == (
        4,
        0.75,
        0.0,
    )
    assert result.profile == TimingProfile.FRONT


def test_activity_only_at_the_start_and_the_end_leaves_the_middle_passive():
    result = timing(decided_course(0, 20, 250, 420, 450, 499))
    assert (result.first_fifth_share, result.last_fifth_share) == (0.333, 0.5)
    assert result.profile == TimingProfile.BACK
    result = timing(decided_course(0, 20, 250, 420, 450))
    assert result.profile == TimingProfile.ENDS


def test_evenly_spread_activity_and_too_little_to_judge():
    assert timing(decided_course(0, 120, 220, 320, 450)).profile == TimingProfile.EVEN
    assert timing(decided_course(0, 10)).profile is None


def test_declined_tasks_and_courses_without_a_decision_do_not_count():
    state = decided_course(0, 10, 300, 310, 320)
    for task in list(state.tasks.values())[:2]:
        task.state = TaskState.DECLINED
    assert timing(state).activity_count == 3
    assert timing(course((0, 10), (20, 30))).profile is None


def test_the_first_effort_is_the_first_task_started_after_the_decision():
    state = decided_course(0, 10)
    first, second = state.tasks.values()
    first.started_at = start_of(DECIDED - timedelta(days=3))  # before the decision: not the course
    second.started_at = start_of(DECIDED + timedelta(days=12))
    assert first_effort_at(state) == second.started_at
