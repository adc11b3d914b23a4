"""Who may see and change what. The workflow checks changes again; this decides what is shown."""

from models.case import Case
from models.command import Actor
from models.enums import Role
from models.staff import Staff
from models.task import Task

SEES_ALL_CASES = (Role.MANAGER, Role.ADMIN)
CREATES_CASES = (Role.COORDINATOR, Role.ADMIN)
DEPARTMENT_ROLES = (Role.DEPARTMENT_WORKER, Role.DEPARTMENT_LEAD)


def can_view_case(user: Staff, case: Case) -> bool:
    """Managers see all; a coordinator her own, and a case she is asked to take over."""
    return (
        user.role in SEES_ALL_CASES
        or case.coordinator_id == user.id
        or case.handover_to_id == user.id
    )


def can_drive_case(user: Staff, case: Case) -> bool:
    """Advancing the course belongs to the case's coordinator (and admin, for corrections)."""
    return user.role == Role.ADMIN or (
        user.role == Role.COORDINATOR and case.coordinator_id == user.id
    )


def is_handover_receiver(user: Staff, case: Case) -> bool:
    return case.handover_to_id is not None and (
        case.handover_to_id == user.id or user.role == Role.ADMIN
    )


def can_work_on_task(user: Staff, task: Task) -> bool:
    """Only the assigned department's workers and its lead act on a task."""
    return user.role == Role.ADMIN or (
        user.role in DEPARTMENT_ROLES and user.department == task.department
    )


def actor(user: Staff) -> Actor:
    return Actor(id=str(user.id), role=user.role, department=user.department)
