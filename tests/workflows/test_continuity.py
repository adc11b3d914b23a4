"""The continuity plan: gaps, justified pauses and overlaps."""

import uuid
from datetime import UTC, date, datetime, timedelta

from models.continuity import JustifyPause, Pause, RecordEffort, RemovePlanItem
from models.danish_time import local_date, start_of
from models.enums import Department, PlanItemKind, TaskState
from models.programme import ProgrammeInput, ProgrammeState
from models.task import TaskRecord, TaskSla
from tests.factories import actor_of
from tests.workflows.programme_helpers import send, start_programme, worker_for
from workflows.continuity import build_plan
from workflows.programme import ProgrammeWorkflow

REFERRED = date(2027, 1, 4)


def course(*periods: tuple[int, int], referred: date = REFERRED) -> ProgrammeState:
    """A state referred on REFERRED with one task per (start, end) day offset."""
    state = ProgrammeInput(
        case_id=str(uuid.uuid4()), citizen_id="c", coordinator_id="k"
    ).initial_state(start_of(referred))
    for first, last in periods:
        task_id = str(uuid.uuid4())
        state.tasks[task_id] = TaskRecord(
            id=task_id,
            department=Department.SOCIAL,
            purpose=f"Indsats {first}",
            expected_start=referred + timedelta(days=first),
            due=referred + timedelta(days=last),
            state=TaskState.ACKNOWLEDGED,
            assigned_at=start_of(referred),
            assigned_by="k",
            sla=TaskSla(),
            reminder_at=datetime.now(UTC),
            acknowledge_by=datetime.now(UTC),
        )
    return state


def test_a_stretch_longer_than_the_threshold_without_activity_is_an_open_gap():
    state = course((0, 10), (30, 60))
    plan = build_plan(state, today=REFERRED + timedelta(days=60))
    assert [(g.start, g.end, g.justified) for g in plan.gaps] == [
        (REFERRED + timedelta(days=11), REFERRED + timedelta(days=29), False)
    ]
    assert plan.gaps[0].days == 19


def test_a_short_stretch_is_no_gap():
    plan = build_plan(course((0, 10), (25, 60)), today=REFERRED + timedelta(days=60))
    assert plan.gaps == []


def test_a_pause_covering_the_gap_justifies_it_and_a_partial_one_does_not():
    state = course((0, 10), (30, 60))
    state.pauses.append(
        Pause(
            id="p",
            start=REFERRED + timedelta(days=11),
            end=REFERRED + timedelta(days=20),
            reason="Indlagt",
        )
    )
    plan = build_plan(state, today=REFERRED + timedelta(days=60))
    assert not plan.gaps[0].justified
    state.pauses[0] = state.pauses[0].model_copy(update={"end": REFERRED + timedelta(days=29)})
    plan = build_plan(state, today=REFERRED + timedelta(days=60))
    assert plan.gaps[0].justified and plan.gaps[0].reason == "Indlagt"


def test_more_parallel_efforts_than_the_citizen_can_carry_is_an_overlap():
    state = course((0, 30), (5, 30), (10, 30), (20, 25))
    plan = build_plan(state, today=REFERRED + timedelta(days=30))
    assert [(o.start, o.end, o.count) for o in plan.overlaps] == [
        (REFERRED + timedelta(days=20), REFERRED + timedelta(days=25), 4)
    ]
    state.rules.max_parallel_efforts = 4
    assert build_plan(state, REFERRED + timedelta(days=30)).overlaps == []


def test_declined_and_cancelled_tasks_leave_a_hole():
    state = course((0, 40))
    next(iter(state.tasks.values())).state = TaskState.DECLINED
    plan = build_plan(state, today=REFERRED + timedelta(days=40))
    assert len(plan.gaps) == 1 and plan.gaps[0].days == 41


async def test_efforts_and_pauses_recorded_through_the_workflow(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id="e1",
                kind=PlanItemKind.TREATMENT,
                title="Behandling for angst",
                owner="Psykiatrien",
                start=today,
                end=today + timedelta(days=20),
            ),
        )
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id="e2",
                title="Praktik i genbrugsbutik",
                owner="Jobcenter",
                department=Department.JOBCENTER,
                start=today + timedelta(days=60),
                end=today + timedelta(days=120),
            ),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        gaps = build_plan(state, today).gaps
        assert len(gaps) == 1 and not gaps[0].justified
        await send(
            running.handle,
            JustifyPause(
                actor=me,
                item_id="p1",
                start=gaps[0].start,
                end=gaps[0].end,
                reason="Borgeren er i behandling og skal hvile",
            ),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert [g.justified for g in build_plan(state, today).gaps] == [True]


async def test_a_plan_item_can_be_removed(time_env, task_queue, session, open_session, executor):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())
        await send(
            running.handle,
            JustifyPause(actor=me, item_id="p1", start=today, end=today, reason="Ferie"),
        )
        removed = await send(running.handle, RemovePlanItem(actor=me, item_id="p1"))
        assert removed.summary == "Fjernet fra planen: pausen (Ferie)."
        assert (await running.handle.query(ProgrammeWorkflow.current)).pauses == []
