"""Continue-as-new on a real dev server whose history limit is set low (see conftest)."""

import asyncio
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus

from models.enums import Stage
from models.programme import ScheduleTeamMeeting, StartPreparation
from tests.factories import actor_of, copenhagen_today
from tests.workflows.programme_helpers import send, start_programme, worker_for
from workflows.programme import ProgrammeWorkflow


async def test_continue_as_new_keeps_the_state_and_the_timeline(
    dev_env, task_queue, session, open_session, executor
):
    async with worker_for(dev_env.client, task_queue, open_session, executor):
        running = await start_programme(dev_env.client, task_queue, session)
        first_run = (await running.handle.describe()).run_id
        me = actor_of(running.coordinator)
        await send(running.handle, StartPreparation(actor=me))
        # Each move of the team meeting is an update, an activity and a few events.
        for days in range(1, 25):
            await send(
                running.handle,
                ScheduleTeamMeeting(actor=me, meeting_on=copenhagen_today() + timedelta(days=days)),
            )
        latest = dev_env.client.get_workflow_handle(running.handle.id)
        # The new run starts right after the update that made history long enough returns.
        for _ in range(100):
            description = await latest.describe()
            if description.run_id != first_run:
                break
            await asyncio.sleep(0.1)
        state = await latest.query(ProgrammeWorkflow.current)

    assert description.run_id != first_run, "no continue-as-new happened"
    assert description.status == WorkflowExecutionStatus.RUNNING
    assert state.stage == Stage.TEAM
    assert state.team_meeting_on == copenhagen_today() + timedelta(days=24)
    # Referral, preparation, the first progression measurement due, and 24 meeting dates:
    # nothing lost or doubled.
    assert state.seq == 27
