"""Courses registered as already running (workflows/registration.py), on the time-skipping
server: each stage the import brings in starts with its timers where the law puts them, and
the open tasks arrive with the course, their deadlines counted from the day they were given."""

import uuid
from datetime import timedelta

from models.danish_time import add_months, add_weeks, add_working_time, local_date, start_of
from models.description import CompleteDescription, RecordHealthAdvice
from models.enums import Breach, CourseType, Department, Outcome, Recommendation, Role, Stage
from models.programme import ProgrammeState, RecordDecision, RecordStatus
from models.registration import RegisteredCourse
from models.rules import DEFAULT_STAGE_LIMITS
from models.task import AcknowledgeTask, AssignTask, CompleteTask, StartTask, TaskSla
from tests.factories import actor_of, make_staff
from tests.workflows.programme_helpers import (
    Running,
    send,
    start_programme,
    timeline,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow


async def state_of(running: Running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


async def test_the_open_tasks_arrive_with_the_course_and_their_deadlines_count_from_their_day(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    today = local_date(now)
    given_long_ago = today - timedelta(days=30)
    old_id, new_id = str(uuid.uuid4()), str(uuid.uuid4())
    course = RegisteredCourse(
        stage=Stage.ACTIVE,
        decided_on=today - timedelta(days=60),
        planned_end=add_months(today, 12),
        tasks=[
            AssignTask(
                department=Department.HEALTH,
                purpose="Samtaleforløb hos psykolog",
                assigned_on=given_long_ago,
                task_id=old_id,
                sla=TaskSla(acknowledge_days=3),
            ),
            AssignTask(
                department=Department.SOCIAL,
                purpose="Bostøtte to gange om ugen",
                assigned_on=today,
                task_id=new_id,
                sla=TaskSla(acknowledge_days=4),
            ),
        ],
    )
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=100),
            registered=course,
        )
        await time_env.sleep(timedelta(minutes=10))
        state = await state_of(running)
        old, new = state.tasks[old_id], state.tasks[new_id]
        assert old.assigned_at == start_of(given_long_ago)
        assert old.acknowledge_by == add_working_time(start_of(given_long_ago), 3)
        assert old.assigned_by == state.coordinator_id
        # Its acknowledgement deadline passed in the former system: the escalation says so at
        # once, and no reminder ahead of it is sent after the fact.
        assert old.breach == Breach.ACKNOWLEDGE and old.reminded
        assert local_date(new.assigned_at) == today
        assert new.acknowledge_by == add_working_time(new.assigned_at, 4)
        assert not new.reminded and new.breach is None
        (registered,) = timeline(session, running.case_id, "registered")
        assert "2 åbne opgaver" in registered.summary
        assert "psykolog" not in registered.summary and registered.department is None
        assert len(timeline(session, running.case_id, "task_escalated")) == 1
        assert timeline(session, running.case_id, "task_reminded") == []

        await time_env.sleep(new.reminder_at - await time_env.get_current_time())
        await time_env.sleep(timedelta(minutes=10))
        assert (await state_of(running)).tasks[new_id].reminded
        assert len(timeline(session, running.case_id, "task_reminded")) == 1


async def test_a_course_registered_with_the_teams_recommendation_awaits_the_decision(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    meeting = local_date(now) - timedelta(days=20)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=120),
            registered=RegisteredCourse(
                stage=Stage.RECOMMENDED,
                team_meeting_on=meeting,
                recommendation=Recommendation.RESSOURCEFORLOEB,
            ),
        )
        await time_env.sleep(timedelta(minutes=10))  # projected
        state = await state_of(running)
        assert state.stage == Stage.RECOMMENDED and state.team_meeting_on == meeting
        assert state.recommendation is not None
        assert state.recommendation.kind == Recommendation.RESSOURCEFORLOEB
        # The decision has waited since the team's meeting: the stage's limit counts from it.
        assert state.stage_since == start_of(meeting)
        (registered,) = timeline(session, running.case_id, "registered")
        assert "indstillet til ressourceforløb" in registered.summary

        # Registered as already running, it is decided under the former rules (lov nr. 1750
        # af 29.12.2025).
        await send(
            running.handle,
            RecordDecision(
                actor=actor_of(running.coordinator),
                kind=Recommendation.RESSOURCEFORLOEB,
                duration_months=12,
            ),
        )
        state = await state_of(running)
        assert state.stage == Stage.ACTIVE and state.decision is not None
        assert state.decision.follows_recommendation


