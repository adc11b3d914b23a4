"""Fields the server fills in before a command goes to the workflow: ids, names, deadlines.

The workflow cannot read the database, so what it needs from it travels in the command.
"""

import uuid

from sqlmodel import Session

from api.errors import Invalid
from models.case import Case
from models.command import Command
from models.continuity import JustifyPause, RecordEffort
from models.department import DepartmentRow
from models.enums import Role
from models.handover import RequestHandover
from models.meeting import BookMeeting, MoveMeeting, Participant
from models.settings import Settings
from models.staff import Staff
from models.task import AssignTask, ReassignTask, TaskSla


def _staff(session: Session, staff_id: str, missing: str) -> Staff:
    try:
        staff = session.get(Staff, uuid.UUID(staff_id))
    except ValueError:
        staff = None
    if staff is None or not staff.active:
        raise Invalid(missing)
    return staff


def fill(session: Session, user: Staff, case: Case, command: Command, settings: Settings) -> None:
    """Complete a command from the database; raises Invalid when a named person is unknown."""
    if isinstance(command, AssignTask):
        command.task_id = str(uuid.uuid4())
        department = session.get(DepartmentRow, command.department.value)
        if department is not None:
            command.sla = TaskSla(
                acknowledge_days=department.acknowledge_days,
                escalation_interval_days=department.escalation_interval_days,
            )
    elif isinstance(command, (RecordEffort, JustifyPause)):
        command.item_id = str(uuid.uuid4())
    elif isinstance(command, RequestHandover):
        receiver = _staff(session, command.to_id, "Modtageren findes ikke.")
        command.to_name = receiver.full_name
        command.to_is_coordinator = receiver.role == Role.COORDINATOR
        current = session.get(Staff, case.coordinator_id)
        command.from_name = current.full_name if current else user.full_name
    elif isinstance(command, BookMeeting):
        command.meeting_id = str(uuid.uuid4())
        host = session.get(Staff, case.coordinator_id)
        command.host_name = host.full_name if host else user.full_name
        command.participants = [
            Participant(staff_id=str(s.id), name=s.full_name, department=s.department)
            for s in (
                _staff(session, i, "Deltageren findes ikke.") for i in command.participant_ids
            )
        ]
        command.reminders = settings.reminder_rules
    elif isinstance(command, MoveMeeting):
        command.reminders = settings.reminder_rules
    elif isinstance(command, ReassignTask):
        colleague = _staff(session, command.assignee_id, "Kollegaen findes ikke.")
        command.assignee_name = colleague.full_name
        command.assignee_department = colleague.department
