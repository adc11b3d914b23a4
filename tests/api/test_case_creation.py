"""A case row and its workflow exist together or not at all."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from api.app import create_app
from api.case_service import start_unstarted_workflows
from models.case import Case
from models.enums import Stage
from models.programme import programme_workflow_id
from tests.api.case_steps import eventually
from tests.api.conftest import serve, settings_for
from tests.factories import PASSWORD, make_citizen


async def test_a_workflow_that_cannot_start_leaves_no_case_row(
    dev_env, database_url, session, coordinator, tmp_path
):
    citizen = make_citizen(session)
    # Temporal answers, but refuses the start: the namespace does not exist.
    settings = settings_for(
        tmp_path,
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        TEMPORAL_NAMESPACE="findes-ikke",
    )
    async with serve(create_app(settings)) as base_url, httpx.AsyncClient(base_url=base_url) as c:
        await c.post("/api/session", json={"username": coordinator.username, "password": PASSWORD})
        answer = await c.post("/api/cases", json={"citizen_id": str(citizen.id)})
    assert answer.status_code == 503
    assert "Sagsmotoren" in answer.json()["detail"]
    assert session.exec(select(Case).where(Case.citizen_id == citizen.id)).first() is None


async def test_a_case_row_left_without_its_workflow_gets_it_when_a_worker_starts(
    service, dev_env, open_session, session, coordinator
):
    # As left by an API process that died between writing the row and starting the workflow.
    case_id = uuid.uuid4()
    session.add(
        Case(
            id=case_id,
            citizen_id=make_citizen(session).id,
            coordinator_id=coordinator.id,
            workflow_id=programme_workflow_id(str(case_id)),
            stage=Stage.REFERRED,
            referred_at=datetime.now(UTC) - timedelta(minutes=5),
            updated_at=datetime.now(UTC) - timedelta(minutes=5),
        )
    )
    session.commit()

    started = await start_unstarted_workflows(
        open_session, dev_env.client, service.settings.task_queue, older_than=timedelta(minutes=1)
    )

    assert started >= 1
    row = session.get(Case, case_id)

    async def projected() -> bool:
        session.refresh(row)
        return bool(row.last_seq == 1)

    await eventually(projected)
    assert row.referred_at < datetime.now(UTC) - timedelta(minutes=4)
    again = await start_unstarted_workflows(
        open_session, dev_env.client, service.settings.task_queue, older_than=timedelta(minutes=1)
    )
    assert again == 0
