"""Stalled courses: kept by durable timers, cleared by planning, visible in Temporal itself."""

import asyncio
from datetime import timedelta

from models.continuity import JustifyPause, RecordEffort
from models.danish_time import local_date
from models.enums import Stage
from models.programme import ProgrammeState, StartPreparation
from models.rules import CourseRules
from tests.factories import actor_of
from tests.workflows.programme_helpers import send, start_programme, worker_for
from workflows.continuity import build_plan
from workflows.programme import ProgrammeWorkflow


async def stalls(running) -> list[str]:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return [s.kind for s in state.stalls]


async def test_an_open_gap_stalls_the_course_until_a_pause_is_justified(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())
        await send(running.handle, StartPreparation(actor=me))
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id="e1",
                title="Samtaler",
                owner="Koordinator",
                start=today,
                end=today + timedelta(days=2),
            ),
        )
        # The hole opens on day 3; more than 14 days of it is a stall, set by a timer.
        await time_env.sleep(timedelta(days=17))
        assert await stalls(running) == []
        await time_env.sleep(timedelta(days=2))
        assert await stalls(running) == ["gap"]

        await send(
            running.handle,
            JustifyPause(
                actor=me,
                item_id="p1",
                start=today + timedelta(days=3),
                end=today + timedelta(days=30),
                reason="Indlagt",
            ),
        )
        assert await stalls(running) == []
        # When the pause runs out the hole is open again, and so is the stall.
        await time_env.sleep(timedelta(days=13))
        assert await stalls(running) == ["gap"]


async def test_the_municipality_sets_the_limits(
    time_env, task_queue, session, open_session, executor
):
    rules = CourseRules(stage_limit_days={Stage.PREPARATION: 10}, gap_threshold_days=30)
    async with worker_for(time_env.client, task_queue, open_session, executor, rules):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())
        await send(running.handle, StartPreparation(actor=me))
        await time_env.sleep(timedelta(days=9))
        assert await stalls(running) == []
        await time_env.sleep(timedelta(days=2))
        state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
        assert [s.reason for s in state.stalls] == ["Forberedende del i mere end 10 dage"]
        # No activity for 11 days is no gap by a 30-day threshold.
        assert build_plan(state, today + timedelta(days=11)).gaps == []


async def test_stalled_courses_can_be_listed_in_temporal(
    dev_env, task_queue, session, open_session, executor
):
    now = await dev_env.get_current_time()
    async with worker_for(dev_env.client, task_queue, open_session, executor):
        # Registered after the fact: referred 30 days ago, so long past the referral limit.
        running = await start_programme(
            dev_env.client, task_queue, session, referred_at=now - timedelta(days=30)
        )
        query = f'Stalled = true AND WorkflowId = "{running.handle.id}"'
        await _listed(dev_env.client, query)
        assert set(await stalls(running)) == {"stage", "gap"}

        me = actor_of(running.coordinator)
        await send(running.handle, StartPreparation(actor=me))
        today = local_date(now)
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id="e1",
                title="Samtaler",
                owner="Koordinator",
                start=today,
                end=today + timedelta(days=30),
            ),
        )
        assert await stalls(running) == []
        await _listed(dev_env.client, f'Stalled = false AND WorkflowId = "{running.handle.id}"')
        await _listed(
            dev_env.client,
            f'Stage = "preparation" AND CoordinatorId = "{running.coordinator.id}"',
        )


async def _listed(client, query: str) -> None:
    """Visibility catches up a moment after the workflow; wait for it, briefly."""
    for _ in range(50):
        if [w async for w in client.list_workflows(query)]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"nothing listed for {query}")
