"""Who may see and change what. The workflow checks changes again; this decides what is shown."""

from models.case import Case
from models.command import Actor
from models.enums import Role
from models.staff import Staff

SEES_ALL_CASES = (Role.MANAGER, Role.ADMIN)
CREATES_CASES = (Role.COORDINATOR, Role.ADMIN)


def can_view_case(user: Staff, case: Case) -> bool:
    return user.role in SEES_ALL_CASES or case.coordinator_id == user.id


def can_drive_case(user: Staff, case: Case) -> bool:
    """Advancing the course belongs to the case's coordinator (and admin, for corrections)."""
    return user.role == Role.ADMIN or (
        user.role == Role.COORDINATOR and case.coordinator_id == user.id
    )


def actor(user: Staff) -> Actor:
    return Actor(id=str(user.id), role=user.role, department=user.department)
