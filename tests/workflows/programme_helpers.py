"""Start a programme workflow with a real worker and real projection into the test database."""

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from deploy.worker import build_worker
from models.command import Command
from models.db import SessionFactory
from models.programme import ProgrammeInput, TimelineEvent, programme_workflow_id
from models.staff import Staff
from tests.factories import make_citizen, make_staff
from workflows.actions import update_name
from workflows.programme import ProgrammeWorkflow


@dataclass
class Running:
    handle: WorkflowHandle[ProgrammeWorkflow, Any]
    case_id: str
    coordinator: Staff


@asynccontextmanager
async def worker_for(
    client: Client, task_queue: str, open_session: SessionFactory, executor: ThreadPoolExecutor
) -> AsyncIterator[None]:
    async with build_worker(
        client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    ):
        yield


async def start_programme(
    client: Client, task_queue: str, session: Session, referred_at: datetime | None = None
) -> Running:
    coordinator = make_staff(session)
    citizen = make_citizen(session)
    case_id = str(uuid.uuid4())
    handle = await client.start_workflow(
        ProgrammeWorkflow.run,
        ProgrammeInput(
            case_id=case_id,
            citizen_id=str(citizen.id),
            coordinator_id=str(coordinator.id),
            referred_at=referred_at,
        ),
        id=programme_workflow_id(case_id),
        task_queue=task_queue,
    )
    return Running(handle=handle, case_id=case_id, coordinator=coordinator)


async def send(handle: WorkflowHandle[Any, Any], command: Command) -> TimelineEvent:
    """Send a caseworker command as the update that carries it."""
    result: TimelineEvent = await handle.execute_update(
        update_name(command), command, result_type=TimelineEvent
    )
    return result


async def expect_rejection(awaitable: Any, error_type: str, text: str) -> str:
    """Await an update that must be refused; return the refusal's message."""
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await awaitable
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == error_type, cause.message
    assert text in cause.message, cause.message
    return cause.message
