"""Rebuild the read model from Temporal: replay each course's recorded history and project
again what its workflow projected.

Since CHEAP_ACTIONS a projection is a local activity, whose history marker holds its result
and not its input, so the inputs cannot be read off the history. The workflow code can
compute them again, though: replaying a history runs the same deterministic code, and an
interceptor keeps every projection input it asks for, in the order asked. Runs begun before
that patch schedule the projection as an ordinary activity; the interceptor sees those too.
The inputs then go through the worker's own projection code, which is idempotent and ordered
by seq, so the rows come out as the workflow left them.

Only what Temporal still holds can be rebuilt: a closed course whose history the namespace's
retention has removed keeps its rows, since nothing could bring them back.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import SQLModel, col, select
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartActivityInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from activities.projection import ProjectionActivities
from deploy.worker import workflow_runner
from models.case import Case, CaseEvent
from models.case_view import CaseMeeting, CaseMessage, CaseTodo, PlanItemRow
from models.db import SessionFactory, transaction
from models.enums import Stage
from models.meeting import MeetingInvite
from models.programme import ProjectionInput
from models.rules import CourseRules
from models.task import Task, TaskBreachRow
from workflows.programme import ProgrammeWorkflow

PROJECTION = "project_programme"
PROGRAMME_QUERY = 'WorkflowType="ProgrammeWorkflow"'

# Every table only the projection writes, each keyed by case; children before their parents.
# The case row itself is not among them: the outbox and the citizen's links refer to it, and
# the API writes it first (api/case_service.py), so it is reset rather than removed.
PROJECTED_TABLES: list[type[SQLModel]] = [
    CaseEvent,
    TaskBreachRow,
    Task,
    MeetingInvite,
    CaseMeeting,
    CaseTodo,
    PlanItemRow,
    CaseMessage,
]
# Rows of IN (...) per statement, well under every database's limit on parameters.
CHUNK = 500


@dataclass
class Course:
    """One programme workflow id and its runs, oldest first."""

    workflow_id: str
    case_id: uuid.UUID
    runs: list[tuple[datetime, str]] = field(default_factory=list)


@dataclass
class RebuildReport:
    courses: int = 0
    runs: int = 0
    projections: int = 0


def projected_rows(open_session: SessionFactory) -> int:
    """How many rows the read model holds that a projection wrote; 0 for an empty one (a case
    row the workflow has not yet projected, last_seq 0, holds nothing projected)."""
    with open_session() as session:
        count = session.exec(select(func.count()).where(col(Case.last_seq) > 0)).one()
        for table in PROJECTED_TABLES:
            count += session.exec(select(func.count()).select_from(table)).one()
    return int(count)


async def list_courses(client: Client) -> list[Course]:
    """Every programme workflow id with all its runs (closed and continued-as-new ones too),
    in the order the courses began."""
    courses: dict[str, Course] = {}
    async for execution in client.list_workflows(PROGRAMME_QUERY):
        case_id = uuid.UUID(execution.id.removeprefix("programme-"))
        course = courses.setdefault(execution.id, Course(execution.id, case_id))
        course.runs.append((execution.start_time, execution.run_id))
    for course in courses.values():
        course.runs.sort()
    # A citizen has one open case at a time (ux_case_open_citizen): replaying in the order the
    # courses began closes the earlier before the later opens.
    return sorted(courses.values(), key=lambda c: c.runs[0])


def clear(open_session: SessionFactory, case_ids: Sequence[uuid.UUID]) -> None:
    """Remove these cases' projected rows, one transaction per table, and reset their case
    rows so the first projection replayed wins the compare-and-set. Reset rows read as closed
    meanwhile, so the index of open cases does not stop a citizen's earlier course from
    being replayed, and no worker takes them for unstarted workflows."""
    chunks = [list(case_ids[i : i + CHUNK]) for i in range(0, len(case_ids), CHUNK)]
    for table in PROJECTED_TABLES:
        case_column: Any = table.case_id  # type: ignore[attr-defined]
        with transaction(open_session) as session:
            for chunk in chunks:
                session.exec(delete(table).where(case_column.in_(chunk)))
    with transaction(open_session) as session:
        for chunk in chunks:
            session.exec(
                update(Case)
                .where(col(Case.id).in_(chunk), col(Case.last_seq) > 0)
                .values(last_seq=0, stage=Stage.CLOSED)
                .execution_options(synchronize_session=False)
            )


class _KeepProjections(WorkflowOutboundInterceptor):
    def __init__(self, next: WorkflowOutboundInterceptor, kept: list[list[Payload]]) -> None:
        super().__init__(next)
        self._kept = kept

    def start_local_activity(self, input: StartLocalActivityInput) -> workflow.ActivityHandle[Any]:
        self._keep(input.activity, input.args)
        return super().start_local_activity(input)

    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        self._keep(input.activity, input.args)
        return super().start_activity(input)

    def _keep(self, activity: str, args: Sequence[Any]) -> None:
        # Serialised now, as the worker would send it: the workflow goes on changing the state
        # the input shares.
        if activity == PROJECTION:
            self._kept.append(workflow.payload_converter().to_payloads(args))


class ProjectionRecorder(Interceptor):
    """Keeps the projection inputs of the run being replayed."""

    def __init__(self) -> None:
        self.kept: list[list[Payload]] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        kept = self.kept

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(_KeepProjections(outbound, kept))

        return Inbound


class ReplayFailed(Exception):
    """A history the present workflow code does not replay: nothing of it is projected."""


async def rebuild(
    client: Client,
    open_session: SessionFactory,
    rules: CourseRules,
    *,
    force: bool = False,
    progress: Callable[[RebuildReport, int], None] | None = None,
) -> RebuildReport:
    """Project every run of every programme workflow again, course after course; with force,
    the courses' present rows are removed first."""
    courses = await list_courses(client)
    if force:
        await asyncio.to_thread(clear, open_session, [c.case_id for c in courses])
    recorder = ProjectionRecorder()
    # One replayer for all histories: it replays them one at a time, in the order given.
    replayer = Replayer(
        workflows=[ProgrammeWorkflow],
        data_converter=client.data_converter,
        interceptors=[recorder],
        workflow_runner=workflow_runner(),
    )
    projection = ProjectionActivities(open_session, rules)
    converter = client.data_converter.payload_converter
    last_run = {course.runs[-1][1]: course for course in courses}
    report = RebuildReport()

    async def histories() -> AsyncIterator[WorkflowHistory]:
        for course in courses:
            for _, run_id in course.runs:
                handle = client.get_workflow_handle(course.workflow_id, run_id=run_id)
                yield await handle.fetch_history()

    async with replayer.workflow_replay_iterator(histories()) as results:
        async for result in results:
            if result.replay_failure is not None:
                raise ReplayFailed(
                    f"Forløbet {result.history.workflow_id} kan ikke genafspilles med den "
                    f"nuværende kode: {result.replay_failure}"
                )
            inputs = [converter.from_payloads(p, [ProjectionInput])[0] for p in recorder.kept]
            recorder.kept.clear()
            await asyncio.to_thread(_project, projection, inputs)
            report.runs += 1
            report.projections += len(inputs)
            if result.history.run_id in last_run:
                report.courses += 1
                if progress is not None:
                    progress(report, len(courses))
    return report


def _project(projection: ProjectionActivities, inputs: list[ProjectionInput]) -> None:
    for input in inputs:
        projection.project_programme(input)
