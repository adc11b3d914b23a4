"""A case on the running service: the staff who work it, its referral, and its commands.

Every action is the real command, sent as the update the API would send, by the actor the API
would send it as. A refused command is kept, not raised, so that one refusal shows in the
report instead of ending the course.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from bench.history.service import TASK_QUEUE, Service
from models.actions import update_name
from models.command import Command
from models.db import SessionFactory
from models.enums import Department, Role
from models.programme import (
    ProgrammeInput,
    ProgrammeState,
    TimelineEvent,
    programme_workflow_id,
)
from models.staff import Staff
from tests.factories import make_citizen, make_staff
from workflows.programme import ProgrammeWorkflow

ProgrammeHandle = WorkflowHandle[ProgrammeWorkflow, ProgrammeState]


@dataclass(frozen=True)
class Staffing:
    """The people on a course: two coordinators, two workers and a lead in each department."""

    coordinators: tuple[Staff, Staff]
    workers: dict[Department, tuple[Staff, Staff]]
    leads: dict[Department, Staff]


def hire(open_session: SessionFactory) -> Staffing:
    with open_session() as session:
        first, second = make_staff(session), make_staff(session)
        # Named, because names travel in commands and messages (host, handover).
        first.full_name, second.full_name = "Mette Jensen", "Lars Holm"
        session.add_all([first, second])
        session.commit()
        workers = {
            department: (
                make_staff(session, Role.DEPARTMENT_WORKER, department),
                make_staff(session, Role.DEPARTMENT_WORKER, department),
            )
            for department in Department
        }
        leads = {
            department: make_staff(session, Role.DEPARTMENT_LEAD, department)
            for department in Department
        }
    return Staffing(coordinators=(first, second), workers=workers, leads=leads)


async def refer(service: Service, coordinator: Staff) -> ProgrammeHandle:
    """Refer a new citizen: the case's workflow starts, as the API starts it."""
    with service.open_session() as session:
        citizen = make_citizen(session, "Bench Borger")
    case_id = str(uuid.uuid4())
    return await service.client.start_workflow(
        ProgrammeWorkflow.run,
        ProgrammeInput(
            case_id=case_id, citizen_id=str(citizen.id), coordinator_id=str(coordinator.id)
        ),
        id=programme_workflow_id(case_id),
        task_queue=TASK_QUEUE,
    )


@dataclass
class Sender:
    """Sends commands as the updates that carry them, counting those accepted by name and
    keeping the reasons of those refused."""

    handle: ProgrammeHandle
    sent: Counter[str] = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)

    async def send(self, command: Command) -> TimelineEvent | None:
        name = update_name(command)
        try:
            event: TimelineEvent = await self.handle.execute_update(
                name, command, result_type=TimelineEvent
            )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(cause)
            self.refusals.append(f"{name}: {reason}")
            return None
        except RPCError as error:
            self.refusals.append(f"{name}: {error.message}")
            return None
        self.sent[name] += 1
        return event

    async def state(self) -> ProgrammeState:
        return await self.handle.query(ProgrammeWorkflow.current)


def state_bytes(state: ProgrammeState) -> int:
    """The state's size as the goals count it: UTF-8 bytes of its JSON."""
    return len(state.model_dump_json().encode())
