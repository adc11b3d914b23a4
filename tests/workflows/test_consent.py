"""Consents on the time-skipping server: recorded, checked when a task needs information from
another department, lapsing on their last day, and withdrawn at once."""

from datetime import timedelta

from models.command import new_id
from models.consent import InfoCategory, RecordConsent, WithdrawConsent
from models.danish_time import local_date
from models.enums import Department
from models.refusals import INVALID_TRANSITION
from models.task import AssignTask
from tests.factories import actor_of
from tests.workflows.programme_helpers import expect_rejection, send, start_programme, worker_for
from workflows.programme import ProgrammeWorkflow


def needing_health(**fields: object) -> AssignTask:
    return AssignTask(
        department=Department.JOBCENTER,
        purpose="Praktik med skånehensyn",
        needs=[InfoCategory.HEALTH],
        task_id=new_id(),
        **fields,
    )


async def test_consent_lets_a_task_have_another_departments_information_until_withdrawn(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        coordinator = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())

        await expect_rejection(
            send(running.handle, needing_health(actor=coordinator)),
            INVALID_TRANSITION,
            "Jobcenter må ikke få oplysninger om helbred uden borgerens samtykke",
        )

        consent = RecordConsent(
            actor=coordinator,
            categories=[InfoCategory.HEALTH],
            from_departments=[Department.HEALTH],
            to_departments=[Department.JOBCENTER],
            purpose="Praktikken skal tage hensyn til helbredet",
            valid_until=today + timedelta(days=10),
            consent_id=new_id(),
        )
        recorded = await send(running.handle, consent)
        assert "helbred fra Sundhed med Jobcenter" in recorded.summary
        await send(running.handle, needing_health(actor=coordinator))

        # Past its last day the consent no longer covers anything.
        await time_env.sleep(timedelta(days=12))
        await expect_rejection(
            send(running.handle, needing_health(actor=coordinator)),
            INVALID_TRANSITION,
            "intet samtykke dækker det",
        )

        state = await running.handle.query(ProgrammeWorkflow.current)
        consent_id = state.consents[0].id
        withdrawn = await send(
            running.handle,
            WithdrawConsent(actor=coordinator, consent_id=consent_id, note="Ringede i dag"),
        )
        assert "trukket samtykket om helbred tilbage" in withdrawn.summary
        await expect_rejection(
            send(
                running.handle,
                WithdrawConsent(actor=coordinator, consent_id=consent_id, note="Igen"),
            ),
            INVALID_TRANSITION,
            "allerede trukket tilbage",
        )

        by_law = await send(
            running.handle,
            needing_health(actor=coordinator, legal_basis="Forvaltningslovens § 28, stk. 2"),
        )
        assert "uden samtykke med hjemmel i: Forvaltningslovens § 28" in by_law.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        tasks = list(state.tasks.values())
        assert [t.legal_basis for t in tasks] == ["", "Forvaltningslovens § 28, stk. 2"]
        assert state.consents[0].withdrawn_by == coordinator.id
