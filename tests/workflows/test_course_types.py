"""The law as it stands in December 2026, on the time-skipping server: the cross-department
course from referral to the follow-up, the health coordinator's wait, the cut-off for new
ressourceforløb, the six-month effort rule, and courses registered as already running."""

import uuid
from datetime import timedelta

from models.continuity import RecordEffort
from models.danish_time import add_months, local_date
from models.description import (
    CompleteDescription,
    RecordHealthAdvice,
    RequestHealthAdvice,
    StartDescription,
)
from models.enums import CourseType, Department, Outcome, Recommendation, Role, Stage
from models.handover import ResolveTeamFlag
from models.programme import ProgrammeState, RecordDecision, RecordStatus
from models.refusals import INVALID_INPUT, INVALID_TRANSITION
from models.registration import RegisteredCourse
from models.rules import CourseRules
from models.task import AcknowledgeTask, AssignTask, CompleteTask, StartTask
from tests.factories import actor_of, make_staff
from tests.workflows.programme_helpers import (
    Running,
    expect_rejection,
    send,
    start_programme,
    timeline,
    worker_for,
)
from tests.workflows.test_programme import bring_to_team
from workflows.effort_rule import LEGAL_REASON
from workflows.programme import ProgrammeWorkflow


async def state_of(running: Running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


async def test_a_cross_department_course_from_referral_to_the_follow_up(
    time_env, task_queue, session, open_session, executor
):
    health = actor_of(make_staff(session, Role.DEPARTMENT_WORKER, Department.HEALTH))
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, course_type=CourseType.TVAERFAGLIGT
        )
        me = actor_of(running.coordinator)
        # The ressourceforløb's steps are not this course's.
        await expect_rejection(
            send(running.handle, RecordDecision(actor=me, kind=Recommendation.COORDINATED)),
            INVALID_TRANSITION,
            "Afgørelsen kan kun ske i fasen »Beskrevet, afventer afgørelse«",
        )
        await send(running.handle, StartDescription(actor=me))
        # Support at home all along, so only the waits below can stall the course.
        today = local_date(await time_env.get_current_time())
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id="bostoette",
                title="Bostøtte",
                owner="Social",
                start=today,
                end=today + timedelta(days=365),
            ),
        )
        await expect_rejection(
            send(
                running.handle,
                CompleteDescription(
                    actor=me, summary="Samlet billede", citizen_text="Det har vi talt om sammen."
                ),
            ),
            INVALID_TRANSITION,
            "mindst én afdeling",
        )
        part = str(uuid.uuid4())
        await send(
            running.handle,
            AssignTask(
                actor=me,
                task_id=part,
                department=Department.HEALTH,
                purpose="Bidrag til den samlede beskrivelse",
                for_description=True,
            ),
        )
        await expect_rejection(
            send(
                running.handle,
                CompleteDescription(
                    actor=me, summary="Samlet billede", citizen_text="Det har vi talt om sammen."
                ),
            ),
            INVALID_TRANSITION,
            "venter stadig på bidrag fra Sundhed",
        )
        for command in (AcknowledgeTask, StartTask):
            await send(running.handle, command(actor=health, task_id=part))
        await send(
            running.handle,
            CompleteTask(actor=health, task_id=part, result="Helbredet beskrevet"),
        )
        await send(
            running.handle,
            CompleteDescription(
                actor=me,
                summary="Borgeren kan arbejde få timer; smerter og angst begrænser",
                citizen_text="Du kan arbejde nogle timer om ugen, hvis opgaverne passer til dig.",
            ),
        )
        assert (await state_of(running)).stage == Stage.DESCRIBED
        # Fleksjob needs the region's health-professional advice first.
        await expect_rejection(
            send(running.handle, RecordDecision(actor=me, kind=Recommendation.FLEKSJOB)),
            INVALID_TRANSITION,
            "sundhedsfaglig rådgivning fra regionens sundhedskoordinator",
        )
        await send(
            running.handle,
            RequestHealthAdvice(actor=me, question="Kan borgeren arbejde i fleksjob?"),
        )
        assert (await state_of(running)).stage == Stage.HEALTH_ADVICE

        # The health coordinator waits: a reminder at 14 days, a stall at the stage's 28.
        await time_env.sleep(timedelta(days=15))
        state = await state_of(running)
        assert state.health_advice is not None
        assert [t.text for t in state.todos if t.done_at is None] == [
            "Ryk regionens sundhedskoordinator for rådgivningen, der blev bedt om "
            f"{local_date(state.health_advice.requested_at):%d.%m.%Y}."
        ]
        assert not state.stalls
        await time_env.sleep(timedelta(days=15))
        state = await state_of(running)
        assert [s.reason for s in state.stalls] == [
            "Afventer sundhedskoordinator i mere end 28 dage"
        ]
        received = await send(
            running.handle, RecordHealthAdvice(actor=me, advice="Fleksjob på 10 timer er muligt")
        )
        assert "efter 30 dage" in received.summary
        state = await state_of(running)
        assert state.stage == Stage.DESCRIBED and not state.stalls

        await expect_rejection(
            send(
                running.handle,
                RecordDecision(actor=me, kind=Recommendation.COORDINATED, duration_months=30),
            ),
            INVALID_INPUT,
            "kan vare 1 til 24 måneder",
        )
        decided = await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.COORDINATED, duration_months=6),
        )
        assert "koordineret indsats med en plan fra" in decided.summary
        state = await state_of(running)
        assert state.stage == Stage.ACTIVE
        # The six-month rule is the ressourceforløb's, not this course's.
        assert state.effort_rule_on is None

        await time_env.sleep(timedelta(days=190))
        assert (await state_of(running)).stage == Stage.ENDED
        await send(running.handle, RecordStatus(actor=me, status=Outcome.FLEKSJOB))
        final = await running.handle.result()
    assert final.stage == Stage.CLOSED
    assert final.followup_status == Outcome.FLEKSJOB
    kinds = [e.kind for e in timeline(session, running.case_id, "referred")]
    assert kinds == ["referred"]
    assert timeline(session, running.case_id, "health_advice_reminder")
    assert not timeline(session, running.case_id, "effort_rule_missed")


