"""A course begun before the law of December 2026 takes it at its first task after the change
(workflows/programme.py, _adopt_the_law): a decision made today falls under today's law.

The code as it ran before the change is simulated by a worker that leaves the law's patches
off (Temporal's patch activation callback): that code never asked for them, so its runs have
no marker, exactly as this one's. The course then moves to a fresh worker with today's code,
which replays that history before it takes the next action, as after a deploy.
"""

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import PatchActivationInput, Replayer, Worker

from deploy.worker import WORKFLOWS, build_worker, workflow_runner
from models.contact import SetContactPreferences
from models.danish_time import add_months, local_date
from models.db import SessionFactory
from models.enums import Channel, Recommendation, Stage
from models.programme import (
    CloseEarly,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.refusals import INVALID_INPUT, INVALID_TRANSITION
from models.rules import CourseRules
from tests.factories import actor_of
from tests.temporal_servers import time_skipping_server
from tests.workflows.programme_helpers import (
    RUNNING_AT_REFERRAL,
    Running,
    expect_rejection,
    record_history,
    send,
    start_programme,
    worker_for,
)
from tests.workflows.test_programme import EFFORTS, bring_to_team
from workflows.effort_rule import LEGAL_REASON
from workflows.programme import ProgrammeWorkflow
from workflows.rule_patches import DECISION_DATES, LAW_2026

ADOPTED = Path(__file__).parent / "histories" / "2026-12-02-law-adopted"


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of its own, its clock at today: the law's cut-off is a real day,
    and the suite's shared server has skipped years ahead by the time these tests run."""
    env = await time_skipping_server()
    yield env
    await env.shutdown()


def _before_the_law(input: PatchActivationInput) -> bool:
    return not input.patch_id.startswith((LAW_2026, DECISION_DATES))


@asynccontextmanager
async def worker_before_the_law(
    client: Client,
    task_queue: str,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    rules: CourseRules | None = None,
) -> AsyncIterator[None]:
    """A worker running the workflow as it ran before LAW_2026: the production worker, built
    with the callback. It keeps no run in its cache, so the server has no sticky queue of its
    to wait out (in skipped time, which stands still while a client waits on an update)."""
    old_code = partial(Worker, patch_activation_callback=_before_the_law)
    with patch("deploy.worker.Worker", old_code):
        worker = build_worker(
            client,
            task_queue=task_queue,
            open_session=open_session,
            executor=executor,
            public_url="http://forloeb.test",
            rules=rules,
            cached_courses=0,
        )
    async with worker:
        yield


@asynccontextmanager
async def kept(client: Client) -> AsyncIterator[list[Running]]:
    """The courses added to the list, which outlive the worker that started them: kept as
    replay fixtures (when recording) and terminated afterwards."""
    courses: list[Running] = []
    try:
        yield courses
        for course in courses:
            await record_history(client, course.handle)
    finally:
        for course in courses:
            with suppress(RPCError):  # it had finished by itself
                await course.handle.terminate("test done")


async def state_of(running: Running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


def _law_markers(events: list[HistoryEvent]) -> list[str]:
    """The ids of the patch markers this run recorded for the law."""
    ids = []
    for event in events:
        if event.HasField("marker_recorded_event_attributes"):
            for payload in event.marker_recorded_event_attributes.details["patch-data"].payloads:
                ids.append(json.loads(payload.data)["id"])
    return [i for i in ids if i.startswith(LAW_2026)]


async def _markers(handle: WorkflowHandle[Any, Any]) -> list[str]:
    return _law_markers(list((await handle.fetch_history()).events))


async def test_a_course_begun_before_the_law_is_refused_a_new_ressourceforloeb_after_the_change(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    cutoff = CourseRules().ressourceforloeb_cutoff
    assert local_date(now) > cutoff
    async with kept(time_env.client) as courses:
        async with worker_before_the_law(time_env.client, task_queue, open_session, executor):
            running = await start_programme(
                time_env.client, task_queue, session, referred_at=now - timedelta(days=400)
            )
            courses.append(running)
            me = await bring_to_team(running, time_env)
            assert LAW_2026 not in (await state_of(running)).rule_patches

        async with worker_for(time_env.client, task_queue, open_session, executor):
            decision = RecordDecision(
                actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=12
            )
            await expect_rejection(
                send(running.handle, decision),
                INVALID_TRANSITION,
                f"Ressourceforløb er afskaffet for nye borgere fra {cutoff:%d.%m.%Y}",
            )
            await expect_rejection(
                send(running.handle, decision.model_copy(update={"duration_months": 48})),
                INVALID_INPUT,
                "Et ressourceforløb kan vare 1 til 36 måneder",
            )
            backdated = decision.model_copy(update={"decided_on": cutoff - timedelta(days=10)})
            await expect_rejection(
                send(running.handle, backdated), INVALID_TRANSITION, "forloeb import"
            )
            # The first action the run takes records that it took the law.
            await send(running.handle, CloseEarly(actor=me, reason="Afgøres som tværfagligt"))
            final = await running.handle.result()
        assert final.stage == Stage.CLOSED and final.decision is None
        assert LAW_2026 in final.rule_patches
        assert len(await _markers(running.handle)) == 1


async def _decided_before_the_law(running: Running, decided_days_ago: int, env: Any) -> None:
    """Prepared, recommended and decided under the former rules, the decision dated back."""
    me = actor_of(running.coordinator)
    today = local_date(await env.get_current_time())
    decided_on = today - timedelta(days=decided_days_ago)
    await send(running.handle, StartPreparation(actor=me))
    await send(
        running.handle,
        ScheduleTeamMeeting(actor=me, meeting_on=decided_on - timedelta(days=10)),
    )
    await send(
        running.handle,
        RecordRecommendation(actor=me, kind=Recommendation.RESSOURCEFORLOEB, efforts=EFFORTS),
    )
    await send(
        running.handle,
        RecordDecision(
            actor=me,
            kind=Recommendation.RESSOURCEFORLOEB,
            decided_on=decided_on,
            duration_months=24,
        ),
    )


async def test_a_course_decided_before_the_law_is_judged_only_if_its_six_months_still_run(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    today = local_date(now)
    # A cut-off still ahead, so that a ressourceforløb decided lately is one the law allows;
    # the worker's validators judge a decision by the law it is about to take.
    rules = CourseRules(ressourceforloeb_cutoff=today + timedelta(days=30))
    async with kept(time_env.client) as courses:
        async with worker_before_the_law(
            time_env.client, task_queue, open_session, executor, rules
        ):
            # Registered, as a course decided before the cut-off is since that date.
            for days in (400, 120):
                courses.append(
                    await start_programme(
                        time_env.client,
                        task_queue,
                        session,
                        referred_at=now - timedelta(days=days),
                        registered=RUNNING_AT_REFERRAL,
                    )
                )
            long_ago, lately = courses
            await _decided_before_the_law(long_ago, 340, time_env)
            await _decided_before_the_law(lately, 60, time_env)
            for course in (long_ago, lately):
                state = await state_of(course)
                assert state.stage == Stage.ACTIVE and state.effort_rule_on is None
                assert state.decision is not None
                assert state.max_end == add_months(state.decision.decided_on, 60)

        async with worker_for(time_env.client, task_queue, open_session, executor, rules):
            for course in (long_ago, lately):
                await send(
                    course.handle,
                    SetContactPreferences(
                        actor=actor_of(course.coordinator),
                        channels=[Channel.EMAIL],
                        email="borger@eksempel.dk",
                    ),
                )
            # Its six months passed before the law reached it: not judged.
            state = await state_of(long_ago)
            assert LAW_2026 in state.rule_patches and state.effort_rule_on is None
            # From now on 36 months from the decision, beyond only where the citizen wishes.
            assert state.decision is not None
            assert state.max_end == add_months(state.decision.decided_on, 36)
            # Its six months still run: judged when they end, as the law says.
            six_months = add_months(today - timedelta(days=60), 6)
            assert (await state_of(lately)).effort_rule_on == six_months
            await time_env.sleep(timedelta(days=(six_months - today).days + 2))
            state = await state_of(lately)
            assert state.team_flag == LEGAL_REASON and state.effort_rule_missed_on == six_months
            state = await state_of(long_ago)
            assert not state.team_flag and state.effort_rule_missed_on is None
            for course in (long_ago, lately):
                assert len(await _markers(course.handle)) == 1


def _load(path: Path) -> WorkflowHistory:
    recorded = json.loads(path.read_text())
    return WorkflowHistory.from_json(recorded["workflow_id"], recorded)


async def test_a_history_that_took_the_law_halfway_replays_on_the_current_code():
    histories = [_load(path) for path in sorted(ADOPTED.glob("*.json"))]
    assert len(histories) >= 3
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    for history in histories:
        assert len(_law_markers(list(history.events))) == 1, history.workflow_id
        await replayer.replay_workflow(history)
