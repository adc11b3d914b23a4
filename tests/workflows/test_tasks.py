"""Department tasks on the time-skipping server: working-day deadlines, reminders, escalations."""

import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import holidays
import pytest
from sqlmodel import col, select

from models.danish_time import COPENHAGEN
from models.enums import Breach, Department, Role, TaskState
from models.outbox import OutboxMessage
from models.programme import ProgrammeState
from models.refusals import FORBIDDEN, INVALID_TRANSITION
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    StartTask,
)
from tests.factories import actor_of, make_staff
from tests.workflows.programme_helpers import (
    expect_rejection,
    send,
    start_programme,
    travel_to,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow


def _next(day_of: Callable[[int], date | None], after: datetime) -> date:
    """The first such day at least two days after `after`."""
    year = after.astimezone(COPENHAGEN).year
    while True:
        day = day_of(year)
        if day is not None and day > after.astimezone(COPENHAGEN).date() + timedelta(days=1):
            return day
        year += 1


def wednesday_before_easter(year: int) -> date:
    maundy_thursday = next(
        d
        for d, name in holidays.country_holidays("DK", years=year).items()
        if name == "Maundy Thursday"
    )
    return maundy_thursday - timedelta(days=1)


def christmas_eve_eve_on_a_wednesday(year: int) -> date | None:
    """23 December when it is a Wednesday: 24-27 December are all days off."""
    day = date(year, 12, 23)
    return day if day.weekday() == 2 else None


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


async def state_of(running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


@pytest.fixture
def department_staff(session):
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.HEALTH)
    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH)
    return worker, lead


def messages_to(session, staff_id, purpose: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.staff_id == staff_id, OutboxMessage.purpose == purpose)
            .order_by(col(OutboxMessage.created_at))
        ).all()
    )


@pytest.mark.parametrize(
    ("holiday", "reminder", "deadline"),
    [
        # Wed 10:00; Thu-Mon are Easter days and a weekend. Half of 3 working days is 1.5.
        (wednesday_before_easter, (6, 22), (8, 10)),
        # Wed 23 Dec 10:00; 24-27 Dec are days off, then Mon 28 to Wed 30.
        (christmas_eve_eve_on_a_wednesday, (5, 22), (7, 10)),
    ],
)
async def test_acknowledgement_reminder_and_repeated_escalation_count_working_days(
    time_env,
    task_queue,
    session,
    open_session,
    executor,
    department_staff,
    holiday,
    reminder,
    deadline,
):
    worker, lead = department_staff
    start_day = _next(holiday, await time_env.get_current_time())
    await travel_to(time_env, at(start_day, 10))
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        task_id = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(
                actor=me,
                task_id=task_id,
                department=Department.HEALTH,
                purpose="Vurdering af helbred hos kommunallæge",
            ),
        )
        task = (await state_of(running)).tasks[task_id]
        expected_reminder = at(start_day + timedelta(days=reminder[0]), reminder[1])
        expected_deadline = at(start_day + timedelta(days=deadline[0]), deadline[1])
        # The test server's clock lands a few milliseconds after the moment travelled to.
        assert abs(task.reminder_at - expected_reminder) < timedelta(seconds=5)
        assert abs(task.acknowledge_by - expected_deadline) < timedelta(seconds=5)

        await travel_to(time_env, expected_reminder - timedelta(minutes=30))
        assert not (await state_of(running)).tasks[task_id].reminded
        await travel_to(time_env, expected_reminder + timedelta(minutes=30))
        assert (await state_of(running)).tasks[task_id].reminded
        reminders = messages_to(session, worker.id, "task_reminder")
        assert len(reminders) == 1
        assert "Vurdering af helbred hos kommunallæge" in reminders[0].body
        assert reminders[0].body.endswith("indbakken: http://forloeb.test/inbox")

        await travel_to(time_env, expected_deadline + timedelta(minutes=30))
        task = (await state_of(running)).tasks[task_id]
        assert task.breach == Breach.ACKNOWLEDGE and task.escalations == 1
        assert len(messages_to(session, lead.id, "task_escalation")) == 1
        assert len(messages_to(session, running.coordinator.id, "task_escalation")) == 1

        # Repeated every working day until acknowledged.
        assert task.next_escalation_at is not None
        await travel_to(time_env, task.next_escalation_at + timedelta(minutes=30))
        task = (await state_of(running)).tasks[task_id]
        assert task.escalations == 2
        assert len(messages_to(session, lead.id, "task_escalation")) == 2

        acknowledged = await send(
            running.handle, AcknowledgeTask(actor=actor_of(worker), task_id=task_id)
        )
        assert acknowledged.recorded
        await time_env.sleep(timedelta(days=10))
        task = (await state_of(running)).tasks[task_id]
        assert task.state == TaskState.ACKNOWLEDGED
        assert task.breach is None and task.escalations == 2
        assert len(messages_to(session, lead.id, "task_escalation")) == 2