async def test_no_new_ressourceforloeb_is_granted_after_the_cut_off(
    time_env, task_queue, session, open_session, executor
):
    today = local_date(await time_env.get_current_time())
    cutoff = today - timedelta(days=30)
    rules = CourseRules(ressourceforloeb_cutoff=cutoff)
    referred = await time_env.get_current_time() - timedelta(days=90)
    async with worker_for(time_env.client, task_queue, open_session, executor, rules=rules):
        running = await start_programme(time_env.client, task_queue, session, referred_at=referred)
        me = await bring_to_team(running, time_env)
        message = await expect_rejection(
            send(
                running.handle,
                RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12),
            ),
            INVALID_TRANSITION,
            "Ressourceforløb er afskaffet for nye borgere",
        )
        assert f"{cutoff:%d.%m.%Y}" in message and "lov nr. 1750" in message
        # Nor by dating the decision before the cut-off: a course really decided then is
        # brought in as running, with its dates.
        backdated = RecordDecision(
            actor=me,
            kind=Recommendation.RESSOURCEFORLOEB,
            duration_months=12,
            decided_on=cutoff - timedelta(days=1),
        )
        message = await expect_rejection(
            send(running.handle, backdated), INVALID_TRANSITION, "registreres først nu"
        )
        assert "forloeb import" in message and "/admin/import" in message
        assert (await state_of(running)).stage == Stage.RECOMMENDED

        # A course registered as running is completed under the former rules.
        registered = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=referred,
            registered=RegisteredCourse(stage=Stage.REFERRED),
        )
        me = await bring_to_team(registered, time_env)
        await send(registered.handle, backdated.model_copy(update={"actor": me}))
        assert (await state_of(registered)).stage == Stage.ACTIVE


