"""The read model follows the workflow: many actions at once share projections, and what
the state lets go of stays in the read model (time-skipping server, real projection)."""

import asyncio
import json
import uuid
from datetime import timedelta

from sqlmodel import col, select

from deploy.read_model_check import compare
from models.case import Case, CaseEvent
from models.case_view import PlanItemRow
from models.continuity import ContinuityPlan, RecordEffort
from models.enums import Department, PlanItemKind, Role, TaskState
from models.task import AcknowledgeTask, AssignTask, CompleteTask, StartTask, Task
from tests.factories import actor_of, copenhagen_today, make_staff
from tests.workflows.programme_helpers import (
    Running,
    record_history,
    send,
    start_programme,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow


async def test_many_actions_at_once_on_one_course_are_all_applied_and_share_projections(
    time_env, task_queue, session, open_session, executor, engine
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = copenhagen_today()
        efforts = [
            RecordEffort(
                actor=me,
                item_id=str(uuid.uuid4()),
                kind=PlanItemKind.EFFORT,
                title=f"Indsats nummer {i}",
                owner="Jobcentret",
                start=today + timedelta(days=i),
                end=today + timedelta(days=i + 3),
            )
            for i in range(20)
        ]
        # The database is held up while they arrive, as under load: the first projection
        # waits, and the actions behind it must share the next one instead of queueing.
        with engine.connect() as blocker:
            blocker.exec_driver_sql("BEGIN IMMEDIATE")
            sending = [asyncio.create_task(send(running.handle, e)) for e in efforts]
            await asyncio.sleep(1)
            blocker.rollback()
        events = await asyncio.gather(*sending)
        history = await running.handle.fetch_history()

    assert sorted(e.seq for e in events) == list(range(2, 22))
    rows = session.exec(
        select(PlanItemRow).where(PlanItemRow.case_id == uuid.UUID(running.case_id))
    ).all()
    assert len(rows) == 20
    projections = [
        event
        for event in json.loads(history.to_json())["events"]
        if event.get("markerRecordedEventAttributes", {}).get("markerName") == "core_local_activity"
    ]
    # The referral's, the one that waited, and one shared by all that arrived meanwhile.
    assert len(projections) <= 4


async def test_a_task_the_state_has_let_go_of_stays_in_the_read_model_and_the_plan(
    time_env, task_queue, session, open_session, executor
):
    worker = actor_of(make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL))
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        task_id = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(actor=me, task_id=task_id, department=Department.SOCIAL, purpose="Bostøtte"),
        )
        for step in (AcknowledgeTask, StartTask):
            await send(running.handle, step(actor=worker, task_id=task_id))
        await send(running.handle, CompleteTask(actor=worker, task_id=task_id, result="Klaret"))
        await time_env.sleep(timedelta(days=31))
        today = copenhagen_today()
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id=str(uuid.uuid4()),
                title="Praktik i butik",
                owner="Jobcentret",
                start=today,
                end=today + timedelta(days=20),
            ),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)

    assert task_id not in state.tasks and state.active_until is not None
    row = session.get(Task, uuid.UUID(task_id))
    assert row is not None and row.state == TaskState.DONE and row.result == "Klaret"
    case = session.get(Case, uuid.UUID(running.case_id))
    session.refresh(case)
    plan = ContinuityPlan.model_validate(case.plan)
    assert {bar.label for bar in plan.bars} >= {"Bostøtte", "Praktik i butik"}


async def test_an_action_that_arrives_with_the_start_leaves_the_referral_in_the_timeline(
    time_env, task_queue, session, open_session, executor
):
    # Started with no worker, so the first workflow task carries the start and the update
    # together, and the update's handler runs before the run has projected the referral.
    running = await start_programme(time_env.client, task_queue, session)
    effort = ten_days_of_work_experience(running)
    sending = asyncio.create_task(send(running.handle, effort))
    await asyncio.sleep(1)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        await sending
        state = await running.handle.query(ProgrammeWorkflow.current)
        await record_history(time_env.client, running.handle)
    await running.handle.terminate("test done")

    session.expire_all()
    seqs = session.exec(
        select(CaseEvent.seq).where(CaseEvent.case_id == uuid.UUID(running.case_id))
    ).all()
    assert sorted(seqs) == list(range(1, state.seq + 1))


async def test_what_a_lost_projection_wrote_is_replaced_by_the_next_one(
    time_env, task_queue, session, open_session, executor
):
    """A projection commits before its workflow task does; when the task is then lost, the
    read model holds an action the history does not. Written here as such a projection would
    have written it: a task assigned and an effort recorded at the next seq."""
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = copenhagen_today()
        effort = ten_days_of_work_experience(running)
        await send(running.handle, effort)
        case_id = uuid.UUID(running.case_id)
        case = session.get(Case, case_id)
        assert case is not None
        lost = case.last_seq + 1
        lost_task = Task(
            id=uuid.uuid4(),
            case_id=case_id,
            department=Department.SOCIAL,
            purpose="Tildelt af en tabt handling",
            state=TaskState.ASSIGNED,
            assigned_at=case.updated_at,
            acknowledge_by=case.updated_at,
            updated_at=case.updated_at,
        )
        session.add(lost_task)
        session.add(
            CaseEvent(
                case_id=case_id, seq=lost, kind="task_assigned", at=case.updated_at, summary="Tabt"
            )
        )
        session.add(
            PlanItemRow(
                id="tabt",
                case_id=case_id,
                kind=PlanItemKind.EFFORT,
                start=today,
                end=today,
                data={},
                seq=lost,
            )
        )
        case.last_seq = lost
        session.commit()

        task_id = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(actor=me, task_id=task_id, department=Department.HEALTH, purpose="Psykolog"),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        drift = await compare(time_env.client, open_session, case_id, running.handle.id)

    assert drift == []
    session.expunge_all()
    assert session.get(Task, lost_task.id) is None
    assert session.get(Task, uuid.UUID(task_id)) is not None
    assert session.get(PlanItemRow, "tabt") is None
    assert session.get(PlanItemRow, effort.item_id) is not None
    events = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.seq))
    ).all()
    assert [e.seq for e in events] == list(range(1, state.seq + 1))
    assert "Tabt" not in [e.summary for e in events]


def ten_days_of_work_experience(running: Running) -> RecordEffort:
    """An effort the coordinator records, from today."""
    today = copenhagen_today()
    return RecordEffort(
        actor=actor_of(running.coordinator),
        item_id=str(uuid.uuid4()),
        title="Praktik",
        owner="Jobcentret",
        start=today,
        end=today + timedelta(days=10),
    )
