"""When Temporal or the database cannot be reached, the user gets a 503 that says so."""

import httpx
from sqlmodel import select

from api.app import create_app
from models.case import Case
from tests.api.conftest import free_port, serve, settings_for
from tests.factories import PASSWORD, make_citizen


async def test_temporal_unreachable_is_503_and_no_case_is_half_written(
    database_url, session, coordinator, tmp_path
):
    citizen = make_citizen(session)
    settings = settings_for(
        tmp_path, DATABASE_URL=database_url, TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}"
    )
    async with serve(create_app(settings)) as base_url, httpx.AsyncClient(base_url=base_url) as c:
        await c.post("/api/session", json={"username": coordinator.username, "password": PASSWORD})
        answer = await c.post("/api/cases", json={"citizen_id": str(citizen.id)})
    assert answer.status_code == 503
    assert answer.json()["detail"] == (
        "Sagsmotoren (Temporal) svarer ikke lige nu. Prøv igen om lidt."
    )
    assert session.exec(select(Case).where(Case.citizen_id == citizen.id)).first() is None


async def test_database_unreachable_is_503(tmp_path):
    settings = settings_for(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/mangler/forloeb.db",
        TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",
    )
    async with serve(create_app(settings)) as base_url, httpx.AsyncClient(base_url=base_url) as c:
        answer = await c.post("/api/session", json={"username": "x", "password": "y"})
    assert answer.status_code == 503
    assert answer.json()["detail"] == "Databasen svarer ikke lige nu. Prøv igen om lidt."
