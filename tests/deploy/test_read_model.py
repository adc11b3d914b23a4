"""`forloeb check` and `forloeb rebuild-read-model` against a real dev server, worker and API.

The module has a Temporal server and a database of its own: both commands look at every
course there is, and the session's shared ones hold other tests' courses, whose workers are
gone.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update
from sqlmodel import col, select
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from api.app import create_app
from deploy.cli import main
from deploy.connections import connect_temporal
from deploy.read_model_check import check
from deploy.read_model_rebuild import (
    PROJECTED_TABLES,
    PROJECTION,
    ProjectionRecorder,
    clear,
    list_courses,
    projected_rows,
)
from deploy.worker import build_worker, workflow_runner
from models.case import Case, CaseEvent
from models.db import SessionFactory, make_engine, migrate, session_factory, transaction
from models.enums import Department, Role, Stage, TaskState
from models.programme import ProjectionInput
from models.settings import Settings
from models.task import Task
from tests.api.case_steps import act, new_case, to_active, to_team
from tests.api.conftest import TEST_PAYLOAD_KEYS, Service, logged_in, serve, settings_for
from tests.factories import make_case, make_citizen, make_staff
from tests.temporal_servers import dev_server
from workflows.programme import ProgrammeWorkflow


@dataclass
class World:
    settings: Settings
    open_session: SessionFactory
    coordinator: httpx.AsyncClient
    cases: list[str]
    # What the API showed of every course before any test touched the read model.
    shown: dict[str, Any]


@pytest.fixture(scope="module")
def own_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('read-model') / 'forloeb.db'}"
    migrate(url)
    return url


@pytest.fixture(scope="module")
def own_database(own_database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(own_database_url, threads=8)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
async def world(
    own_database_url: str, own_database: SessionFactory, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    # Small histories continue as new early, so the rebuild meets runs of several.
    env = await dev_server()
    try:
        async with _serve_courses(env, own_database_url, own_database, tmp_path_factory) as world:
            yield world
    finally:
        await env.shutdown()


@asynccontextmanager
async def _serve_courses(
    env: WorkflowEnvironment,
    database_url: str,
    own_database: SessionFactory,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[World]:
    settings = settings_for(
        tmp_path_factory.mktemp("read-model-api"),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=env.client.service_client.config.target_host,
        task_queue=f"read-model-{uuid.uuid4()}",
    )
    client = await connect_temporal(settings)
    with own_database() as session:
        coordinator = make_staff(session, Role.COORDINATOR)
        social = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(
            client,
            task_queue=settings.task_queue,
            open_session=own_database,
            executor=executor,
            public_url="http://forloeb.test",
        )
        async with worker, serve(create_app(settings)) as base_url:
            service = Service(base_url=base_url, settings=settings)
            async with logged_in(service, coordinator) as mette, logged_in(service, social) as dept:
                cases = await _courses(mette, dept)
                world = World(settings, own_database, mette, cases, {})
                world.shown = await settled(world)
                yield world


async def _courses(mette: httpx.AsyncClient, social: httpx.AsyncClient) -> list[str]:
    """Courses in several stages: one at its team, one active with a finished task and one
    waiting, and a citizen's closed course followed by a new one."""
    at_team = (await new_case(mette, course_type="ressourceforloeb"))["id"]
    await to_team(mette, at_team)
    active = (await new_case(mette))["id"]
    await to_active(mette, social, active)
    await act(mette, active, "assign-task", department="social", purpose="Bostøtte")
    waiting = (await mette.get(f"/api/cases/{active}/tasks")).json()[-1]["id"]
    acknowledged = await social.post(f"/api/tasks/{waiting}/acknowledge", json={})
    assert acknowledged.status_code == 200, acknowledged.text
    closed = await new_case(mette)
    await act(mette, closed["id"], "close", reason="Borgeren er flyttet")
    again = await mette.post(
        "/api/cases", json={"citizen_id": closed["citizen"]["id"], "course_type": "tvaerfagligt"}
    )
    assert again.status_code == 201, again.text
    await act(mette, again.json()["id"], "start-description")
    return [at_team, active, closed["id"], again.json()["id"]]


