"""Start a programme workflow with a real worker and real projection into the test database."""

import asyncio
import contextlib
import json
import os
import re
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from deploy.worker import build_worker
from models.actions import update_name
from models.case import CaseEvent
from models.command import Command
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.db import SessionFactory
from models.enums import Channel, CourseType, Stage
from models.programme import ProgrammeInput, TimelineEvent, programme_workflow_id
from models.registration import RegisteredCourse
from models.rules import CourseRules
from models.staff import Staff
from tests.factories import actor_of, make_citizen, make_staff
from workflows.programme import ProgrammeWorkflow

# A ressourceforløb that was running at its referral when it was registered from the
# municipality's former system: since the cut-off (1 February 2026) the only way a legacy
# course still reaches a decision.
RUNNING_AT_REFERRAL = RegisteredCourse(stage=Stage.REFERRED)


@dataclass
class Running:
    handle: WorkflowHandle[ProgrammeWorkflow, Any]
    case_id: str
    coordinator: Staff


# The workflows started under each running worker_for, innermost last.
_started: list[list[WorkflowHandle[Any, Any]]] = []


@asynccontextmanager
async def worker_for(
    client: Client,
    task_queue: str,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    rules: CourseRules | None = None,
) -> AsyncIterator[None]:
    """A worker for one test; afterwards, the workflows it started are terminated.

    The worker stops first: the time-skipping server holds its clock while a task is being
    worked on, and terminating a workflow in the middle of one never releases it.
    """
    started: list[WorkflowHandle[Any, Any]] = []
    _started.append(started)
    try:
        async with build_worker(
            client,
            task_queue=task_queue,
            open_session=open_session,
            executor=executor,
            public_url="http://forloeb.test",
            rules=rules,
        ):
            yield
            for handle in started:
                await _idle(handle)
                await record_history(client, handle)
    finally:
        _started.pop()
        for handle in started:
            with contextlib.suppress(RPCError):  # it had finished by itself
                await handle.terminate("test done")


async def record_history(client: Client, handle: WorkflowHandle[Any, Any]) -> None:
    """With FORLOEB_RECORD_HISTORIES set to a folder, keep every run of the workflow there as
    a replay fixture (see tests/workflows/histories/record.py)."""
    folder = os.environ.get("FORLOEB_RECORD_HISTORIES")
    if not folder:
        return
    test = re.sub(r"\W+", "-", os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0])
    run_id = handle.first_execution_run_id or handle.result_run_id
    for run in range(1, 100):
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        path = Path(folder) / f"{test}-{handle.id[-8:]}-run{run}.json"
        path.write_text(json.dumps({"workflow_id": handle.id, **json.loads(history.to_json())}))
        last = history.events[-1]
        if not last.HasField("workflow_execution_continued_as_new_event_attributes"):
            return
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


async def _idle(handle: WorkflowHandle[Any, Any]) -> None:
    """Wait until the workflow has had no task in flight twice in a row, 0.1 s apart: a new
    workflow task can follow an update within milliseconds."""
    quiet = 0
    for _ in range(100):
        description = await handle.describe()
        raw = description.raw_description
        busy = raw.pending_activities or raw.HasField("pending_workflow_task")
        if description.status != WorkflowExecutionStatus.RUNNING or not busy:
            quiet += 1
            if quiet == 2:
                return
        else:
            quiet = 0
        await asyncio.sleep(0.1)
    raise AssertionError("the workflow never became idle")


async def start_programme(
    client: Client,
    task_queue: str,
    session: Session,
    referred_at: datetime | None = None,
    *,
    course_type: CourseType = CourseType.RESSOURCEFORLOEB,
    registered: RegisteredCourse | None = None,
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
            course_type=course_type,
            registered=registered,
        ),
        id=programme_workflow_id(case_id),
        task_queue=task_queue,
    )
    if _started:
        _started[-1].append(handle)
    return Running(handle=handle, case_id=case_id, coordinator=coordinator)


async def start_on_sms(client: Client, task_queue: str, session: Session, phone: str) -> Running:
    """A course whose citizen takes SMS at any hour the test runs (quiet hours twelve hours
    away)."""
    running = await start_programme(client, task_queue, session)
    quiet = datetime.now(COPENHAGEN) + timedelta(hours=12)
    await send(
        running.handle,
        SetContactPreferences(
            actor=actor_of(running.coordinator),
            channels=[Channel.SMS],
            phone=phone,
            quiet_from=quiet.time().replace(second=0, microsecond=0),
            quiet_to=(quiet + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ),
    )
    return running


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


async def travel_to(env: WorkflowEnvironment, moment: datetime) -> None:
    now = await env.get_current_time()
    assert moment > now, "the test server's clock is already past this moment"
    await env.sleep(moment - now)


def timeline(session: Session, case_id: str, kind: str) -> list[CaseEvent]:
    """The case's projected timeline lines of one kind, oldest first, read afresh."""
    session.expire_all()
    return list(
        session.exec(
            select(CaseEvent)
            .where(CaseEvent.case_id == uuid.UUID(case_id), CaseEvent.kind == kind)
            .order_by(col(CaseEvent.seq))
        ).all()
    )
