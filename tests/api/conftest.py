"""The web app served by uvicorn on loopback, with a real worker on the Temporal dev server,
and Debian's headless Chromium to look at its pages."""

import asyncio
import base64
import shutil
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, async_playwright
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from api.app import KEEP_ALIVE_SECONDS, create_app
from deploy.connections import connect_temporal
from deploy.worker import build_worker
from models.enums import Department, Role
from models.settings import Settings
from models.staff import Staff
from tests.factories import PASSWORD, make_staff


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serve(app: FastAPI, **config: Any) -> AsyncIterator[str]:
    """Run the app on a free loopback port; yield its base URL. `config` overrides uvicorn's
    settings (quiet by default)."""
    port = free_port()
    options: dict[str, Any] = {
        "log_level": "warning",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        **config,
    }
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **options)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# One payload key for every test's API, worker and client, so each reads what another wrote.
TEST_PAYLOAD_KEYS = "test:" + base64.b64encode(bytes(range(32))).decode()


def settings_for(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp,
        "secret_key": "test-secret-key",
        "payload_keys": TEST_PAYLOAD_KEYS,
        "update_timeout_seconds": 10,
        **overrides,
    }
    return Settings.model_validate(values)


@dataclass
class Service:
    base_url: str
    settings: Settings


@pytest.fixture(scope="session")
async def service(
    dev_env: WorkflowEnvironment, database_url, open_session, executor, tmp_path_factory
) -> AsyncIterator[Service]:
    task_queue = f"api-{uuid.uuid4()}"
    settings = settings_for(
        tmp_path_factory.mktemp("api"),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        task_queue=task_queue,
    )
    # The worker reads what the API writes: the same settings, so the same payload keys.
    client = await connect_temporal(settings)
    worker = build_worker(
        client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    )
    async with worker, serve(create_app(settings)) as base_url:
        yield Service(base_url=base_url, settings=settings)


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed; bash deploy/dev.sh test installs it"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@asynccontextmanager
async def logged_in(service: Service, staff: Staff) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as client:
        answer = await client.post(
            "/api/session", json={"username": staff.username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        yield client


@pytest.fixture
async def coordinator(session: Session) -> Staff:
    return make_staff(session, Role.COORDINATOR)


@pytest.fixture
async def admin(session: Session) -> Staff:
    return make_staff(session, Role.ADMIN)


@pytest.fixture
async def as_coordinator(service, coordinator) -> AsyncIterator[httpx.AsyncClient]:
    async with logged_in(service, coordinator) as client:
        yield client


@pytest.fixture
async def as_department_worker(service, session) -> AsyncIterator[httpx.AsyncClient]:
    async with logged_in(
        service, make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    ) as c:
        yield c


@pytest.fixture
async def as_manager(service, session) -> AsyncIterator[httpx.AsyncClient]:
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        yield client
