"""The Temporal worker: runs the workflows and their activities."""

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import NotificationActivities
from activities.projection import ProjectionActivities
from models.db import SessionFactory
from workflows.programme import ProgrammeWorkflow

WORKFLOWS = [ProgrammeWorkflow]


def build_worker(
    client: Client,
    *,
    task_queue: str,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    public_url: str,
) -> Worker:
    projection = ProjectionActivities(open_session)
    notifications = NotificationActivities(open_session, public_url)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[projection.project_programme, notifications.deliver],
        activity_executor=executor,
    )