async def test_start_and_due_dates_escalate_too(
    time_env, task_queue, session, open_session, executor, department_staff
):
    worker, _ = department_staff
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        now = (await time_env.get_current_time()).astimezone(COPENHAGEN)
        task_id = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(
                actor=actor_of(running.coordinator),
                task_id=task_id,
                department=Department.HEALTH,
                purpose="Træningsforløb",
                expected_start=now.date() + timedelta(days=10),
                due=now.date() + timedelta(days=30),
            ),
        )
        await send(running.handle, AcknowledgeTask(actor=actor_of(worker), task_id=task_id))
        expected_start = now.date() + timedelta(days=10)
        await travel_to(time_env, at(expected_start + timedelta(days=1), 1))
        task = (await state_of(running)).tasks[task_id]
        assert task.breach == Breach.START and task.escalations == 1

        await send(running.handle, StartTask(actor=actor_of(worker), task_id=task_id))
        task = (await state_of(running)).tasks[task_id]
        assert task.breach is None
        await travel_to(time_env, at(now.date() + timedelta(days=31), 1))
        task = (await state_of(running)).tasks[task_id]
        assert task.breach == Breach.DUE and task.escalations == 2

        await send(
            running.handle,
            CompleteTask(actor=actor_of(worker), task_id=task_id, result="Gennemført, 8 gange"),
        )
        task = (await state_of(running)).tasks[task_id]
        assert task.state == TaskState.DONE and task.breach is None


async def test_department_rules_for_acting_on_a_task(
    time_env, task_queue, session, open_session, executor, department_staff
):
    worker, _ = department_staff
    other = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        task_id = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(actor=me, task_id=task_id, department=Department.HEALTH, purpose="Test"),
        )
        await expect_rejection(
            send(running.handle, AcknowledgeTask(actor=actor_of(other), task_id=task_id)),
            FORBIDDEN,
            "Opgaven er tildelt Sundhed; kun afdelingen kan handle på den.",
        )
        await expect_rejection(
            send(running.handle, AcknowledgeTask(actor=me, task_id=task_id)),
            FORBIDDEN,
            "Opgaven er tildelt Sundhed; kun afdelingen kan handle på den.",
        )
        first = await send(running.handle, AcknowledgeTask(actor=actor_of(worker), task_id=task_id))
        second = await send(
            running.handle, AcknowledgeTask(actor=actor_of(worker), task_id=task_id)
        )
        assert first.recorded and not second.recorded
        assert second.summary == "Opgaven var allerede kvitteret. Intet er ændret."
        assert (await state_of(running)).seq == first.seq

        await expect_rejection(
            send(
                running.handle,
                CompleteTask(actor=actor_of(worker), task_id=task_id, result="Færdig"),
            ),
            INVALID_TRANSITION,
            "skal være i gang",
        )
        await send(
            running.handle, CancelTask(actor=me, task_id=task_id, reason="Ikke længere relevant")
        )
        message = await expect_rejection(
            send(running.handle, StartTask(actor=actor_of(worker), task_id=task_id)),
            INVALID_TRANSITION,
            "annulleret af koordinatoren",
        )
        assert "Ikke længere relevant" in message


async def test_declining_a_recommended_task_flags_the_case_for_the_team(
    time_env, task_queue, session, open_session, executor, department_staff
):
    worker, _ = department_staff
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        plain, recommended = str(uuid.uuid4()), str(uuid.uuid4())
        for task_id, carries in ((plain, False), (recommended, True)):
            await send(
                running.handle,
                AssignTask(
                    actor=me,
                    task_id=task_id,
                    department=Department.HEALTH,
                    purpose="Psykologforløb",
                    carries_recommendation=carries,
                ),
            )
        await send(
            running.handle,
            DeclineTask(actor=actor_of(worker), task_id=plain, reason="Ingen ledig kapacitet"),
        )
        assert (await state_of(running)).team_flag == ""
        declined = await send(
            running.handle,
            DeclineTask(actor=actor_of(worker), task_id=recommended, reason="Ikke vores område"),
        )
        assert "markeret til rehabiliteringsteamet" in declined.summary
        state = await state_of(running)
        assert "Sundhed har afvist en opgave" in state.team_flag
        assert state.tasks[recommended].state == TaskState.DECLINED
