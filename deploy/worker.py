"""The Temporal worker: runs the workflows and their activities."""

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.projection import ProjectionActivities
from models.db import SessionFactory
from workflows.programme import ProgrammeWorkflow

WORKFLOWS = [ProgrammeWorkflow]


def build_worker(
    client: Client, *, task_queue: str, open_session: SessionFactory, executor: ThreadPoolExecutor
) -> Worker:
    projection = ProjectionActivities(open_session)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[projection.project_programme],
        activity_executor=executor,
    )
