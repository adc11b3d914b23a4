"""The programme workflow on the time-skipping test server, projecting into a real database."""

import time
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from models.case import Case, CaseEvent
from models.danish_time import add_months, add_weeks, local_date
from models.enums import Department, Outcome, Recommendation, Role, Stage
from models.programme import (
    CloseEarly,
    Effort,
    EndProgramme,
    ExtendProgramme,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.refusals import FORBIDDEN, INVALID_INPUT, INVALID_TRANSITION
from tests.factories import actor_of, make_staff
from tests.workflows.programme_helpers import (
    RUNNING_AT_REFERRAL,
    expect_rejection,
    send,
    start_programme,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow

EFFORTS = [
    Effort(department=Department.JOBCENTER, description="Virksomhedspraktik med mentor"),
    Effort(department=Department.HEALTH, description="Forløb hos psykolog"),
]


async def bring_to_team(
    running, env: WorkflowEnvironment, recommendation=Recommendation.RESSOURCEFORLOEB
):
    me = actor_of(running.coordinator)
    today = local_date(await _now(env))
    await send(running.handle, StartPreparation(actor=me))
    await send(
        running.handle,
        ScheduleTeamMeeting(actor=me, meeting_on=today + timedelta(days=14)),
    )
    efforts = EFFORTS if recommendation == Recommendation.RESSOURCEFORLOEB else []
    await send(
        running.handle,
        RecordRecommendation(actor=me, kind=recommendation, efforts=efforts),
    )
    return me


async def _now(env: WorkflowEnvironment) -> datetime:
    return await env.get_current_time()


async def test_full_course_from_referral_to_follow_up_runs_in_seconds(
    time_env, task_queue, session, open_session, executor
):
    started = time.monotonic()
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = await bring_to_team(running, time_env)
        decided = await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=24),
        )
        assert "ressourceforløb fra" in decided.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.ACTIVE
        assert state.max_end is not None
        await send(
            running.handle,
            ExtendProgramme(actor=me, new_end=state.max_end, reason="Behov for mere tid i praktik"),
        )

        await time_env.sleep(timedelta(days=3 * 366))
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.ENDED
        assert state.ended_on == state.max_end
        assert state.outcome is None

        await send(running.handle, RecordStatus(actor=me, status=Outcome.FLEKSJOB))
        final = await running.handle.result()

    assert final.stage == Stage.CLOSED
    assert state.max_end is not None
    assert final.followup_on == add_weeks(state.max_end, 13)
    assert final.followup_status == Outcome.FLEKSJOB
    assert final.outcome == Outcome.FLEKSJOB
    assert time.monotonic() - started < 30

    case = session.get(Case, uuid.UUID(running.case_id))
    session.refresh(case)
    assert case.stage == Stage.CLOSED
    assert case.followup_status == Outcome.FLEKSJOB
    kinds = session.exec(
        select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.seq))
    ).all()
    # Nothing was ever planned in this course, so the workflow also marked it stalled.
    assert "stalled" in kinds
    assert [k for k in kinds if k not in ("stalled", "unstalled")] == [
        "registered",
        "preparation_started",
        # Progression is measured from the start; no one measures in this course.
        "progression_due",
        "team_meeting_scheduled",
        "recommendation_recorded",
        "decided",
        "extended",
        # Nothing started within six months of the decision (LAB § 113, stk. 2).
        "effort_rule_missed",
        "period_expired",
        "status_recorded",
        "followed_up",
    ]


async def test_deviating_decision_goes_back_to_the_team_first(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = await bring_to_team(running, time_env, Recommendation.FLEKSJOB)

        returned = await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12),
        )
        assert "tilbage til rehabiliteringsteamet" in returned.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.TEAM
        assert state.returned_to_team
        assert state.proposed_decision == Recommendation.RESSOURCEFORLOEB
        assert state.decision is None

        # The team keeps its recommendation after renewed consideration.
        await send(
            running.handle,
            RecordRecommendation(actor=me, kind=Recommendation.FLEKSJOB, note="Fastholder"),
        )
        await expect_rejection(
            send(
                running.handle,
                RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12),
            ),
            INVALID_INPUT,
            "skriv en begrundelse",
        )
        await send(
            running.handle,
            RecordDecision(
                actor=me,
                kind=Recommendation.RESSOURCEFORLOEB,
                duration_months=12,
                justification="Borgeren ønsker at afprøve praktik først",
            ),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.ACTIVE
        assert state.decision is not None and not state.decision.follows_recommendation
        assert state.recommendation is not None and state.recommendation.reconsidered


async def test_decision_that_follows_a_non_programme_recommendation_closes_the_case(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = await bring_to_team(running, time_env, Recommendation.FOERTIDSPENSION)
        await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.FOERTIDSPENSION),
        )
        final = await running.handle.result()
    assert final.stage == Stage.CLOSED
    assert final.close_reason == "Afgørelse: Førtidspension"


