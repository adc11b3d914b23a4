"""Who may change what; the workflow checks changes again. What a reader sees of a case is
api/case_sight.py."""

from models.actions import Who, refusal
from models.case import Case
from models.command import Actor
from models.enums import Role
from models.staff import Staff
from models.task import Task

SEES_ALL_CASES = (Role.MANAGER, Role.ADMIN)
CREATES_CASES = (Role.COORDINATOR, Role.ADMIN)


def can_drive_case(user: Staff, case: Case) -> bool:
    """Advancing the course belongs to the case's coordinator (and admin, for corrections)."""
    return refusal(Who.COORDINATOR, actor(user), coordinator_id=str(case.coordinator_id)) is None


def is_handover_receiver(user: Staff, case: Case) -> bool:
    if case.handover_to_id is None:
        return False
    receiver = str(case.handover_to_id)
    return refusal(Who.RECEIVER, actor(user), coordinator_id="", handover_to_id=receiver) is None


def can_work_on_task(user: Staff, task: Task) -> bool:
    """Only the assigned department's workers and its lead act on a task."""
    return (
        refusal(Who.DEPARTMENT, actor(user), coordinator_id="", task_department=task.department)
        is None
    )


def actor(user: Staff) -> Actor:
    return Actor(id=str(user.id), role=user.role, department=user.department)
