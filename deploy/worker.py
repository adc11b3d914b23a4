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
# Validators of the commands the workflow decodes load parts of these libraries on first use;
# they are deterministic, so the sandbox uses the worker's copies instead of reloading them.
PASSTHROUGH = ("email_validator", "idna", "phonenumbers")


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
) -> Worker:
    projection = ProjectionActivities(open_session, rules or CourseRules())
    notifications = NotificationActivities(open_session, public_url, sms, email, voice)
    digest = DigestActivities(open_session, public_url, email)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[projection.project_programme, notifications.deliver, digest.send_digests],
        activity_executor=executor,
        workflow_runner=workflow_runner(),
    )


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox the worker runs workflows in; the replay test uses the same."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    )