async def test_a_course_waiting_on_the_health_coordinator_is_reminded_and_stalls_from_the_request(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    asked = local_date(now) - timedelta(days=10)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=90),
            course_type=CourseType.TVAERFAGLIGT,
            registered=RegisteredCourse(
                stage=Stage.HEALTH_ADVICE, health_advice_requested_on=asked
            ),
        )
        state = await state_of(running)
        assert state.stage == Stage.HEALTH_ADVICE
        assert state.health_advice is not None
        assert state.health_advice.requested_at == start_of(asked)
        assert state.stage_since == start_of(asked)
        reminder_days = state.rules.of_type(CourseType.TVAERFAGLIGT).health_advice_reminder_days
        reminder = start_of(asked + timedelta(days=reminder_days))

        await time_env.sleep(reminder - await time_env.get_current_time() - timedelta(hours=1))
        assert timeline(session, running.case_id, "health_advice_reminder") == []
        await time_env.sleep(timedelta(hours=2))
        (reminded,) = timeline(session, running.case_id, "health_advice_reminder")
        assert abs(reminded.at - reminder) < timedelta(minutes=1)
        assert f"{asked:%d.%m.%Y}" in reminded.summary

        limit = start_of(asked) + timedelta(days=DEFAULT_STAGE_LIMITS[Stage.HEALTH_ADVICE])
        await time_env.sleep(limit - await time_env.get_current_time() + timedelta(hours=1))
        stalls = [s for s in (await state_of(running)).stalls if s.kind == "stage"]
        assert [s.since for s in stalls] == [limit]

        await send(
            running.handle,
            RecordHealthAdvice(
                actor=actor_of(running.coordinator), advice="Fleksjob kan komme på tale."
            ),
        )
        assert (await state_of(running)).stage == Stage.DESCRIBED


async def test_an_ended_course_is_followed_up_thirteen_weeks_after_its_end(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    today = local_date(now)
    decided, ended = today - timedelta(days=400), today - timedelta(days=20)
    followup = add_weeks(ended, 13)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=500),
            registered=RegisteredCourse(
                stage=Stage.ENDED, decided_on=decided, ended_on=ended, outcome=Outcome.JOB
            ),
        )
        state = await state_of(running)
        assert state.stage == Stage.ENDED and state.ended_on == ended
        assert state.decision is not None and state.decision.decided_on == decided
        assert state.planned_end == ended and state.outcome == Outcome.JOB
        assert state.followup_on == followup
        # An ended course's effort rule is past; nothing judges it here.
        assert state.effort_rule_on is None

        before = start_of(followup) - timedelta(hours=1)
        await time_env.sleep(before - await time_env.get_current_time())
        assert (await state_of(running)).stage == Stage.ENDED
        await send(
            running.handle,
            RecordStatus(actor=actor_of(running.coordinator), status=Outcome.EDUCATION),
        )
        await time_env.sleep(timedelta(hours=2))
        state = await state_of(running)
        assert state.stage == Stage.CLOSED and state.followup_status == Outcome.EDUCATION
        (followed_up,) = timeline(session, running.case_id, "followed_up")
        assert local_date(followed_up.at) == followup


async def test_a_course_registered_while_its_description_is_written_takes_the_parts_here(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=40),
            course_type=CourseType.TVAERFAGLIGT,
            registered=RegisteredCourse(stage=Stage.DESCRIPTION),
        )
        me = actor_of(running.coordinator)
        social = actor_of(make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL))
        task_id = str(uuid.uuid4())
        part = AssignTask(
            actor=me,
            task_id=task_id,
            department=Department.SOCIAL,
            purpose="Socialfaglig del",
            for_description=True,
        )
        await send(running.handle, part)
        for command in (AcknowledgeTask, StartTask):
            await send(running.handle, command(actor=social, task_id=task_id))
        await send(running.handle, CompleteTask(actor=social, task_id=task_id, result="Skrevet"))
        await send(
            running.handle,
            CompleteDescription(
                actor=me,
                summary="Borgeren har brug for støtte i hverdagen og et roligt arbejdsmiljø.",
                citizen_text="Vi har samlet det, afdelingerne ved om dig, i én beskrivelse.",
            ),
        )
        state = await state_of(running)
        assert state.stage == Stage.DESCRIBED and state.description is not None
        assert state.description.contributions == [task_id]
        assert state.description.completed_on == local_date(await time_env.get_current_time())