async def test_the_six_month_rule_flags_a_course_without_an_effort_and_not_one_with(
    time_env, task_queue, session, open_session, executor
):
    today = local_date(await time_env.get_current_time())
    active = RegisteredCourse(
        stage=Stage.ACTIVE, decided_on=today, planned_end=add_months(today, 24)
    )
    async with worker_for(time_env.client, task_queue, open_session, executor):
        idle = await start_programme(time_env.client, task_queue, session, registered=active)
        busy = await start_programme(time_env.client, task_queue, session, registered=active)
        assert (await state_of(idle)).effort_rule_on == add_months(today, 6)
        me = actor_of(busy.coordinator)
        await send(
            busy.handle,
            RecordEffort(
                actor=me,
                item_id="training",
                title="Træning hos fysioterapeut",
                owner="Sundhed",
                start=today + timedelta(days=60),
                end=today + timedelta(days=150),
            ),
        )
        await time_env.sleep(timedelta(days=170))
        # Its plan stands empty, a gap of its own; the six-month rule is not judged yet.
        assert "effort_rule" not in [s.kind for s in (await state_of(idle)).stalls]
        await time_env.sleep(timedelta(days=30))

        state = await state_of(idle)
        assert state.team_flag == LEGAL_REASON
        assert state.effort_rule_missed_on == add_months(today, 6)
        assert "effort_rule" in [s.kind for s in state.stalls]
        assert timeline(session, idle.case_id, "effort_rule_missed")
        await send(
            idle.handle,
            ResolveTeamFlag(
                actor=actor_of(idle.coordinator),
                note="Særlige grunde: borgeren er indlagt; indsatsen starter ved udskrivelsen",
            ),
        )
        state = await state_of(idle)
        assert not state.team_flag and "effort_rule" not in [s.kind for s in state.stalls]
        assert state.effort_rule_missed_on is not None  # on record for the dashboard

        state = await state_of(busy)
        assert not state.team_flag and state.effort_rule_missed_on is None
        assert timeline(session, busy.case_id, "effort_rule_met")


async def test_a_registered_course_keeps_its_dates_and_its_timers_fall_where_the_law_puts_them(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    today = local_date(now)
    decided_on = today - timedelta(days=250)
    running_course = RegisteredCourse(
        stage=Stage.ACTIVE, decided_on=decided_on, planned_end=today + timedelta(days=20)
    )
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=400),
            registered=running_course,
        )
        # A course decided 100 days ago: the six-month rule falls where the law puts it.
        recent = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=now - timedelta(days=200),
            registered=RegisteredCourse(
                stage=Stage.ACTIVE,
                decided_on=today - timedelta(days=100),
                planned_end=add_months(today, 12),
            ),
        )
        await time_env.sleep(timedelta(hours=1))
        state = await state_of(running)
        assert state.stage == Stage.ACTIVE and state.registered
        assert state.decision is not None and state.decision.decided_on == decided_on
        assert state.max_end == add_months(decided_on, 36)
        # Its six months passed in the former system, where its efforts are on record: the
        # rule is not judged here.
        assert state.effort_rule_on is None and not state.team_flag
        recent_state = await state_of(recent)
        assert recent_state.effort_rule_on == add_months(today - timedelta(days=100), 6)
        (registered,) = timeline(session, running.case_id, "registered")
        assert "afgørelse" in registered.summary and "planlagt slut" in registered.summary
        assert local_date(registered.at) == local_date(state.referred_at)
        # Its planned end is the durable timer it was in the former system.
        await time_env.sleep(timedelta(days=21))
        state = await state_of(running)
        assert state.stage == Stage.ENDED and state.ended_on == today + timedelta(days=20)
        assert state.followup_on == today + timedelta(days=20 + 13 * 7)
