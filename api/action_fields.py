"""What the server knows that a command needs: the Directory each command completes itself
from (models/command.py), answered from the database and the settings.

The workflow cannot read the database, so what it needs from it travels in the command.
"""

import uuid

from sqlmodel import Session

from api.errors import Invalid
from models.case import Case
from models.command import Command, Person
from models.department import DepartmentRow
from models.enums import Department
from models.meeting import ReminderRule
from models.settings import Settings
from models.staff import Staff
from models.task import TaskSla


class SessionDirectory:
    def __init__(self, session: Session, user: Staff, case: Case, settings: Settings) -> None:
        self._session, self._user, self._case, self._settings = session, user, case, settings

    def person(self, staff_id: str, missing: str) -> Person:
        try:
            staff = self._session.get(Staff, uuid.UUID(staff_id))
        except ValueError:
            staff = None
        if staff is None or not staff.active:
            raise Invalid(missing)
        return Person(str(staff.id), staff.full_name, staff.role, staff.department)

    def coordinator_name(self) -> str:
        coordinator = self._session.get(Staff, self._case.coordinator_id)
        return coordinator.full_name if coordinator else self._user.full_name

    def department_sla(self, department: Department) -> TaskSla | None:
        row = self._session.get(DepartmentRow, department.value)
        if row is None:
            return None
        return TaskSla(
            acknowledge_days=row.acknowledge_days,
            escalation_interval_days=row.escalation_interval_days,
        )

    def reminders(self) -> list[ReminderRule]:
        return self._settings.reminder_rules


def fill(session: Session, user: Staff, case: Case, command: Command, settings: Settings) -> None:
    """Complete a command from the database; raises Invalid when a named person is unknown."""
    command.complete(SessionDirectory(session, user, case, settings))
