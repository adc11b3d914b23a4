"""A burst of caseworkers at once, against the real processes: `forloeb api` and
`forloeb worker` on the Temporal dev server and the test database.

48 case creations, then 48 actions, all in flight together. Every request must be answered
without a server error, and the service must answer at once afterwards: a request waiting for
the database must never hold up the others, so a burst can never take the service down.
"""

import asyncio
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import httpx
import pytest

from tests.factories import PASSWORD, make_staff, random_cpr
from tests.processes import api_and_worker

IN_FLIGHT = 48


@pytest.fixture
def service(dev_env, database_url, tmp_path) -> Iterator[str]:
    with api_and_worker(dev_env, database_url, tmp_path) as base_url:
        yield base_url


async def _burst(requests: list[Coroutine[Any, Any, httpx.Response]]) -> list[httpx.Response]:
    answers = await asyncio.gather(*requests, return_exceptions=True)
    failures = [a for a in answers if not isinstance(a, httpx.Response) or a.status_code >= 500]
    assert not failures, failures[:3]
    return [answer for answer in answers if isinstance(answer, httpx.Response)]


async def test_a_burst_of_creations_and_actions_is_answered_and_the_service_stays_up(
    service, session
):
    coordinator = make_staff(session)
    limits = httpx.Limits(max_connections=IN_FLIGHT * 2)
    async with httpx.AsyncClient(base_url=service, timeout=60, limits=limits) as client:
        login = {"username": coordinator.username, "password": PASSWORD}
        assert (await client.post("/api/session", json=login)).status_code == 200
        citizens = await _burst(
            [
                client.post("/api/citizens", json={"cpr": random_cpr(), "name": "Test Borger"})
                for _ in range(IN_FLIGHT)
            ]
        )
        assert all(answer.status_code == 201 for answer in citizens), citizens[0].text

        created = await _burst(
            [
                client.post("/api/cases", json={"citizen_id": answer.json()["id"]})
                for answer in citizens
            ]
        )
        assert all(answer.status_code == 201 for answer in created), created[0].text

        acted = await _burst(
            [
                client.post(f"/api/cases/{answer.json()['id']}/start-description", json={})
                for answer in created
            ]
        )
        # 202 when the projection had not caught up within the wait: accepted, not lost.
        assert all(answer.status_code in (200, 202) for answer in acted), acted[0].text

        # Several at once for one citizen: exactly one case is opened.
        citizen = await client.post("/api/citizens", json={"cpr": random_cpr(), "name": "To"})
        same = await _burst(
            [client.post("/api/cases", json={"citizen_id": citizen.json()["id"]}) for _ in range(8)]
        )
        assert sorted(answer.status_code for answer in same) == [201] + [409] * 7
        refusals = {answer.json()["detail"] for answer in same if answer.status_code == 409}
        assert refusals == {"Borgeren har allerede en åben sag."}

        started = time.monotonic()
        assert (await client.get("/healthz", timeout=2)).status_code == 200
        assert time.monotonic() - started < 1
        deadline = time.monotonic() + 30
        while len(await _cases_in(client, "description")) < IN_FLIGHT:
            assert time.monotonic() < deadline, "not every action reached the read model"
            await asyncio.sleep(0.2)


async def _cases_in(client: httpx.AsyncClient, stage: str) -> list[dict[str, object]]:
    answer = await client.get("/api/cases", params={"stage": stage})
    return list(answer.json())