def forloeb(world: World, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The command as a user runs it, with the test's database and server."""
    monkeypatch.setenv("DATABASE_URL", world.settings.effective_database_url)
    monkeypatch.setenv("TEMPORAL_ADDRESS", world.settings.effective_temporal_address)
    monkeypatch.setenv("FORLOEB_PAYLOAD_KEYS", TEST_PAYLOAD_KEYS)
    monkeypatch.setenv("FORLOEB_DATA_DIR", str(world.settings.data_dir))
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    return int(exited.value.code or 0)


async def run(world: World, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    return await asyncio.to_thread(forloeb, world, monkeypatch, *args)


async def pages(world: World) -> dict[str, Any]:
    """What the caseworker's API shows of every course."""
    shown: dict[str, Any] = {}
    listed = (await world.coordinator.get("/api/cases")).json()
    shown["/api/cases"] = sorted(listed, key=lambda c: c["id"])
    for case_id in world.cases:
        for path in (f"/api/cases/{case_id}", f"/api/cases/{case_id}/tasks"):
            answer = await world.coordinator.get(path)
            assert answer.status_code == 200, answer.text
            shown[path] = answer.json()
    return shown


async def settled(world: World) -> dict[str, Any]:
    """The pages once the projections have caught up with every action."""
    before = await pages(world)
    for _ in range(20):
        await asyncio.sleep(0.5)
        now = await pages(world)
        if now == before:
            return now
        before = now
    raise AssertionError("the pages kept changing")


async def test_check_finds_no_drift_in_a_read_model_that_follows_its_workflows(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(world, monkeypatch, "check") == 0
    out = capsys.readouterr().out
    # The closed course is not open, so three are checked.
    assert "3 forløb tjekket, 0 afvigelser" in out, out


async def test_check_lets_a_difference_pass_that_is_gone_a_moment_later(world: World) -> None:
    """As a projection that lands just after the first look."""
    at_team = uuid.UUID(world.cases[0])
    with transaction(world.open_session) as session:
        case = session.get(Case, at_team)
        assert case is not None
        stage = case.stage
        case.stage = Stage.ENDED
    client = await connect_temporal(world.settings)
    checking = asyncio.create_task(check(client, world.open_session, settle_seconds=2))
    await asyncio.sleep(1)
    with transaction(world.open_session) as session:
        session.exec(update(Case).where(col(Case.id) == at_team).values(stage=stage))
    report = await checking
    assert (report.checked, report.differences) == (3, [])


async def test_check_names_each_difference_by_the_case_id(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    at_team, active, _, again = (uuid.UUID(c) for c in world.cases)
    with transaction(world.open_session) as session:
        session.exec(update(Case).where(col(Case.id) == at_team).values(stage=Stage.ACTIVE))
        session.exec(
            delete(CaseEvent).where(col(CaseEvent.case_id) == again, col(CaseEvent.seq) == 1)
        )
        task = session.exec(select(Task).where(Task.case_id == active)).first()
        assert task is not None
        task_id = task.id
        session.exec(update(Task).where(col(Task.id) == task_id).values(state=TaskState.DECLINED))
        session.exec(update(Case).where(col(Case.id) == active).values(last_seq=1))
    with world.open_session() as session:
        orphan = make_case(session, make_citizen(session))

    assert await run(world, monkeypatch, "check") == 1
    out = capsys.readouterr().out
    with transaction(world.open_session) as session:
        session.exec(delete(Case).where(col(Case.id) == orphan.id))
    assert f"Sag {orphan.id}: forløbet ({orphan.workflow_id}) findes ikke i Temporal." in out
    assert f"Sag {at_team}: fasen er »Aktivt forløb« i læsemodellen" in out, out
    assert f"Sag {again}: tidslinjen mangler hændelse nr. 1." in out, out
    assert f"Sag {active}: opgave {task_id} er »Afvist« i læsemodellen" in out, out
    assert f"Sag {active}: sagsrækken er forældet (hændelse 1 i læsemodellen" in out, out
    assert "4 forløb tjekket, 5 afvigelser" in out, out
    assert "Test Borger" not in out


async def test_rebuild_refuses_a_read_model_that_holds_rows_unless_forced(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(world, monkeypatch, "rebuild-read-model") == 1
    assert "Læsemodellen er ikke tom" in capsys.readouterr().err
    assert await run(world, monkeypatch, "rebuild-read-model", "--force") == 0
    assert await run(world, monkeypatch, "check") == 0
    assert await pages(world) == world.shown


async def test_rebuild_brings_back_what_the_pages_showed_from_empty_tables(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    courses = await list_courses(await connect_temporal(world.settings))
    # Every course began as one run; the active one has continued as new since.
    assert sum(len(c.runs) for c in courses) > len(courses)
    await asyncio.to_thread(clear, world.open_session, [c.case_id for c in courses])
    for table in PROJECTED_TABLES:
        with world.open_session() as session:
            assert session.exec(select(table)).first() is None
    assert await asyncio.to_thread(projected_rows, world.open_session) == 0
    # Lost rather than damaged: the case rows go too (nothing outside the read model refers
    # to these courses' rows yet; they have sent no message).
    with transaction(world.open_session) as session:
        session.exec(delete(Case))
    capsys.readouterr()

    assert await run(world, monkeypatch, "rebuild-read-model") == 0
    assert "4 forløb genopbygget" in capsys.readouterr().out
    assert await pages(world) == world.shown


HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"


async def _recorded_projections(history: WorkflowHistory) -> list[ProjectionInput]:
    recorder = ProjectionRecorder()
    replayer = Replayer(
        workflows=[ProgrammeWorkflow],
        data_converter=pydantic_data_converter,
        interceptors=[recorder],
        workflow_runner=workflow_runner(),
    )
    await replayer.replay_workflow(history)
    convert = pydantic_data_converter.payload_converter
    return [convert.from_payloads(p, [ProjectionInput])[0] for p in recorder.kept]


def _scheduled_projections(history: WorkflowHistory) -> list[ProjectionInput]:
    convert = pydantic_data_converter.payload_converter
    return [
        convert.from_payloads(
            e.activity_task_scheduled_event_attributes.input.payloads, [ProjectionInput]
        )[0]
        for e in history.events
        if e.activity_task_scheduled_event_attributes.activity_type.name == PROJECTION
    ]


def _history(path: Path) -> WorkflowHistory:
    recorded = json.loads(path.read_text())
    return WorkflowHistory.from_json(recorded["workflow_id"], recorded)


async def test_replaying_an_old_run_recovers_the_projections_its_history_scheduled() -> None:
    """Runs before CHEAP_ACTIONS scheduled each projection as an activity, with its input in
    the history: the replay finds the same inputs. All but the state's copy of the rules,
    which the projection does not read: the run began with the defaults of its day's code."""
    path = next((HISTORIES / "2026-12-01").glob("test_continue_as_new*-run1.json"))
    history = _history(path)
    scheduled = _scheduled_projections(history)
    recorded = await _recorded_projections(history)
    assert scheduled and len(recorded) == len(scheduled)
    for replayed, written in zip(recorded, scheduled, strict=True):
        without_rules = {"state": {"rules"}}
        assert replayed.model_dump(exclude=without_rules) == written.model_dump(
            exclude=without_rules
        )


async def test_replaying_a_newer_run_recovers_projections_its_history_does_not_hold() -> None:
    """Since CHEAP_ACTIONS a projection is a local activity: its marker holds no input."""
    path = next((HISTORIES / "2026-12-01-bounded-state").glob("*.json"))
    history = _history(path)
    assert _scheduled_projections(history) == []
    recorded = await _recorded_projections(history)
    seqs = [p.state.seq for p in recorded]
    assert seqs and seqs == sorted(seqs) and seqs[0] >= 1