async def test_a_ressourceforloeb_lasts_at_most_36_months_unless_the_citizen_wishes_more(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = await bring_to_team(running, time_env)
        await expect_rejection(
            send(
                running.handle,
                RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=48),
            ),
            INVALID_INPUT,
            "kan vare 1 til 36 måneder",
        )
        await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.decision is not None
        decided_on = state.decision.decided_on
        assert state.max_end == add_months(decided_on, 36)
        await expect_rejection(
            send(
                running.handle,
                ExtendProgramme(
                    actor=me, new_end=state.max_end + timedelta(days=1), reason="For længe"
                ),
            ),
            INVALID_INPUT,
            "kræver, at borgeren selv ønsker det",
        )
        await expect_rejection(
            send(
                running.handle,
                ExtendProgramme(
                    actor=me,
                    new_end=add_months(decided_on, 60) + timedelta(days=1),
                    reason="Borgeren ønsker mere tid",
                    citizen_wishes_longer=True,
                ),
            ),
            INVALID_INPUT,
            "Heller ikke på borgerens ønske",
        )
        await expect_rejection(
            send(
                running.handle,
                ExtendProgramme(actor=me, new_end=state.planned_end, reason="Samme dato"),
            ),
            INVALID_INPUT,
            "efter den nuværende",
        )
        # The planned end (12 months) is a durable timer: just before it, still active.
        await time_env.sleep(timedelta(days=360))
        assert (await running.handle.query(ProgrammeWorkflow.current)).stage == Stage.ACTIVE
        wished = await send(
            running.handle,
            ExtendProgramme(
                actor=me,
                new_end=add_months(decided_on, 48),
                reason="Borgeren vil gerne gøre praktikken færdig",
                citizen_wishes_longer=True,
            ),
        )
        assert "Borgeren ønsker selv" in wished.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.planned_end == add_months(decided_on, 48)
        assert state.longer_wished.startswith("Borgeren ønsker et længere forløb")
        await time_env.sleep(timedelta(days=3 * 366 + 30))
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.ENDED
        assert state.ended_on == add_months(decided_on, 48)


async def test_early_end_needs_a_reason_and_starts_the_follow_up_timer(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = await bring_to_team(running, time_env)
        await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=36),
        )
        await time_env.sleep(timedelta(days=200))
        await expect_rejection(
            send(running.handle, EndProgramme(actor=me, outcome=Outcome.JOB)),
            INVALID_INPUT,
            "før den planlagte slutdato",
        )
        ended = await send(
            running.handle,
            EndProgramme(actor=me, outcome=Outcome.JOB, reason="Fast job i 25 timer om ugen"),
        )
        assert "før tid" in ended.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        today = local_date(await _now(time_env))
        assert state.ended_on == today
        assert state.followup_on == add_weeks(today, 13)
        final = await running.handle.result()
    assert final.followup_status == Outcome.JOB
    assert final.closed_at is not None
    assert local_date(final.closed_at) == final.followup_on


async def test_a_case_can_be_closed_before_the_decision(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        await send(
            running.handle,
            CloseEarly(actor=me, reason="Borgeren er fraflyttet kommunen"),
        )
        final = await running.handle.result()
    assert final.stage == Stage.CLOSED
    assert final.close_reason == "Borgeren er fraflyttet kommunen"


async def test_transitions_that_do_not_fit_are_refused_with_a_reason(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        message = await expect_rejection(
            send(
                running.handle,
                RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12),
            ),
            INVALID_TRANSITION,
            "Afgørelsen kan kun ske i fasen",
        )
        assert "»Visiteret«" in message
        await expect_rejection(
            send(running.handle, EndProgramme(actor=me, outcome=Outcome.JOB)),
            INVALID_TRANSITION,
            "Afslutning af forløbet",
        )
        colleague = actor_of(make_staff(session, Role.COORDINATOR))
        await expect_rejection(
            send(running.handle, StartPreparation(actor=colleague)),
            FORBIDDEN,
            "koordinerende sagsbehandler",
        )
        worker = actor_of(make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL))
        await expect_rejection(
            send(running.handle, StartPreparation(actor=worker)),
            FORBIDDEN,
            "koordinerende sagsbehandler",
        )
        await send(running.handle, StartPreparation(actor=me))
        await expect_rejection(
            send(running.handle, StartPreparation(actor=me)),
            INVALID_TRANSITION,
            "Sagen er i fasen »Forberedende del«",
        )
        await expect_rejection(
            send(
                running.handle,
                ScheduleTeamMeeting(actor=me, meeting_on=date(2000, 1, 1)),
            ),
            INVALID_INPUT,
            "før visitationen",
        )
        # A refused action leaves no trace: the state and the timeline are as before (the
        # referral, the preparation, and the first progression measurement falling due).
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.stage == Stage.PREPARATION and state.seq == 3


async def test_an_existing_case_can_be_registered_with_its_past_dates(
    time_env, task_queue, session, open_session, executor
):
    now = await _now(time_env)
    referred = now - timedelta(days=400)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(
            time_env.client,
            task_queue,
            session,
            referred_at=referred,
            registered=RUNNING_AT_REFERRAL,
        )
        me = actor_of(running.coordinator)
        await send(running.handle, StartPreparation(actor=me))
        await send(
            running.handle,
            ScheduleTeamMeeting(actor=me, meeting_on=local_date(referred) + timedelta(days=30)),
        )
        await send(
            running.handle,
            RecordRecommendation(actor=me, kind=Recommendation.RESSOURCEFORLOEB, efforts=EFFORTS),
        )
        decided_on = local_date(referred) + timedelta(days=60)
        await send(
            running.handle,
            RecordDecision(
                actor=me,
                kind=Recommendation.RESSOURCEFORLOEB,
                decided_on=decided_on,
                duration_months=24,
            ),
        )
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.referred_at == referred.astimezone(UTC)
        assert state.planned_end == add_months(decided_on, 24)
