"""The Temporal worker: runs the workflows and their activities."""

from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.digest import DigestActivities
from activities.notifications import NotificationActivities
from activities.projection import ProjectionActivities
from models.db import SessionFactory
from models.rules import CourseRules
from notifications.email import SmtpEmail
from notifications.sms import TwilioSms
from notifications.voice import TwilioVoice
from workflows.digest import DigestWorkflow
from workflows.programme import ProgrammeWorkflow

WORKFLOWS = [ProgrammeWorkflow, DigestWorkflow]


def build_worker(
    client: Client,
    *,
    task_queue: str,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    public_url: str,
    sms: TwilioSms | None = None,
    email: SmtpEmail | None = None,
    voice: TwilioVoice | None = None,
    rules: CourseRules | None = None,
    link_days: int = 30,
    threads: int | None = None,
    cached_courses: int = 1000,
) -> Worker:
    """With `threads` (the executor's size), the worker takes no more workflow tasks at once
    than it has threads for their projections: a task waiting for a thread behind a hundred
    others passes Temporal's task timeout, and a task that times out is thrown away with the
    projection it made (activities/lost_projection.py). The rest wait on the server, for
    this worker or another."""
    projection = ProjectionActivities(open_session, rules or CourseRules())
    notifications = NotificationActivities(
        open_session, public_url, sms, email, voice, link_days=link_days
    )
    digest = DigestActivities(open_session, public_url, email)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[projection.project_programme, notifications.deliver, digest.send_digests],
        activity_executor=executor,
        workflow_runner=workflow_runner(),
        max_concurrent_workflow_tasks=threads,
        max_concurrent_local_activities=threads,
        max_cached_workflows=cached_courses,
    )


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox the worker runs workflows in; the replay test uses the same.

    Every module is passed through rather than imported afresh for each run: a worker holds
    thousands of courses, and a copy of the workflow's modules for each cost about 160 KiB a
    course (bench/history). The sandbox still refuses non-deterministic calls (the clock,
    randomness, I/O) at run time; what it no longer guards is module-level state, which our
    workflow modules do not have (their one registry, workflows/rule.py, is filled at import
    and only read).
    """
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
    )
